// The api's Deployment in single-site mode, shared by the operator and manifests/ (one site without
// the operator). Environment names are typed against the api's config schema, so a renamed setting
// fails to compile here instead of failing in a pod.
import type { EnvName } from '../../api/config.js';

export interface SecretKey {
  readonly name: string;
  readonly key: string;
  /** The variable is left unset when the Secret lacks the key, instead of the pod not starting. */
  readonly optional?: boolean;
}

export interface ApiDeploymentProps {
  readonly site: string;
  readonly siteNumber: number;
  readonly image: string;
  readonly name?: string;
  readonly namespace?: string;
  /**
   * The count to apply. The operator passes the Deployment's current count clamped to the City's
   * bounds, so applying never undoes the autoscaler's decision (a new Deployment starts at the
   * minimum); omit it where nothing else sets the count and the Deployment's default of 1 will do.
   */
  readonly replicas?: number;
  readonly serviceAccountName?: string;
  readonly databaseUrl: SecretKey;
  readonly databaseOwnerUrl?: SecretKey;
  /** A streaming replica for lists and lookups (CloudNativePG's `-ro` service). */
  readonly databaseReadUrl?: SecretKey;
  /** The City's Redis: shared list cache and rate limits of the site's replicas. */
  readonly cacheUrl?: string;
  readonly adminPassword?: SecretKey;
  /** The platform-wide blind-index key (base64), the same for every site. */
  readonly blindIndexKey: SecretKey;
  /** Field encryption through Vault transit, logging in with the pod's service account. */
  readonly vault: {
    readonly address: string;
    readonly role: string;
    readonly transitMount?: string;
    readonly transitKey?: string;
    readonly authMount?: string;
  };
  readonly replication?: {
    readonly secret: SecretKey;
    /** A city's key version, which it names on every request it signs. */
    readonly keyVersion?: number;
    readonly hqUrl?: string;
    readonly ownUrl?: string;
    /** hq: the addresses a city may announce when it registers (`{city}` stands for its name). */
    readonly peerUrlPattern?: string;
  };
  /** The internal port's certificate, key and the peers' CA (`tls.crt`, `tls.key`, `ca.crt`): mutual TLS between sites. */
  readonly internalTlsSecret?: string;
  /** The Secret with the database server's CA in `ca.crt` (CloudNativePG's `<cluster>-ca`): connections verify-full. */
  readonly databaseCaSecret?: string;
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  /** The site's IANA time zone (the default day of a call drafted without one). */
  readonly timezone?: string;
  /** Intake assist's retention and, when the customer runs one, its language model. */
  readonly intake?: {
    readonly retentionDays?: number;
    readonly llm?: { readonly url: string; readonly model?: string; readonly timeoutMs?: number; readonly apiKey?: SecretKey };
  };
  readonly labels?: Readonly<Record<string, string>>;
  readonly ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export type EnvVar = { name: EnvName; value: string } | { name: EnvName; valueFrom: { secretKeyRef: SecretKey } };

export const API_PORT = 8080;
/** The peer sites' replication routes only, over mutual TLS; never behind the Ingress. */
export const INTERNAL_PORT = 8443;
const INTERNAL_TLS_DIR = '/etc/crashdesk/internal-tls';
const DATABASE_CA_DIR = '/etc/crashdesk/database-ca';

/** Labels every object of one site carries; the Service, PDB and policies select on them. */
export function siteLabels(site: string) {
  return { 'app.kubernetes.io/name': 'crashdesk-api', 'app.kubernetes.io/instance': site, 'crashdesk.io/site': site };
}

export function apiEnvironment(props: ApiDeploymentProps): EnvVar[] {
  const fromSecret = (name: EnvName, ref: SecretKey): EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: ref.name, key: ref.key, ...(ref.optional && { optional: true }) } },
  });
  const env: EnvVar[] = [
    { name: 'HOST', value: '0.0.0.0' },
    { name: 'PORT', value: String(API_PORT) },
    { name: 'CRASHDESK_SITE', value: props.site },
    { name: 'CRASHDESK_SITE_NUMBER', value: String(props.siteNumber) },
    fromSecret('DATABASE_URL', props.databaseUrl),
    // Requests arrive through the ingress: without trusting its X-Forwarded-For entry, every agent
    // would share the ingress's address, and login throttling per address would block them all.
    { name: 'CRASHDESK_TRUST_PROXY_HOPS', value: '1' },
    fromSecret('CRASHDESK_BLIND_INDEX_KEY', props.blindIndexKey),
    { name: 'CRASHDESK_KEY_PROVIDER', value: 'vault' },
    { name: 'VAULT_ADDR', value: props.vault.address },
    { name: 'VAULT_AUTH_METHOD', value: 'kubernetes' },
    { name: 'VAULT_KUBERNETES_ROLE', value: props.vault.role },
    { name: 'VAULT_TRANSIT_MOUNT', value: props.vault.transitMount ?? 'transit' },
  ];
  if (props.databaseOwnerUrl) env.push(fromSecret('DATABASE_OWNER_URL', props.databaseOwnerUrl));
  if (props.databaseReadUrl) env.push(fromSecret('DATABASE_READ_URL', props.databaseReadUrl));
  if (props.cacheUrl) env.push({ name: 'REDIS_URL', value: props.cacheUrl });
  if (props.adminPassword) env.push(fromSecret('CRASHDESK_ADMIN_PASSWORD', props.adminPassword));
  if (props.vault.transitKey) env.push({ name: 'VAULT_TRANSIT_KEY', value: props.vault.transitKey });
  if (props.vault.authMount) env.push({ name: 'VAULT_KUBERNETES_MOUNT', value: props.vault.authMount });
  if (props.replication) {
    env.push(fromSecret('CRASHDESK_REPLICATION_SECRET', props.replication.secret));
    if (props.replication.keyVersion !== undefined) env.push({ name: 'CRASHDESK_REPLICATION_KEY_VERSION', value: String(props.replication.keyVersion) });
    if (props.replication.hqUrl) env.push({ name: 'CRASHDESK_HQ_URL', value: props.replication.hqUrl });
    if (props.replication.ownUrl) env.push({ name: 'CRASHDESK_REPLICATION_URL', value: props.replication.ownUrl });
    if (props.replication.peerUrlPattern) env.push({ name: 'CRASHDESK_PEER_URL_PATTERN', value: props.replication.peerUrlPattern });
  }
  env.push({ name: 'CRASHDESK_INTERNAL_PORT', value: String(INTERNAL_PORT) });
  if (props.internalTlsSecret) {
    env.push(
      { name: 'CRASHDESK_INTERNAL_TLS_CERT', value: `${INTERNAL_TLS_DIR}/tls.crt` },
      { name: 'CRASHDESK_INTERNAL_TLS_KEY', value: `${INTERNAL_TLS_DIR}/tls.key` },
      { name: 'CRASHDESK_INTERNAL_TLS_CA', value: `${INTERNAL_TLS_DIR}/ca.crt` },
    );
  }
  if (props.databaseCaSecret) env.push({ name: 'DATABASE_CA_FILE', value: `${DATABASE_CA_DIR}/ca.crt` });
  if (props.timezone) env.push({ name: 'CRASHDESK_SITE_TIMEZONE', value: props.timezone });
  const { intake } = props;
  if (intake?.retentionDays !== undefined) env.push({ name: 'CRASHDESK_INTAKE_RETENTION_DAYS', value: String(intake.retentionDays) });
  if (intake?.llm) {
    env.push({ name: 'CRASHDESK_INTAKE_LLM_URL', value: intake.llm.url });
    if (intake.llm.model) env.push({ name: 'CRASHDESK_INTAKE_LLM_MODEL', value: intake.llm.model });
    if (intake.llm.timeoutMs !== undefined) env.push({ name: 'CRASHDESK_INTAKE_LLM_TIMEOUT_MS', value: String(intake.llm.timeoutMs) });
    if (intake.llm.apiKey) env.push(fromSecret('CRASHDESK_INTAKE_LLM_API_KEY', intake.llm.apiKey));
  }
  return env;
}

