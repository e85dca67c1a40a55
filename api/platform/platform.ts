import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { connectRedis } from '../cache/redis-client.js';
import { type PlatformConfig, siteOptionsFrom } from '../config.js';
import type { PeerTls } from '../replication/peer-client.js';
import { keyProviderFor } from '../crypto/key-provider-from-config.js';
import { connectDatabase } from '../db/connect.js';
import type { HttpMetrics } from '../observability/http-metrics.js';
import { HQ } from '../replication/outbox.js';
import { deriveCityKey } from '../replication/signing.js';
import { type RunningSite, startSite } from '../site/start-site.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { loadPlatformState, siteDatabaseName } from './platform-state.js';

export interface Platform {
  readonly sites: readonly RunningSite[];
  readonly adminPasswordToAnnounce: string | undefined;
  /** Called once the internal port listens: the sites replicate to each other over loopback at `internalBaseUrl`. */
  listening(internalBaseUrl: string): void;
  stop(): Promise<void>;
}

/** The embedded default: one PostgreSQL server with a database per site, every site in this process. */
export async function startPlatform(config: PlatformConfig, logger: Logger, metrics: HttpMetrics, peerTls?: PeerTls): Promise<Platform> {
  const { dataDir } = config;
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o755); // the database server may run as another user; secrets inside stay 0600
  const { state, generatedAdminPassword } = await loadPlatformState(dataDir, config.sites);

  const postgres = await startEmbeddedPostgres({
    dataDir: join(dataDir, 'postgres'),
    password: state.postgresPassword,
    onLog: (line) => logger.debug({ component: 'postgres' }, line.trim()),
  });
  logger.info({ port: postgres.port, dataDir }, 'embedded PostgreSQL is up');

  const adminPassword = config.adminPassword ? { value: config.adminPassword, enforce: true } : { value: state.adminPassword, enforce: false };
  // The sites run as a role of their own; the superuser only migrates and grants.
  const appUrl = await postgres.ensureLoginRole('crashdesk_app', state.appPassword);
  // Every site replicates through this process's own HTTP server, whose address exists only after
  // serve(): shippers wait (without counting failures) until `listening` gives it.
  let loopbackUrl: string | undefined;
  const connections: Sql[] = [];
  const sites: RunningSite[] = [];
  // One Redis for every site of the platform when given (keys are per site); else each caches in this process.
  const redis = config.cache.redisUrl ? connectRedis(config.cache.redisUrl, logger) : undefined;
  try {
    for (const site of config.sites) {
      const database = siteDatabaseName(site);
      await postgres.ensureDatabase(database);
      const sql = connectDatabase(appUrl(database), { max: config.databasePoolSize, applicationName: `crashdesk-${site}` });
      connections.push(sql);
      const ownerSql = connectDatabase(postgres.url(database), { max: 1, applicationName: `crashdesk-${site}-migrate` });
      connections.push(ownerSql);
      const keys = await keyProviderFor(config.keys, site, { create: true, registry: metrics.registry }, logger);
      sites.push(
        await startSite({
          ...siteOptionsFrom(config, site),
          ownerSql,
          auditSigning: { key: keys, intervalMs: config.auditSignIntervalMs },
          siteNumber: state.siteNumbers[site] ?? 0,
          sql,
          ...(redis && { redis }),
          logger,
          metrics,
          adminPassword,
          ...(peerTls && { peerTls }),
          replication: {
            secret: site === HQ ? state.replicationSecret : deriveCityKey(state.replicationSecret, site),
            loopbackUrl: () => loopbackUrl,
            peers: Object.fromEntries(config.sites.filter((peer) => peer !== HQ).map((peer) => [peer, undefined])),
            ...config.replicationTiming,
          },
          encryption: {
            provider: keys,
            blindIndexKey: Buffer.from(state.blindIndexKey, 'base64'),
          },
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled(sites.map((site) => site.stop()));
    await Promise.allSettled(connections.map((sql) => sql.end({ timeout: 5 })));
    redis?.disconnect();
    await postgres.stop();
    throw error;
  }

  return {
    sites,
    adminPasswordToAnnounce: generatedAdminPassword && !config.adminPassword ? state.adminPassword : undefined,
    listening(internalBaseUrl) {
      loopbackUrl = internalBaseUrl;
    },
    async stop() {
      await Promise.allSettled(sites.map((site) => site.stop()));
      await Promise.allSettled(connections.map((sql) => sql.end({ timeout: 5 })));
      redis?.disconnect();
      await postgres.stop();
    },
  };
}
