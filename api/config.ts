// The only place that reads process.env: the environment parsed once (every problem named at
// once, exit code 2), then shaped by mode, so that no caller handles a setting its mode lacks.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defaultThrottlePolicy, defaultTokenPolicy, type ThrottlePolicy } from './auth/policy.js';

const siteName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a site name is lower-case letters, digits and hyphens, starting with a letter');

const duration = z.coerce.number().int().positive();

/**
 * Every environment variable the api reads, in one schema. Its keys are the variables' names, so the
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
    /**
     * Single-site mode: the schema owner's PostgreSQL URL, used only to migrate and to grant
     * DATABASE_URL's role what it needs (on the audit trail: reading, and appending through
     * audit_append only). Required unless CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE=true.
     */
    DATABASE_OWNER_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /**
     * Single-site mode, development only: lets DATABASE_URL's role own the schema (no
     * DATABASE_OWNER_URL, or one logging in as the same role); otherwise such a site refuses to start.
     */
    CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    /** How often the audit chain's newest entry is signed, in milliseconds: at most a minute. */
    CRASHDESK_AUDIT_SIGN_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000, 'the audit chain head is signed at least every minute').default(60_000),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    /**
     * Single-site mode: a streaming replica of DATABASE_URL's database (CloudNativePG's `-ro`
     * service), same role, for day pages, policy lookups and exports while it keeps up.
     */
    DATABASE_READ_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** Beyond this replica lag (milliseconds), those reads go to the primary until it catches up. */
    CRASHDESK_READ_REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
    /** Local platform: the sites to run, `hq` first or not, comma separated. */
    CRASHDESK_SITES: z
      .string()
      .default('hq,london,manchester')
      .transform((value) => [
        ...new Set(
          value
            .split(',')
            .map((site) => site.trim())
            .filter(Boolean),
        ),
      ])
      .pipe(z.array(siteName).min(1).max(64))
      .refine((sites) => sites.includes('hq'), 'CRASHDESK_SITES must include hq'),
    CRASHDESK_DATA_DIR: z
      .string()
      .default('./.crashdesk')
      .transform((dir) => resolve(dir)),
    CRASHDESK_ADMIN_PASSWORD: z.string().min(12, 'CRASHDESK_ADMIN_PASSWORD must be at least 12 characters').optional(),
    /** The absolute lifetime of a login, in seconds, however often it is used (default: an 8-hour shift). */
    CRASHDESK_TOKEN_TTL_SECONDS: duration.default(defaultTokenPolicy.maxSeconds),
    /** A login unused for this many seconds expires; each use extends it (defaults justified in auth/policy.ts). */
    CRASHDESK_TOKEN_IDLE_SECONDS: duration.default(defaultTokenPolicy.idleSeconds),
    /** Failed logins for one username from one address within the window before each further one doubles a block (2 s, 4 s, ...). */
    CRASHDESK_LOGIN_USERNAME_FREE_FAILURES: z.coerce.number().int().min(0).max(1000).default(defaultThrottlePolicy.usernameFreeFailures),
    /** Addresses with failed logins for one username before the username backs off everywhere. */
    CRASHDESK_LOGIN_USERNAME_FREE_ADDRESSES: z.coerce.number().int().min(0).max(100_000).default(defaultThrottlePolicy.usernameFreeAddresses),
    /** Usernames with failed logins from one address (no success since) before the address backs off: spraying. */
    CRASHDESK_LOGIN_CLIENT_FREE_FAILURES: z.coerce.number().int().min(0).max(100_000).default(defaultThrottlePolicy.clientFreeFailures),
    /** CIDR blocks never throttled as a whole address (a call centre's NAT), comma separated; pairs and usernames still are. */
    CRASHDESK_LOGIN_TRUSTED_NETWORKS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((network) => network.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.union([z.cidrv4(), z.cidrv6()], 'each trusted network is address/prefix, e.g. 203.0.113.0/24 or 2001:db8::/48'))),
    /** The longest one block lasts, so an attacker cannot lock a real agent out for longer at a time. */
    CRASHDESK_LOGIN_MAX_BLOCK_SECONDS: duration.default(defaultThrottlePolicy.maxBlockSeconds),
    /** A username or address without a failed login for this long starts afresh. */
    CRASHDESK_LOGIN_FAILURE_WINDOW_SECONDS: duration.default(defaultThrottlePolicy.failureWindowSeconds),
    /** How many proxies in front of the api (the ingress) append to X-Forwarded-For; 0 trusts none. */
    CRASHDESK_TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    /** Origins allowed to call the API from a browser (CORS), comma separated; unset keeps CORS closed. */
    CRASHDESK_CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s*]+$/, 'each CORS origin is scheme://host[:port], without a path or wildcard'))),
    /** Serve HTTPS: PEM certificate chain and private key files; both or neither. */
    TLS_CERT: z.string().optional(),
    TLS_KEY: z.string().optional(),
    /** How long an Idempotency-Key is remembered, in seconds. */
    CRASHDESK_IDEMPOTENCY_TTL_SECONDS: duration.default(24 * 60 * 60),
    /**
     * The city's Redis (the operator passes its managed or given cache): day pages and policy
     * lookups cached as ciphertext, and rate limits shared by the site's replicas. Unset (the local
     * platform): an in-process tier does the same within one process.
     */
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    /** How long a cached day page or lookup is fresh, and how much longer it may be served while one request refreshes it. */
    CRASHDESK_LIST_CACHE_FRESH_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
    CRASHDESK_LIST_CACHE_STALE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    /** Requests per minute per signed-in account, and per client address (all accounts behind it); 0: no limit. */
    CRASHDESK_RATE_LIMIT_ACCOUNT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(3000),
    CRASHDESK_RATE_LIMIT_ADDRESS_PER_MINUTE: z.coerce.number().int().min(0).max(10_000_000).default(30_000),
    /** Grace period for in-flight requests on SIGTERM, in milliseconds. */
    CRASHDESK_SHUTDOWN_GRACE_MS: duration.default(10_000),
    /** Where the master keys that wrap field-encryption data keys live. */
    CRASHDESK_KEY_PROVIDER: z.enum(['local', 'vault']).default('local'),
    /** `local` provider: the key file (default: master-keys.json in the data directory). */
    CRASHDESK_LOCAL_KEY_FILE: z.string().optional(),
    /** Platform-wide key of the policy-number blind index, base64 of at least 32 bytes. */
    CRASHDESK_BLIND_INDEX_KEY: z
      .base64('CRASHDESK_BLIND_INDEX_KEY must be base64')
      .refine((key) => Buffer.from(key, 'base64').length >= 32, 'CRASHDESK_BLIND_INDEX_KEY must hold at least 32 bytes')
      .optional(),
    VAULT_ADDR: z.url().optional(),
    VAULT_AUTH_METHOD: z.enum(['token', 'kubernetes']).default('token'),
    VAULT_TOKEN: z.string().optional(),
    VAULT_KUBERNETES_ROLE: z.string().optional(),
    VAULT_KUBERNETES_MOUNT: z.string().default('kubernetes'),
    VAULT_KUBERNETES_JWT_FILE: z.string().default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
    VAULT_TRANSIT_MOUNT: z.string().default('transit'),
    /** Transit key name; `{site}` is replaced by the site (default `crashdesk-{site}`). */
    VAULT_TRANSIT_KEY: z.string().default('crashdesk-{site}'),
    /**
     * Single-site mode: signs replication between sites. At hq, the platform's replication secret;
     * at a city, the key derived from it for that city (README, Replication).
     */
    CRASHDESK_REPLICATION_SECRET: z.string().min(32, 'CRASHDESK_REPLICATION_SECRET must be at least 32 characters').optional(),
    /** A city: hq's base URL (scheme://host:port), where it ships its changes and backfills from. */
    CRASHDESK_HQ_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** A city: its own base URL as hq reaches it, announced when it registers at hq. */
    CRASHDESK_REPLICATION_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** hq: the cities it ships to, `name=url,...`; cities that register themselves are added. */
    CRASHDESK_PEERS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[a-z][a-z0-9-]{0,30}=https?:\/\/\S+$/, 'each peer is name=http(s)://host:port')))
      .transform((entries) => Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]))),
    /** A city: the version of its replication key (HQ's registry rotates keys to the next version). */
    CRASHDESK_REPLICATION_KEY_VERSION: z.coerce.number().int().min(1).max(999_999).default(1),
    /**
     * hq: the addresses a city may announce when it registers, a regular expression in which `{city}`
     * stands for the city's name (anchored); configured peers' addresses are always allowed.
     */
    CRASHDESK_PEER_URL_PATTERN: z
      .string()
      .refine((pattern) => {
        try {
          new RegExp(pattern.replaceAll('{city}', 'x'));
          return true;
        } catch {
          return false;
        }
      }, 'CRASHDESK_PEER_URL_PATTERN must be a regular expression')
      .optional(),
    /** Serves only the peer sites' replication routes (never the Ingress's): a port of its own. 0: any free port. */
    CRASHDESK_INTERNAL_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
    /** The internal port's TLS: this site's certificate chain, its key, and the CA every peer's certificate must chain to (mutual TLS). All three or none. */
    CRASHDESK_INTERNAL_TLS_CERT: z.string().optional(),
    CRASHDESK_INTERNAL_TLS_KEY: z.string().optional(),
    CRASHDESK_INTERNAL_TLS_CA: z.string().optional(),
    /** The CA that signed the database server's certificate: connections then verify it and its host name (sslmode verify-full). */
    DATABASE_CA_FILE: z.string().optional(),
    /** Outbox rows per replication batch. */
    CRASHDESK_REPLICATION_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
    /** How often an idle shipper looks for changes, and the back-off's first step, in milliseconds. */
    CRASHDESK_REPLICATION_INTERVAL_MS: duration.default(200),
    /** The longest wait between attempts while a peer is down, in milliseconds. */
    CRASHDESK_REPLICATION_BACKOFF_MAX_MS: duration.default(10_000),
    /** The site's IANA time zone: "today" for a call whose day is not given. */
    CRASHDESK_SITE_TIMEZONE: z
      .string()
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'CRASHDESK_SITE_TIMEZONE must be an IANA time zone such as Europe/London')
      .default('UTC'),
    /** How long an intake (the call's transcript and its draft) is kept, in days. */
    CRASHDESK_INTAKE_RETENTION_DAYS: z.coerce.number().min(0.0001).max(365).default(7),
    /** Intakes one process drafts at once. 0: this process drafts none (another replica or process does). */
    CRASHDESK_INTAKE_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2),
    /** Attempts before an intake ends `failed`; the first retry waits CRASHDESK_INTAKE_RETRY_DELAY_SECONDS, each later one twice as long. */
    CRASHDESK_INTAKE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
    CRASHDESK_INTAKE_RETRY_DELAY_SECONDS: z.coerce.number().min(0).max(3600).default(5),
    /** One attempt's deadline; a worker holds a job for twice this before another may take it over. */
    CRASHDESK_INTAKE_ATTEMPT_TIMEOUT_MS: duration.default(30_000),
    /** An OpenAI-compatible chat-completions endpoint the customer runs (its base URL, e.g. http://llm:8000/v1); unset: the built-in extractor only. */
    CRASHDESK_INTAKE_LLM_URL: z.url({ protocol: /^https?$/ }).optional(),
    CRASHDESK_INTAKE_LLM_MODEL: z.string().min(1).default('default'),
    CRASHDESK_INTAKE_LLM_API_KEY: z.string().optional(),
    /** How long to wait for the model before falling back to the built-in extractor. */
    CRASHDESK_INTAKE_LLM_TIMEOUT_MS: duration.default(10_000),
  })
  .superRefine((config, ctx) => {
    const internalTls = [config.CRASHDESK_INTERNAL_TLS_CERT, config.CRASHDESK_INTERNAL_TLS_KEY, config.CRASHDESK_INTERNAL_TLS_CA];
    if (internalTls.some(Boolean) && !internalTls.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: ['CRASHDESK_INTERNAL_TLS_CA'],
        message: "the internal port's mutual TLS needs CRASHDESK_INTERNAL_TLS_CERT, CRASHDESK_INTERNAL_TLS_KEY and CRASHDESK_INTERNAL_TLS_CA",
      });
    }
    if (Boolean(config.TLS_CERT) !== Boolean(config.TLS_KEY)) {
      ctx.addIssue({ code: 'custom', path: [config.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT'], message: 'HTTPS needs both TLS_CERT and TLS_KEY' });
    }
    if (config.CRASHDESK_KEY_PROVIDER === 'vault') {
      if (!config.VAULT_ADDR) ctx.addIssue({ code: 'custom', path: ['VAULT_ADDR'], message: 'the vault key provider needs VAULT_ADDR' });
      if (config.VAULT_AUTH_METHOD === 'token' && !config.VAULT_TOKEN) {
        ctx.addIssue({ code: 'custom', path: ['VAULT_TOKEN'], message: 'VAULT_AUTH_METHOD=token needs VAULT_TOKEN' });
      }
      if (config.VAULT_AUTH_METHOD === 'kubernetes' && !config.VAULT_KUBERNETES_ROLE) {
        ctx.addIssue({ code: 'custom', path: ['VAULT_KUBERNETES_ROLE'], message: 'VAULT_AUTH_METHOD=kubernetes needs VAULT_KUBERNETES_ROLE' });
      }
    }
    if (config.CRASHDESK_SITE === undefined) return;
    if (!config.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'single-site mode (CRASHDESK_SITE) needs DATABASE_URL' });
    }
    if (!config.CRASHDESK_BLIND_INDEX_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['CRASHDESK_BLIND_INDEX_KEY'],
        message: 'single-site mode needs CRASHDESK_BLIND_INDEX_KEY, the same at every site',
      });
    }
    if (config.CRASHDESK_KEY_PROVIDER === 'local' && !config.CRASHDESK_LOCAL_KEY_FILE) {
      ctx.addIssue({
        code: 'custom',
        path: ['CRASHDESK_LOCAL_KEY_FILE'],
        message: 'single-site mode with the local key provider needs CRASHDESK_LOCAL_KEY_FILE',
      });
    }
    const replicates = config.CRASHDESK_HQ_URL !== undefined || Object.keys(config.CRASHDESK_PEERS).length > 0;
    if (replicates && !config.CRASHDESK_REPLICATION_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['CRASHDESK_REPLICATION_SECRET'],
        message: 'replication (CRASHDESK_HQ_URL or CRASHDESK_PEERS) needs CRASHDESK_REPLICATION_SECRET',
      });
    }
    if (config.CRASHDESK_SITE_NUMBER === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['CRASHDESK_SITE_NUMBER'],
        message: 'single-site mode (CRASHDESK_SITE) needs CRASHDESK_SITE_NUMBER (0..63, unique per site)',
      });
    }
  });