export function apiDeployment(props: ApiDeploymentProps) {
  const selector = siteLabels(props.site);
  const labels = { ...selector, ...props.labels };
  const probe = (path: string) => ({ httpGet: { path: `/${props.site}/${path}`, port: 'http' }, periodSeconds: 5, failureThreshold: 3 });
  const mounts = [
    ...(props.internalTlsSecret ? [{ name: 'internal-tls', mountPath: INTERNAL_TLS_DIR, secret: { secretName: props.internalTlsSecret } }] : []),
    // Only the certificate: CloudNativePG's CA Secret also holds the CA's private key.
    ...(props.databaseCaSecret
      ? [{ name: 'database-ca', mountPath: DATABASE_CA_DIR, secret: { secretName: props.databaseCaSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }]
      : []),
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: props.name ?? `crashdesk-api-${props.site}`,
      ...(props.namespace ? { namespace: props.namespace } : {}),
      labels,
      ...(props.ownerReferences ? { ownerReferences: props.ownerReferences } : {}),
    },
    spec: {
      ...(props.replicas === undefined ? {} : { replicas: props.replicas }),
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          ...(props.serviceAccountName ? { serviceAccountName: props.serviceAccountName } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          // Long enough for the preStop drain plus the api's own grace period.
          terminationGracePeriodSeconds: 30,
          // Spread over zones first (a zone outage leaves the site serving), then over nodes.
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
          ],
          ...(mounts.length > 0 ? { volumes: mounts.map(({ name, secret }) => ({ name, secret })) } : {}),
          containers: [
            {
              name: 'api',
              image: props.image,
              ports: [
                { name: 'http', containerPort: API_PORT },
                { name: 'internal', containerPort: INTERNAL_PORT },
              ],
              env: apiEnvironment(props),
              readinessProbe: probe('readyz'),
              livenessProbe: { ...probe('healthz'), failureThreshold: 6 },
              // Endpoints are removed asynchronously; keep serving until the load balancer has noticed.
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              resources: props.resources ?? { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              ...(mounts.length > 0 ? { volumeMounts: mounts.map(({ name, mountPath }) => ({ name, mountPath, readOnly: true })) } : {}),
            },
          ],
        },
      },
    },
  };
}
