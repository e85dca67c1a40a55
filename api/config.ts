import { resolve } from 'node:path';
import { z } from 'zod';

const siteName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, 'a site name is lower-case letters, digits and hyphens, starting with a letter');

const duration = z.coerce.number().int().positive();

/**
 * Every setting the api reads, in one schema. Its keys are the environment variables, so the
 * operator builds a Deployment's environment from the same names (see README for the table).
 */
export const configSchema = z
  .object({
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Single-site mode (one pod in Kubernetes): the site this process serves. */
    CRASHDESK_SITE: siteName.optional(),
    /** Single-site mode: this site's number, 0..63; it places the site's ids in their own range. */
    CRASHDESK_SITE_NUMBER: z.coerce.number().int().min(0).max(63).optional(),
    /** Single-site mode: the site's PostgreSQL. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    /** Local platform: the sites to run, `hq` first or not, comma separated. */
    CRASHDESK_SITES: z
      .string()
      .default('hq,london,manchester')
      .transform((value) => [...new Set(value.split(',').map((site) => site.trim()).filter(Boolean))])
      .pipe(z.array(siteName).min(1).max(64))
      .refine((sites) => sites.includes('hq'), 'CRASHDESK_SITES must include hq'),
    CRASHDESK_DATA_DIR: z
      .string()
      .default('./.crashdesk')
      .transform((dir) => resolve(dir)),
    CRASHDESK_ADMIN_PASSWORD: z.string().min(12, 'CRASHDESK_ADMIN_PASSWORD must be at least 12 characters').optional(),
    /** How long a login lasts, in seconds (default: an 8-hour shift). */
    CRASHDESK_TOKEN_TTL_SECONDS: duration.default(8 * 60 * 60),
    /** How long an Idempotency-Key is remembered, in seconds. */
    CRASHDESK_IDEMPOTENCY_TTL_SECONDS: duration.default(24 * 60 * 60),
    /** Grace period for in-flight requests on SIGTERM, in milliseconds. */
    CRASHDESK_SHUTDOWN_GRACE_MS: duration.default(10_000),
  })
  .superRefine((config, ctx) => {
    if (config.CRASHDESK_SITE === undefined) return;
    if (!config.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'single-site mode (CRASHDESK_SITE) needs DATABASE_URL' });
    }
    if (config.CRASHDESK_SITE_NUMBER === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['CRASHDESK_SITE_NUMBER'],
        message: 'single-site mode (CRASHDESK_SITE) needs CRASHDESK_SITE_NUMBER (0..63, unique per site)',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

/** Parses the environment once at start and fails fast with every problem named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as `FOO= npm start` and most orchestrators intend.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new Error(`invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data;
}
