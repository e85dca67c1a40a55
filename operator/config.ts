// The operator's settings: the only place it reads process.env (parsed once, failing fast).
import { z } from 'zod';

export const operatorConfigSchema = z.object({
  /** Namespace of the leader Lease (the operator's own, in a cluster). */
  OPERATOR_NAMESPACE: z.string().min(1).default('crashdesk-system'),
  /** Reconcile only the Cities of these namespaces (comma separated); unset: every namespace. */
  WATCH_NAMESPACES: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((namespace) => namespace.trim())
        .filter((namespace) => namespace !== ''),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'each namespace must be a DNS label')
          .max(63),
      ),
    )
    .optional(),
  /** This replica's name in the Lease; the pod name in a cluster. */
  OPERATOR_IDENTITY: z.string().min(1).optional(),
  /** Token the operator writes Vault's keys, policies and roles with. */
  VAULT_TOKEN: z.string().min(1, 'VAULT_TOKEN is needed to manage Vault transit keys, policies and roles'),
  /** Serves /healthz and /metrics. */
  OPERATOR_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  OPERATOR_HTTP_HOST: z.string().default('0.0.0.0'),
  OPERATOR_LEASE_DURATION_MS: z.coerce.number().int().min(1000).default(15_000),
  OPERATOR_RESYNC_MS: z.coerce.number().int().min(1000).default(300_000),
  OPERATOR_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
