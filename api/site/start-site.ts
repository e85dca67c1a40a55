import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { createCursorCodec } from '../http/cursor.js';
import { createAuditedReports } from '../accidents/audited.js';
import { composeListeners } from '../accidents/change-listeners.js';
import { createAccidentsStore } from '../accidents/store.js';
import { createHeadSigner } from '../audit/head-signer.js';
import { auditReportChanges } from '../audit/report-changes.js';
import type { AuditSigningKey } from '../audit/signed-head.js';
import { auditMetrics } from '../audit/metrics.js';
import { createAuditTrail } from '../audit/trail.js';
import { createReadRouting, primaryOnly } from '../db/read-routing.js';
import { createRateLimits, DEFAULT_RATE_LIMITS } from '../http/rate-limit.js';
import { createListCache, type ListCacheSettings } from '../cache/list-cache.js';
import type { RateLimitSettings } from '../config.js';
import type { Redis } from 'ioredis';
import { createLoginThrottle } from '../auth/login-throttle.js';
import { loginThrottleMetrics } from '../auth/metrics.js';
import { defaultThrottlePolicy, defaultTokenPolicy, type ThrottlePolicy } from '../auth/policy.js';
import { createAuthStore } from '../auth/store.js';
import { dataKeyCacheMetrics } from '../crypto/metrics.js';
import { type EncryptionSettings, startSiteEncryption } from '../crypto/site-encryption.js';
import { separateRoles } from '../db/app-role.js';
import { instrumentSql } from '../db/instrumented-sql.js';
import { databaseMetrics } from '../db/metrics.js';
import { isMigrated, latestMigrationVersion, migrate } from '../db/migrate.js';
import { idsMetrics } from '../ids/metrics.js';
import { createSiteIds } from '../ids/site-ids.js';
import { createInternalRoutes } from '../replication/internal-routes.js';
import { createPeerClient, type PeerTls } from '../replication/peer-client.js';
import { createReplication, type ReplicationSettings } from '../replication/replication.js';
import type { HttpMetrics } from '../observability/http-metrics.js';
import type { IntakeSettings } from '../config.js';
import type { Extractor } from '../intake/extractor.js';
import { createIntakeService, type IntakeService } from '../intake/intake-service.js';
import { type AdminOutcome, type AdminPassword, provisionAdmin } from './admin-account.js';
import { createSiteApp, type Readiness } from './site-app.js';
import { ensureSiteIdentity, siteSecret } from './site-identity.js';

export interface SiteOptions {
  readonly site: string;
  readonly siteNumber: number;
  readonly sql: Sql;
  /** A streaming replica of `sql`'s database for day pages, lookups and exports (api/db/read-routing.ts). */
  readonly readReplica?: { readonly sql: Sql; readonly maxLagMs: number; readonly checkIntervalMs?: number };
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  /** The absolute lifetime of a token. */
  readonly tokenTtlSeconds: number;
  /** The idle timeout of a token (default: auth/policy.ts). */
  readonly tokenIdleSeconds?: number;
  readonly loginThrottle?: ThrottlePolicy;
  readonly idempotencyTtlSeconds: number;
  /** Absent: no admin account is made (one site without CRASHDESK_ADMIN_PASSWORD). */
  readonly adminPassword?: AdminPassword;
  readonly encryption: EncryptionSettings;
  /**
   * A connection as the schema owner, for migrations and grants only; the app's own role is
   * `sql`'s, which gets only what it needs (on the audit trail: reading, and `audit_append()`).
   */
  readonly ownerSql: Sql;
  /** Development only: `sql` and `ownerSql` may log in as one role (CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE); refused otherwise. */
  readonly allowSingleDatabaseRole?: boolean;
  /** Signs the audit chain's head at start, every `intervalMs` (at most a minute) and at shutdown, with a key the database cannot reach. */
  readonly auditSigning: { readonly key: AuditSigningKey; readonly intervalMs: number };
  /** Replication with the other sites (api/replication); absent, the site keeps to itself. */
  readonly replication?: ReplicationSettings;
  /** Mutual TLS towards the peers' internal port: this site's certificate and the platform's CA. */
  readonly peerTls?: PeerTls;
  /** Intake assist's queue and extractor (config.ts); absent, the defaults with the built-in extractor. */
  readonly intake?: IntakeSettings;
  /** How long a session is served from memory (auth/session-cache.ts; default 5 s); 0 asks the database on every request. */
  readonly sessionCacheMs?: number;
  /** The city's Redis (REDIS_URL), shared by the site's replicas; without it, each process caches and limits for itself. */
  readonly redis?: Redis;
  /** How long day pages and lookups stay cached (api/cache/list-cache.ts); 0 and 0 turn the cache off. */
  readonly listCache?: ListCacheSettings;
  /** Requests per minute per account and per client address, shared through `redis` (api/http/rate-limit.ts). */
  readonly rateLimits?: RateLimitSettings;
  /** Drafts intakes instead of the extractor the settings choose: tests give a failing or a slow one. */
  readonly intakeExtractor?: Extractor;
}

