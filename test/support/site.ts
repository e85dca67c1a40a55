import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import postgres from 'postgres';
import { Registry } from 'prom-client';
import { createApp } from '../../api/app.js';
import { connectRedis } from '../../api/cache/redis-client.js';
import type { Role } from '../../api/auth/roles.js';
import { createLocalKeyProvider } from '../../api/crypto/local-key-provider.js';
import type { EncryptionSettings } from '../../api/crypto/site-encryption.js';
import { createHttpMetrics } from '../../api/observability/http-metrics.js';
import { createLogger } from '../../api/observability/logger.js';
import type { PeerTls } from '../../api/replication/peer-client.js';
import type { ReplicationSettings } from '../../api/replication/replication.js';
import { type SiteOptions, startSite } from '../../api/site/start-site.js';
import { createTestDatabase } from './database.js';

export const ADMIN_PASSWORD = 'test-admin-password-1';
export const USER_PASSWORD = 'Correct-Horse-Battery-9';
/** Every site shares one blind-index key, as in production. */
export const TEST_BLIND_INDEX_KEY = Buffer.alloc(32, 7);

export interface JsonResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/**
 * One real site (its own migrated database on the run's PostgreSQL, the real app) driven in-process
 * through `app.request`, with helpers for the requests tests make again and again.
 */
export interface TestSiteOptions {
  readonly site?: string;
  readonly siteNumber?: number;
  readonly encryption?: EncryptionSettings;
  /** Token lifetimes and login throttling, for tests that need them short. */
  readonly auth?: Partial<Pick<SiteOptions, 'tokenTtlSeconds' | 'tokenIdleSeconds' | 'loginThrottle'>>;
  readonly corsOrigins?: readonly string[];
  /** Where the site logs (silent by default). */
  readonly logger?: Logger;
  /** Replication with other test sites (api/replication); none by default. */
  readonly replication?: ReplicationSettings;
  /** Mutual TLS towards the peers' internal port (api/replication/peer-client.ts). */
  readonly peerTls?: PeerTls;
  /** How often the audit chain head is signed (default: a minute, as in production). */
  readonly auditSignIntervalMs?: number;
  /** Intake assist's queue settings and, for tests of failure, an extractor of their own. */
  readonly intake?: SiteOptions['intake'];
  readonly intakeExtractor?: SiteOptions['intakeExtractor'];
  /** 0 for tests that change sessions in the database behind the site's back (as only time, or an owner by hand, would). */
  readonly sessionCacheMs?: number;
  /** The site's Redis (a test's own redis-server); without it, the in-process tier. */
  readonly redisUrl?: string;
  readonly listCache?: SiteOptions['listCache'];
  readonly rateLimits?: SiteOptions['rateLimits'];
  /** A server of the test's own (its superuser's URL of a database) instead of the run's. */
  readonly server?: (database: string) => string;
  /** Lists and lookups from a streaming replica of `server`: the replica's URL for the site's own. */
  readonly readReplica?: { readonly urlOf: (url: string) => string; readonly maxLagMs: number; readonly checkIntervalMs?: number };
}