/** The environment as parsed: what maintenance commands read, and the names a Deployment sets. */
export type Environment = z.infer<typeof configSchema>;
export type EnvName = keyof Environment;

/** Parses the environment and fails fast with every problem named. */
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  // An empty variable means "not set", as `FOO= npm start` and most orchestrators intend.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new Error(`invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

export type KeyProviderSettings =
  | { readonly provider: 'local'; readonly file: string }
  | {
      readonly provider: 'vault';
      readonly address: string;
      readonly transitMount: string;
      /** `{site}` is replaced by the site name. */
      readonly transitKey: string;
      readonly auth:
        | { readonly method: 'token'; readonly token: string }
        | { readonly method: 'kubernetes'; readonly role: string; readonly mount: string; readonly jwtFile: string };
    };

interface CommonConfig {
  readonly logLevel: Environment['LOG_LEVEL'];
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly tls?: { readonly certFile: string; readonly keyFile: string };
    readonly corsOrigins: readonly string[];
    readonly trustProxyHops: number;
    readonly shutdownGraceMs: number;
    /** The peer sites' port: replication's routes only, with mutual TLS when configured. */
    readonly internal: { readonly port: number; readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string } };
  };
  /** Verifies the database server's certificate and host name against this CA. */
  readonly databaseCaFile?: string;
  readonly databasePoolSize: number;
  /** Enforced on the admin account at every start when set. */
  readonly adminPassword?: string;
  readonly keys: KeyProviderSettings;
  readonly auth: { readonly tokenTtlSeconds: number; readonly tokenIdleSeconds: number; readonly loginThrottle: ThrottlePolicy };
  readonly idempotencyTtlSeconds: number;
  readonly replicationTiming: { readonly batchSize: number; readonly intervalMs: number; readonly backoffMaxMs: number };
  readonly auditSignIntervalMs: number;
  readonly intake: IntakeSettings;
  readonly cache: CacheSettings;
  readonly rateLimits: RateLimitSettings;
}

