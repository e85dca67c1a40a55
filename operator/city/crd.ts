// The City CustomResourceDefinition, defined once: the operator's tests install it and
// manifests/ synthesises it. Written in the API server's wire format (`x-kubernetes-*` keys).
import { GROUP, KIND, PLURAL, VERSION } from './types.js';

type Schema = Record<string, unknown>;

const string = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const integer = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
const object = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({ type: 'object', properties, ...extra });
const quantity = string({ pattern: '^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$', maxLength: 32 });
const dnsName = string({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 });
const clock = string({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });

const resources = object({ cpu: quantity, memory: quantity });

/** The namespace's platform-wide Secrets have one name each, so the operator's RBAC can name them. */
const sharedSecretName = (field: string, name: string) => ({
  rule: `self == '${name}'`,
  message: `${field} must be ${name}, the Secret every City of the namespace shares (rule shared-secret-names)`,
});

/** crashdesk-* Secrets are the operator's and the platform's: a City's pods may not mount another's by naming it. */
const reservedSecretName = (field: string) => ({
  rule: "!self.startsWith('crashdesk-')",
  message: `${field} must not name a crashdesk-* Secret: those are the operator's and the platform's (rule reserved-secret-names)`,
});

const specSchema = object(
  {
    role: string({ enum: ['hq', 'city'], 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'role is immutable' }] }),
    displayName: string({ minLength: 1, maxLength: 100 }),
    timezone: string({ default: 'UTC', maxLength: 64, pattern: '^[A-Za-z0-9_+\\-/]+$' }),
    api: object(
      {
        image: string({ minLength: 1, maxLength: 512 }),
        replicas: object(
          { min: integer({ minimum: 1, maximum: 100, default: 2 }), max: integer({ minimum: 1, maximum: 100, default: 10 }) },
          {
            default: { min: 2, max: 10 },
            'x-kubernetes-validations': [{ rule: 'self.min <= self.max', message: 'api.replicas.min must not exceed api.replicas.max' }],
          },
        ),
        resources: object({ requests: resources, limits: resources }, { default: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } } }),
      },
      { required: ['image'] },
    ),
    scaling: object(
      {
        targetRequestsPerSecond: integer({ minimum: 1, maximum: 100_000, default: 50 }),
        targetCpuUtilization: integer({ minimum: 10, maximum: 100, default: 70 }),
        // The HPA's own limit is 3600 s.
        scaleDownStabilizationSeconds: integer({ minimum: 0, maximum: 3600, default: 300 }),
        schedules: {
          type: 'array',
          maxItems: 20,
          default: [],
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: object(
            {
              name: dnsName,
              days: { type: 'array', maxItems: 7, default: [], items: string({ enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] }) },
              start: clock,
              end: clock,
              minReplicas: integer({ minimum: 1, maximum: 100 }),
            },
            {
              required: ['name', 'start', 'end', 'minReplicas'],
              'x-kubernetes-validations': [{ rule: 'self.start != self.end', message: 'a schedule window must not start and end at the same time' }],
            },
          ),
        },
        // KEDA appends /api/v1/query?… to it: a query or fragment here would break every request.
        prometheusAddress: string({
          maxLength: 512,
          'x-kubernetes-validations': [
            {
              rule: "isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != '' && !self.contains('?') && !self.contains('#')",
              message: 'scaling.prometheusAddress must be an http(s) URL without query or fragment, e.g. http://prometheus-operated.monitoring.svc:9090',
            },
          ],
        }),
        // Added to the operator's, never in their place: the platform's own Prometheus keeps scraping every City.
        prometheusNamespaces: {
          type: 'array',
          maxItems: 10,
          'x-kubernetes-list-type': 'set',
          items: dnsName,
          description:
            "Namespaces of the City's own Prometheus (the one at prometheusAddress, say): the api's NetworkPolicy admits their pods to its http port, where /metrics is served, besides the operator's Prometheus namespaces.",
        },
      },
      { default: {} },
    ),
    ingress: object(
      {
        host: string({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
        // Always /{name} (see the root rule ingress-path-is-site); accepted only so that manifests that spell it out still apply.
        path: string({ pattern: '^/[A-Za-z0-9/_.-]*$', maxLength: 200 }),
        className: dnsName,
        tlsSecretName: dnsName,
        controllerNamespace: string({ default: 'ingress-nginx', maxLength: 63 }),
      },
      { required: ['host'] },
    ),
    database: object(
      {
        managed: object({
          instances: integer({ minimum: 1, maximum: 9, default: 2 }),
          storageSize: string({ default: '10Gi', pattern: '^[0-9]+(Mi|Gi|Ti)$' }),
          storageClass: string({ maxLength: 253 }),
        }),
        external: object(
          {
            secretName: string({ ...dnsName, 'x-kubernetes-validations': [reservedSecretName('database.external.secretName')] }),
            urlKey: string({ default: 'uri' }),
            // The schema owner's URL: the api migrates with it and logs in with urlKey's, a role that owns nothing.
            ownerUrlKey: string(),
          },
          { required: ['secretName', 'ownerUrlKey'] },
        ),
      },
      {
        default: { managed: {} },
        'x-kubernetes-validations': [
          { rule: 'has(self.managed) != has(self.external)', message: 'database needs exactly one of managed or external' },
          { rule: 'has(oldSelf.managed) == has(self.managed)', message: 'database cannot switch between managed and external' },
        ],
      },
    ),
    cache: object(
      {
        managed: object({ image: string({ default: 'redis:7.4-alpine' }), memory: string({ default: '256Mi', pattern: '^[0-9]+(Mi|Gi)$' }) }),
        url: string({ pattern: '^rediss?://', maxLength: 512 }),
      },
      { default: {}, 'x-kubernetes-validations': [{ rule: '!(has(self.managed) && has(self.url))', message: 'cache is either managed or a url, not both' }] },
    ),
    encryption: object(
      {
        // One of the addresses the operator allows (its VAULT_ALLOWED_ADDRESSES); unset: the operator's own VAULT_ADDR.
        vaultAddress: string({ pattern: '^https?://', maxLength: 512 }),
        transitMount: string({
          default: 'transit',
          pattern: '^[a-z0-9_-]+$',
          'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'encryption.transitMount is immutable: data sealed under its key would be lost' }],
        }),
        // No longer accepted (rule vault-names-derived); kept in the schema so that a City stored
        // before keeps validating while it is unchanged, and so the operator can adopt its objects.
        keyName: string({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 128 }),
        authRole: string({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 128 }),
        authMount: string({ default: 'kubernetes', pattern: '^[a-z0-9_/-]+$' }),
        deleteKeyOnDelete: { type: 'boolean', default: false },
        blindIndexSecretName: string({
          default: 'crashdesk-blind-index',
          'x-kubernetes-validations': [sharedSecretName('encryption.blindIndexSecretName', 'crashdesk-blind-index')],
        }),
      },
      {
        default: {},
        'x-kubernetes-validations': [
          {
            rule: '!has(self.keyName) && !has(self.authRole)',
            message:
              'encryption.keyName and encryption.authRole are not accepted: the operator names the transit key, policy and role crashdesk-<namespace>-<name> (rule vault-names-derived)',
          },
        ],
      },
    ),
    internalTls: object({
      // Instead of a certificate from cert-manager: a Secret with tls.crt, tls.key and the peers' CA in ca.crt.
      secretName: string({ ...dnsName, 'x-kubernetes-validations': [reservedSecretName('internalTls.secretName')] }),
    }),
    replication: object(
      {
        hq: string({ default: 'hq', maxLength: 63 }),
        secretName: string({
          default: 'crashdesk-replication',
          maxLength: 253,
          'x-kubernetes-validations': [sharedSecretName('replication.secretName', 'crashdesk-replication')],
        }),
        // A city's key version (hq's `npm run replication:cities -- rotate <city>` names the next one).
        keyVersion: integer({ minimum: 1, maximum: 999_999, default: 1 }),
      },
      { default: {} },
    ),
    intake: object(
      {
        retentionDays: integer({ minimum: 1, maximum: 365, default: 7 }),
        llm: object(
          {
            url: string({ pattern: '^https?://[^\\s]+$', maxLength: 2048 }),
            model: string({ minLength: 1, maxLength: 256, default: 'default' }),
            timeoutMs: integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
            apiKeySecretName: string({ ...dnsName, 'x-kubernetes-validations': [reservedSecretName('intake.llm.apiKeySecretName')] }),
          },
          { required: ['url'] },
        ),
      },
      { default: {} },
    ),
  },
  {
    required: ['role', 'displayName', 'api', 'ingress'],
    'x-kubernetes-validations': [
      {
        rule: '!has(self.scaling.schedules) || self.scaling.schedules.all(w, w.minReplicas <= self.api.replicas.max)',
        message: 'a schedule window minReplicas must not exceed api.replicas.max',
      },
    ],
  },
);