export interface RunningSite {
  readonly site: string;
  readonly app: ReturnType<typeof createSiteApp>;
  /** Replication's signed routes, mounted at `/{site}/internal/replication` on the internal port only (api/internal-app.ts). */
  readonly internalRoutes: ReturnType<typeof createInternalRoutes>;
  /** What start-up did to the admin account, so a generated password is announced only when used. */
  readonly adminOutcome: AdminOutcome;
  readiness(): Promise<Readiness>;
  stop(): Promise<void>;
}

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;
const DEFAULT_LIST_CACHE: ListCacheSettings = { freshMs: 5000, staleMs: 10_000 };
// Every change chains its own entry after it commits; this is the net under a chaining that failed.
const STAGED_CHAIN_INTERVAL_MS = 1000;

/** Brings one site's database up to date and wires its stores into its app. */
export async function startSite(options: SiteOptions): Promise<RunningSite> {
  const { site, siteNumber } = options;
  const { registry } = options.metrics;
  // Every store reaches the database through this door, which measures the pool and each query.
  const sql = instrumentSql(options.sql, databaseMetrics(registry, site));
  const logger = options.logger.child({ site });
  // The schema belongs to the owner; the application's role gets only the grants it needs.
  const applied = await migrate(options.ownerSql);
  if (applied.length > 0) logger.info({ applied }, 'applied migrations');
  const roles = await separateRoles(options.ownerSql, sql, { allowSingleRole: options.allowSingleDatabaseRole ?? false });
  if (roles.kind === 'single') {
    logger.warn(
      { role: roles.role },
      'CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE=true: the api runs as the schema owner, which can disable the trigger that keeps the audit ' +
        'trail append-only; only the signed chain heads would show a rewrite. For development only.',
    );
  }
  await ensureSiteIdentity(sql, site, siteNumber);

  const auth = createAuthStore(
    sql,
    { idleSeconds: options.tokenIdleSeconds ?? defaultTokenPolicy.idleSeconds, maxSeconds: options.tokenTtlSeconds },
    options.sessionCacheMs === undefined ? {} : { sessionCacheMs: options.sessionCacheMs },
  );
  await auth.start();
  const throttle = createLoginThrottle(sql, options.loginThrottle ?? defaultThrottlePolicy, { onThrottled: loginThrottleMetrics(registry, site) });
  const audit = createAuditTrail(sql, { metrics: auditMetrics(registry, site) });
  // A failure leaves the entries staged and durable: the next change, or the periodic run, chains them.
  const chainStagedEntries = () =>
    audit.chainStaged().catch((error: unknown) => logger.warn({ err: error }, 'chaining staged audit entries failed; they will be chained later'));
  // Entries a replica staged and could not chain before it died.
  await audit.chainStaged();
  const adminOutcome = await provisionAdmin({ auth, audit, site, password: options.adminPassword });
  if (adminOutcome === 'absent') logger.warn('this site has no admin account: set CRASHDESK_ADMIN_PASSWORD (from a Secret) to create one');
  else if (adminOutcome !== 'kept') logger.info({ outcome: adminOutcome }, 'provisioned the admin account');

  const codec = await startSiteEncryption(sql, options.encryption, logger, dataKeyCacheMetrics(registry, site));
  const ids = await createSiteIds(sql, {
    siteNumber,
    metrics: idsMetrics(registry, site),
    onError: (error) => logger.warn({ err: error }, 'id worker lease'),
  });
  const signer = createHeadSigner({ sql, site, audit, logger, key: options.auditSigning.key, intervalMs: options.auditSigning.intervalMs });
  const lists = createListCache({
    ...(options.redis && { redis: options.redis }),
    sql,
    site,
    settings: options.listCache ?? DEFAULT_LIST_CACHE,
    registry,
    logger,
  });
  await lists.start();
  const replication = createReplication({
    sql,
    site,
    codec,
    audit,
    logger,
    settings: options.replication,
    registry,
    peerClient: createPeerClient(options.peerTls),
    lists,
  });
  const reads = options.readReplica
    ? createReadRouting({
        primary: sql,
        replica: options.readReplica.sql,
        maxLagMs: options.readReplica.maxLagMs,
        ...(options.readReplica.checkIntervalMs !== undefined && { checkIntervalMs: options.readReplica.checkIntervalMs }),
        logger,
        registry,
        site,
      })
    : primaryOnly(sql, { registry, site });
  await reads.start();
  const accidents = createAccidentsStore({
    sql,
    site,
    codec,
    ids,
    idempotencyTtlSeconds: options.idempotencyTtlSeconds,
    // Each listener writes inside the change's transaction; replication's outbox joins here.
    onChange: composeListeners(auditReportChanges(audit), replication.listener),
    afterCommit: () => chainStagedEntries(),
    reads,
    lists,
  });
  const cursors = createCursorCodec(await siteSecret(sql, 'cursor-key'));
  const intakes: IntakeService = createIntakeService({
    sql,
    site,
    codec,
    audit,
    logger,
    registry,
    nextId: () => ids.next(),
    ...(options.intake && { settings: options.intake }),
    ...(options.intakeExtractor && { extractor: options.intakeExtractor }),
  });

  const latestMigration = await latestMigrationVersion();
  const readiness = async (): Promise<Readiness> => {
    const migrated = await isMigrated(sql, latestMigration).catch(() => false);
    const checks = { database: migrated, migrated, ids: ids.ready() };
    return { ready: Object.values(checks).every(Boolean), checks };
  };

  const maintenance = setInterval(() => {
    Promise.all([accidents.purgeExpiredIdempotencyKeys(), auth.purgeExpiredTokens(), throttle.purgeStale()]).catch((error: unknown) =>
      logger.warn({ err: error }, 'periodic clean-up failed; it will run again'),
    );
  }, MAINTENANCE_INTERVAL_MS);
  maintenance.unref();
  const chainer = setInterval(() => void chainStagedEntries(), STAGED_CHAIN_INTERVAL_MS);
  chainer.unref();

  const app = createSiteApp({
    site,
    logger,
    metrics: options.metrics,
    auth,
    reports: createAuditedReports({ store: accidents, audit }),
    cursors,
    throttle,
    audit,
    readiness,
    replication,
    intakes: intakes.audited,
    rateLimits: createRateLimits({
      ...(options.redis && { redis: options.redis }),
      settings: options.rateLimits ?? DEFAULT_RATE_LIMITS,
      site,
      registry,
      logger,
    }),
  });
  // After the start's own entries, so that they are signed too; before replication, so that a key
  // that cannot sign stops the start before any shipper runs.
  await signer.start();
  await replication.start();
  await intakes.start();

  return {
    site,
    app,
    internalRoutes: createInternalRoutes(replication.routes),
    adminOutcome,
    readiness,
    async stop() {
      clearInterval(maintenance);
      clearInterval(chainer);
      reads.stop();
      await lists.stop();
      await intakes.stop();
      await replication.stop();
      await chainStagedEntries();
      // Shutdown goes on without the last signature (the entries stay chained, and the next start signs them).
      await signer.stop().catch((error: unknown) => logger.error({ err: error }, 'signing the audit chain head at shutdown failed'));
      await ids.stop();
      await auth.stop();
    },
  };
}