export async function createTestSite(options: TestSiteOptions = {}) {
  const site = options.site ?? 'london';
  const db = await createTestDatabase({ migrated: false, ...(options.server && { server: options.server }) });
  // The site runs as its own role; the owner (`db.sql`, also the tests' view) migrates and grants.
  const appSql = postgres(db.appUrl, { max: 10, onnotice: () => undefined });
  const readSql = options.readReplica && postgres(options.readReplica.urlOf(db.appUrl), { max: 10, onnotice: () => undefined });
  const keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-keys-'));
  const localKeyFile = join(keyDir, 'master-keys.json');
  const localKeys = await createLocalKeyProvider(localKeyFile, { create: true });
  const encryption = options.encryption ?? { provider: localKeys, blindIndexKey: TEST_BLIND_INDEX_KEY };
  // The site's key provider signs, as in production; without field encryption, the local one.
  const auditSigning = { key: encryption === 'off' ? localKeys : encryption.provider, intervalMs: options.auditSignIntervalMs ?? 60_000 };
  const logger = options.logger ?? createLogger('silent');
  const registry = new Registry();
  const redis = options.redisUrl ? connectRedis(options.redisUrl, logger) : undefined;
  const siteOptions = {
    site,
    siteNumber: options.siteNumber ?? 1,
    sql: appSql,
    ...(readSql &&
      options.readReplica && {
        readReplica: {
          sql: readSql,
          maxLagMs: options.readReplica.maxLagMs,
          ...(options.readReplica.checkIntervalMs !== undefined && { checkIntervalMs: options.readReplica.checkIntervalMs }),
        },
      }),
    ownerSql: db.sql,
    auditSigning,
    logger,
    metrics: createHttpMetrics(registry),
    tokenTtlSeconds: 3600,
    ...options.auth,
    idempotencyTtlSeconds: 3600,
    adminPassword: { value: ADMIN_PASSWORD, enforce: true },
    encryption,
    ...(options.replication && { replication: options.replication }),
    ...(options.peerTls && { peerTls: options.peerTls }),
    ...(options.intake && { intake: options.intake }),
    ...(options.intakeExtractor && { intakeExtractor: options.intakeExtractor }),
    ...(options.sessionCacheMs !== undefined && { sessionCacheMs: options.sessionCacheMs }),
    ...(redis && { redis }),
    ...(options.listCache && { listCache: options.listCache }),
    ...(options.rateLimits && { rateLimits: options.rateLimits }),
  };
  const running = await startSite(siteOptions);
  const app = createApp({ sites: [running], registry, logger, corsOrigins: options.corsOrigins });

  async function call<T = any>(
    method: string,
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await app.request(`/${site}${path}`, { method, headers, body });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, body: type.includes('json') && text ? JSON.parse(text) : text };
  }

  async function login(username: string, password: string): Promise<string> {
    const response = await call('POST', '/v1/auth/login', { body: { username, password } });
    if (response.status !== 200) throw new Error(`login as ${username} failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.token as string;
  }

  const tokens = new Map<string, Promise<string>>();
  /** A signed-in account with the role (created once per site and name). */
  function tokenFor(role: Role, name: string = role): Promise<string> {
    const key = `${role}/${name}`;
    if (!tokens.has(key)) {
      tokens.set(
        key,
        (async () => {
          const admin = await login('admin', ADMIN_PASSWORD);
          if (role === 'admin' && name === 'admin') return admin;
          const password = USER_PASSWORD;
          const created = await call('POST', '/v1/users', { token: admin, body: { username: name, password, role } });
          if (created.status !== 201) throw new Error(`creating ${name} failed: ${created.status}`);
          return login(name, password);
        })(),
      );
    }
    return tokens.get(key)!;
  }

  /** Another process of the same site on the same database, e.g. restarted with other keys. */
  async function startAnother(with_: Partial<Pick<SiteOptions, 'encryption' | 'intake' | 'intakeExtractor' | 'sessionCacheMs' | 'redis'>> = {}) {
    const other = await startSite({ ...siteOptions, ...with_ });
    const otherApp = createApp({ sites: [other], registry: new Registry(), logger });
    return { running: other, app: otherApp };
  }

  let stopping: Promise<void> | undefined;
  /** Stops the site as a shutdown does, keeping its database. */
  const shutdown = () => (stopping ??= running.stop());

  return {
    site,
    sql: db.sql,
    /** The database owner's URL, for tools run against the site's database (`npm run audit:verify`). */
    ownerUrl: db.url,
    /** The local master key file of the default key provider (unused when `encryption` is given). */
    localKeyFile,
    /** The site's metrics, as `/metrics` serves them. */
    registry,
    /** The key that signs the site's audit chain head, for verifying it. */
    auditKey: auditSigning.key,
    app,
    running,
    startAnother,
    call,
    login,
    tokenFor,
    shutdown,
    async stop() {
      await shutdown();
      await appSql.end({ timeout: 5 });
      await readSql?.end({ timeout: 5 });
      redis?.disconnect();
      await db.drop();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}

export type TestSite = Awaited<ReturnType<typeof createTestSite>>;

let counter = 0;
/** A valid new-report body; `overrides` replace fields. */
export function newReport(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    callReason: 'Report a car accident',
    cause: 'Hit a pothole and struck another car',
    drivers: ['Sarah Standl', 'John Radley'],
    policyNumber: `POL-${100000 + counter}`,
    accidentDate: '2026-11-20',
    location: 'M23, near junction 10',
    damages: ['headlight broken', 'airbag deployed'],
    summary: 'Both drivers unhurt.',
    ...overrides,
  };
}