const condition = object(
  {
    type: string(),
    status: string({ enum: ['True', 'False', 'Unknown'] }),
    reason: string(),
    message: string(),
    observedGeneration: integer({ format: 'int64' }),
    lastTransitionTime: string({ format: 'date-time' }),
  },
  { required: ['type', 'status', 'reason', 'lastTransitionTime'] },
);

const statusSchema = object({
  observedGeneration: integer({ format: 'int64' }),
  conditions: { type: 'array', items: condition, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
  endpoint: string(),
  replicas: integer(),
  siteNumber: integer({ minimum: 0, maximum: 63 }),
  transitKey: string(),
});

export const cityCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'city', kind: KIND, listKind: `${KIND}List`, shortNames: ['cty'] },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Role', type: 'string', jsonPath: '.spec.role' },
          { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas' },
          { name: 'Endpoint', type: 'string', jsonPath: '.status.endpoint' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: object(
            { apiVersion: string(), kind: string(), metadata: { type: 'object' }, spec: specSchema, status: statusSchema },
            {
              required: ['spec'],
              'x-kubernetes-validations': [
                {
                  // The api treats the site named `hq` as hq, so role and name must agree.
                  rule: "(self.spec.role == 'hq') == (self.metadata.name == 'hq')",
                  message: 'the hq City must be named hq, and only it may have role hq',
                },
                { rule: 'size(self.metadata.name) <= 40', message: 'a City name has at most 40 characters (it prefixes its children)' },
                {
                  // With Prefix matching, any other path could sit inside another city's (/london/v1/auth).
                  rule: "!has(self.spec.ingress.path) || self.spec.ingress.path == '/' + self.metadata.name",
                  message: 'ingress.path must be exactly /<metadata.name>: a City serves its own prefix and no other (rule ingress-path-is-site)',
                },
              ],
            },
          ),
        },
      },
    ],
  },
} as const;
