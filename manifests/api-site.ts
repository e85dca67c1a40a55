import type { Config } from '../api/config.js';

export interface ApiSiteProps {
  readonly site: string;
  readonly siteNumber: number;
  readonly image: string;
  readonly replicas: number;
  /** Secret with key `url`: the site's PostgreSQL connection string. */
  readonly databaseSecret: string;
  /** Secret with key `password`: the site's admin password. */
  readonly adminSecret: string;
  /** Secret with key `key`: the platform-wide blind-index key (base64), the same for every site. */
  readonly blindIndexSecret: string;
  /** Field encryption through Vault transit, logging in with the pod's service account. */
  readonly vault: { readonly address: string; readonly role: string; readonly transitMount?: string };
}

type EnvName = keyof Config;
type EnvVar = { name: EnvName; value: string } | { name: EnvName; valueFrom: { secretKeyRef: { name: string; key: string } } };

const PORT = 8080;

/** Labels every object of one site carries; the Service and PDB select on them. */
export function siteLabels(site: string) {
  return { 'app.kubernetes.io/name': 'crashdesk-api', 'app.kubernetes.io/instance': site, 'crashdesk.io/site': site };
}

/**
 * The api in single-site mode. Environment names are typed against the api's config schema, so a
 * renamed setting fails to compile here instead of failing in a pod.
 */
export function apiDeployment(props: ApiSiteProps) {
  const labels = siteLabels(props.site);
  const env: EnvVar[] = [
    { name: 'HOST', value: '0.0.0.0' },
    { name: 'PORT', value: String(PORT) },
    { name: 'CRASHDESK_SITE', value: props.site },
    { name: 'CRASHDESK_SITE_NUMBER', value: String(props.siteNumber) },
    { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: props.databaseSecret, key: 'url' } } },
    { name: 'CRASHDESK_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: props.adminSecret, key: 'password' } } },
    // Requests arrive through the ingress: without trusting its X-Forwarded-For entry, every agent
    // would share the ingress's address, and login throttling per address would block them all.
    { name: 'CRASHDESK_TRUST_PROXY_HOPS', value: '1' },
    { name: 'CRASHDESK_BLIND_INDEX_KEY', valueFrom: { secretKeyRef: { name: props.blindIndexSecret, key: 'key' } } },
    { name: 'CRASHDESK_KEY_PROVIDER', value: 'vault' },
    { name: 'VAULT_ADDR', value: props.vault.address },
    { name: 'VAULT_AUTH_METHOD', value: 'kubernetes' },
    { name: 'VAULT_KUBERNETES_ROLE', value: props.vault.role },
    { name: 'VAULT_TRANSIT_MOUNT', value: props.vault.transitMount ?? 'transit' },
  ];
  const probe = (path: string) => ({ httpGet: { path: `/${props.site}/${path}`, port: 'http' }, periodSeconds: 5, failureThreshold: 3 });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `crashdesk-api-${props.site}`, labels },
    spec: {
      replicas: props.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          // Long enough for the preStop drain plus the api's own grace period.
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'api',
              image: props.image,
              ports: [{ name: 'http', containerPort: PORT }],
              env,
              readinessProbe: probe('readyz'),
              livenessProbe: { ...probe('healthz'), failureThreshold: 6 },
              // Endpoints are removed asynchronously; keep serving until the load balancer has noticed.
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

export function apiService(props: Pick<ApiSiteProps, 'site'>) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `crashdesk-api-${props.site}`, labels: siteLabels(props.site) },
    spec: { selector: siteLabels(props.site), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
}