export interface CacheSettings {
  readonly redisUrl?: string;
  readonly freshMs: number;
  readonly staleMs: number;
}

/** Per minute; 0 turns that limit off. */
export interface RateLimitSettings {
  readonly accountPerMinute: number;
  readonly addressPerMinute: number;
}

/** Intake assist: the queue's pace and, when configured, the customer's language model. */
export interface IntakeSettings {
  /** The site's IANA time zone: the default call day is today there. */
  readonly timezone: string;
  readonly retentionSeconds: number;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly retryDelaySeconds: number;
  readonly attemptTimeoutMs: number;
  readonly llm?: { readonly url: string; readonly model: string; readonly apiKey?: string; readonly timeoutMs: number };
}

/** The local platform: every site in this process, on an embedded PostgreSQL in `dataDir`. */
export interface PlatformConfig extends CommonConfig {
  readonly mode: 'platform';
  readonly sites: readonly string[];
  readonly dataDir: string;
}

/** One site against its own PostgreSQL: what each pod runs. */
export interface SiteConfig extends CommonConfig {
  readonly mode: 'site';
  readonly site: string;
  readonly siteNumber: number;
  readonly databaseUrl: string;
  readonly databaseOwnerUrl?: string;
  /** A streaming replica for lists and lookups, and how far behind it may be. */
  readonly readReplica?: { readonly url: string; readonly maxLagMs: number };
  /** Development only: DATABASE_URL's role may own the schema. */
  readonly allowSingleDatabaseRole: boolean;
  readonly blindIndexKey: Buffer;
  /** Present when the site replicates (CRASHDESK_REPLICATION_SECRET is set). */
  readonly replication?: {
    readonly secret: string;
    readonly hqUrl?: string;
    readonly ownUrl?: string;
    readonly peers: Readonly<Record<string, string>>;
    readonly keyVersion: number;
    readonly peerUrlPattern?: string;
  };
}

