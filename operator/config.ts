// The operator's settings: the only place it reads process.env (parsed once, failing fast).
import { z } from 'zod';
import { DEFAULT_PROMETHEUS_ADDRESS, DEFAULT_PROMETHEUS_NAMESPACE } from './city/autoscaling.js';
import type { VaultAuth } from './vault-http.js';

const commaList = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .pipe(z.array(item));

const namespaceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'each namespace must be a DNS label')
  .max(63);

export const operatorConfigSchema = z
  .object({
    /** Namespace of the leader Lease (the operator's own, in a cluster). */
    OPERATOR_NAMESPACE: z.string().min(1).default('crashdesk-system'),
    /** Reconcile only the Cities of these namespaces (comma separated); unset: every namespace. */
    WATCH_NAMESPACES: commaList(namespaceName).optional(),
    /** This replica's name in the Lease; the pod name in a cluster. */
    OPERATOR_IDENTITY: z.string().min(1).optional(),
    /** The operator's Vault: where it manages Cities' keys, policies and roles, and the address a City gets by default. */
    VAULT_ADDR: z.url({ protocol: /^https?$/ }),
    /** Further Vault addresses a City may choose in encryption.vaultAddress (comma separated); VAULT_ADDR is always allowed. */
    VAULT_ALLOWED_ADDRESSES: commaList(z.url({ protocol: /^https?$/, error: 'each allowed Vault address is an http(s) URL' })).default([]),
    /** How the operator authenticates to Vault: its ServiceAccount through Kubernetes auth, or a static token (development only). */
    VAULT_AUTH_METHOD: z.enum(['kubernetes', 'token']).default('kubernetes'),
    /** VAULT_AUTH_METHOD=token: the token. */
    VAULT_TOKEN: z.string().min(1).optional(),
    /** VAULT_AUTH_METHOD=kubernetes: the operator's role, outside crashdesk-* so that it cannot rewrite its own. */
    VAULT_KUBERNETES_ROLE: z.string().min(1).default('crashdesk_operator'),
    VAULT_KUBERNETES_MOUNT: z.string().min(1).default('kubernetes'),
    VAULT_KUBERNETES_JWT_FILE: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
    /** The cert-manager issuer of every site's internal (replication) certificate, `ClusterIssuer/<name>` or `Issuer/<name>` (one in each City's namespace). */
    OPERATOR_CERTIFICATE_ISSUER: z
      .string()
      .default('ClusterIssuer/crashdesk-internal-ca')
      .pipe(z.string().regex(/^(Cluster)?Issuer\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'OPERATOR_CERTIFICATE_ISSUER is ClusterIssuer/<name> or Issuer/<name>'))
      .transform((value) => {
        const [kind, name] = value.split('/') as ['Issuer' | 'ClusterIssuer', string];
        return { kind, name };
      }),
    /** The Prometheus KEDA asks for each City's requests per second (a City's scaling.prometheusAddress overrides it); used only with KEDA installed. */
    OPERATOR_PROMETHEUS_ADDRESS: z
      .url({ protocol: /^https?$/, error: 'OPERATOR_PROMETHEUS_ADDRESS is an http(s) URL' })
      // KEDA appends /api/v1/query?… to it.
      .refine((address) => !/[?#]/.test(address), 'OPERATOR_PROMETHEUS_ADDRESS has no query or fragment')
      .default(DEFAULT_PROMETHEUS_ADDRESS),
    /**
     * The namespaces of the Prometheus that scrapes each City's api through its ServiceMonitor (comma separated):
     * every api NetworkPolicy admits them to the http port, where /metrics is served (a City's scaling.prometheusNamespaces adds to them).
     */
    OPERATOR_PROMETHEUS_NAMESPACES: commaList(namespaceName)
      // An empty list would leave every api unscraped on a cluster that enforces NetworkPolicies: say so at start.
      .refine((namespaces) => namespaces.length > 0, 'OPERATOR_PROMETHEUS_NAMESPACES names at least one namespace')
      .default([DEFAULT_PROMETHEUS_NAMESPACE]),
    /** A development cluster: Cities may be served without ingress TLS (rule ingress-tls-required). */
    OPERATOR_DEVELOPMENT_CLUSTER: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    /** Serves /healthz and /metrics. */
    OPERATOR_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
    OPERATOR_HTTP_HOST: z.string().default('0.0.0.0'),
    OPERATOR_LEASE_DURATION_MS: z.coerce.number().int().min(1000).default(15_000),
    OPERATOR_RESYNC_MS: z.coerce.number().int().min(1000).default(300_000),
    OPERATOR_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((config, ctx) => {
    if (config.VAULT_AUTH_METHOD === 'token' && !config.VAULT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['VAULT_TOKEN'], message: 'VAULT_AUTH_METHOD=token needs VAULT_TOKEN (a static token is for development only)' });
    }
  });

export type OperatorConfig = z.infer<typeof operatorConfigSchema>;

export function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = operatorConfigSchema.safeParse(present);
  if (!parsed.success) {
    throw new Error(`invalid operator configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`);
  }
  return parsed.data;
}

/** The operator's Vault identity, as vault-http.ts takes it. */
export function vaultAuthOf(config: OperatorConfig): VaultAuth {
  if (config.VAULT_AUTH_METHOD === 'token') {
    if (!config.VAULT_TOKEN) throw new Error('VAULT_TOKEN is required with VAULT_AUTH_METHOD=token (the schema should have said so)');
    return { method: 'token', token: config.VAULT_TOKEN };
  }
  return { method: 'kubernetes', role: config.VAULT_KUBERNETES_ROLE, mount: config.VAULT_KUBERNETES_MOUNT, jwtFile: config.VAULT_KUBERNETES_JWT_FILE };
}