export type Config = PlatformConfig | SiteConfig;

/** Shapes a parsed environment by mode; the schema's refinements guarantee what each mode needs. */
export function configFrom(env: Environment): Config {
  const keys: KeyProviderSettings =
    env.CRASHDESK_KEY_PROVIDER === 'local'
      ? { provider: 'local', file: env.CRASHDESK_LOCAL_KEY_FILE ?? join(env.CRASHDESK_DATA_DIR, 'master-keys.json') }
      : {
          provider: 'vault',
          address: required(env.VAULT_ADDR, 'VAULT_ADDR'),
          transitMount: env.VAULT_TRANSIT_MOUNT,
          transitKey: env.VAULT_TRANSIT_KEY,
          auth:
            env.VAULT_AUTH_METHOD === 'token'
              ? { method: 'token', token: required(env.VAULT_TOKEN, 'VAULT_TOKEN') }
              : {
                  method: 'kubernetes',
                  role: required(env.VAULT_KUBERNETES_ROLE, 'VAULT_KUBERNETES_ROLE'),
                  mount: env.VAULT_KUBERNETES_MOUNT,
                  jwtFile: env.VAULT_KUBERNETES_JWT_FILE,
                },
        };
  const common: CommonConfig = {
    logLevel: env.LOG_LEVEL,
    http: {
      host: env.HOST,
      port: env.PORT,
      ...(env.TLS_CERT && env.TLS_KEY && { tls: { certFile: env.TLS_CERT, keyFile: env.TLS_KEY } }),
      corsOrigins: env.CRASHDESK_CORS_ORIGINS,
      trustProxyHops: env.CRASHDESK_TRUST_PROXY_HOPS,
      shutdownGraceMs: env.CRASHDESK_SHUTDOWN_GRACE_MS,
      internal: {
        port: env.CRASHDESK_INTERNAL_PORT,
        ...(env.CRASHDESK_INTERNAL_TLS_CERT &&
          env.CRASHDESK_INTERNAL_TLS_KEY &&
          env.CRASHDESK_INTERNAL_TLS_CA && {
            tls: { certFile: env.CRASHDESK_INTERNAL_TLS_CERT, keyFile: env.CRASHDESK_INTERNAL_TLS_KEY, caFile: env.CRASHDESK_INTERNAL_TLS_CA },
          }),
      },
    },
    ...(env.DATABASE_CA_FILE && { databaseCaFile: env.DATABASE_CA_FILE }),
    databasePoolSize: env.DATABASE_POOL_SIZE,
    ...(env.CRASHDESK_ADMIN_PASSWORD && { adminPassword: env.CRASHDESK_ADMIN_PASSWORD }),
    keys,
    auth: {
      tokenTtlSeconds: env.CRASHDESK_TOKEN_TTL_SECONDS,
      tokenIdleSeconds: env.CRASHDESK_TOKEN_IDLE_SECONDS,
      loginThrottle: {
        usernameFreeFailures: env.CRASHDESK_LOGIN_USERNAME_FREE_FAILURES,
        usernameFreeAddresses: env.CRASHDESK_LOGIN_USERNAME_FREE_ADDRESSES,
        clientFreeFailures: env.CRASHDESK_LOGIN_CLIENT_FREE_FAILURES,
        maxBlockSeconds: env.CRASHDESK_LOGIN_MAX_BLOCK_SECONDS,
        failureWindowSeconds: env.CRASHDESK_LOGIN_FAILURE_WINDOW_SECONDS,
        trustedNetworks: env.CRASHDESK_LOGIN_TRUSTED_NETWORKS,
      },
    },
    idempotencyTtlSeconds: env.CRASHDESK_IDEMPOTENCY_TTL_SECONDS,
    cache: {
      ...(env.REDIS_URL && { redisUrl: env.REDIS_URL }),
      freshMs: env.CRASHDESK_LIST_CACHE_FRESH_MS,
      staleMs: env.CRASHDESK_LIST_CACHE_STALE_MS,
    },
    rateLimits: { accountPerMinute: env.CRASHDESK_RATE_LIMIT_ACCOUNT_PER_MINUTE, addressPerMinute: env.CRASHDESK_RATE_LIMIT_ADDRESS_PER_MINUTE },
    replicationTiming: {
      batchSize: env.CRASHDESK_REPLICATION_BATCH_SIZE,
      intervalMs: env.CRASHDESK_REPLICATION_INTERVAL_MS,
      backoffMaxMs: env.CRASHDESK_REPLICATION_BACKOFF_MAX_MS,
    },
    auditSignIntervalMs: env.CRASHDESK_AUDIT_SIGN_INTERVAL_MS,
    intake: {
      timezone: env.CRASHDESK_SITE_TIMEZONE,
      retentionSeconds: Math.round(env.CRASHDESK_INTAKE_RETENTION_DAYS * 24 * 60 * 60),
      concurrency: env.CRASHDESK_INTAKE_CONCURRENCY,
      maxAttempts: env.CRASHDESK_INTAKE_MAX_ATTEMPTS,
      retryDelaySeconds: env.CRASHDESK_INTAKE_RETRY_DELAY_SECONDS,
      attemptTimeoutMs: env.CRASHDESK_INTAKE_ATTEMPT_TIMEOUT_MS,
      ...(env.CRASHDESK_INTAKE_LLM_URL && {
        llm: {
          url: env.CRASHDESK_INTAKE_LLM_URL,
          model: env.CRASHDESK_INTAKE_LLM_MODEL,
          ...(env.CRASHDESK_INTAKE_LLM_API_KEY && { apiKey: env.CRASHDESK_INTAKE_LLM_API_KEY }),
          timeoutMs: env.CRASHDESK_INTAKE_LLM_TIMEOUT_MS,
        },
      }),
    },
  };
  if (env.CRASHDESK_SITE === undefined) return { ...common, mode: 'platform', sites: env.CRASHDESK_SITES, dataDir: env.CRASHDESK_DATA_DIR };
  return {
    ...common,
    mode: 'site',
    site: env.CRASHDESK_SITE,
    siteNumber: required(env.CRASHDESK_SITE_NUMBER, 'CRASHDESK_SITE_NUMBER'),
    databaseUrl: required(env.DATABASE_URL, 'DATABASE_URL'),
    ...(env.DATABASE_OWNER_URL && { databaseOwnerUrl: env.DATABASE_OWNER_URL }),
    ...(env.DATABASE_READ_URL && { readReplica: { url: env.DATABASE_READ_URL, maxLagMs: env.CRASHDESK_READ_REPLICA_MAX_LAG_MS } }),
    allowSingleDatabaseRole: env.CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE,
    blindIndexKey: Buffer.from(required(env.CRASHDESK_BLIND_INDEX_KEY, 'CRASHDESK_BLIND_INDEX_KEY'), 'base64'),
    ...(env.CRASHDESK_REPLICATION_SECRET && {
      replication: {
        secret: env.CRASHDESK_REPLICATION_SECRET,
        ...(env.CRASHDESK_HQ_URL && { hqUrl: env.CRASHDESK_HQ_URL }),
        ...(env.CRASHDESK_REPLICATION_URL && { ownUrl: env.CRASHDESK_REPLICATION_URL }),
        keyVersion: env.CRASHDESK_REPLICATION_KEY_VERSION,
        ...(env.CRASHDESK_PEER_URL_PATTERN && { peerUrlPattern: env.CRASHDESK_PEER_URL_PATTERN }),
        peers: env.CRASHDESK_PEERS,
      },
    }),
  };
}

/** The schema's refinements make this unreachable; it keeps the types honest without `?? ''`. */
function required<T>(value: T | undefined, name: EnvName): T {
  if (value === undefined) throw new Error(`${name} is required here (the configuration schema should have said so)`);
  return value;
}

/** Parses the environment once at start and shapes it by mode. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return configFrom(loadEnvironment(env));
}

/**
 * What every site takes from the configuration whatever the mode: token lifetimes, login
 * throttling, Idempotency-Key lifetime and the pace of replication.
 */
export function siteOptionsFrom(config: Config, site: string) {
  return {
    site,
    tokenTtlSeconds: config.auth.tokenTtlSeconds,
    tokenIdleSeconds: config.auth.tokenIdleSeconds,
    loginThrottle: config.auth.loginThrottle,
    idempotencyTtlSeconds: config.idempotencyTtlSeconds,
    intake: config.intake,
    rateLimits: config.rateLimits,
    listCache: { freshMs: config.cache.freshMs, staleMs: config.cache.staleMs },
  };
}
