import type { Logger } from 'pino';
import { type SiteConfig, siteOptionsFrom } from '../config.js';
import type { PeerTls } from '../replication/peer-client.js';
import { keyProviderFor } from '../crypto/key-provider-from-config.js';
import { connectRedis } from '../cache/redis-client.js';
import { connectDatabase } from '../db/connect.js';
import type { HttpMetrics } from '../observability/http-metrics.js';
import { type RunningSite, startSite } from './start-site.js';

/**
 * One site against its own PostgreSQL: the shape of a pod in Kubernetes, where each replica of a
 * city's Deployment runs this.
 */
export async function startSingleSite(config: SiteConfig, logger: Logger, metrics: HttpMetrics, peerTls?: PeerTls) {
  const { site } = config;
  if (!config.databaseOwnerUrl && !config.allowSingleDatabaseRole) {
    throw new Error(
      'DATABASE_OWNER_URL is not set: the api would own the schema and could rewrite the audit trail. Give DATABASE_OWNER_URL ' +
        'the schema owner and DATABASE_URL a role of its own, or set CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE=true for development only.',
    );
  }
  const tls = config.databaseCaFile ? { caFile: config.databaseCaFile } : {};
  const sql = connectDatabase(config.databaseUrl, { max: config.databasePoolSize, applicationName: `crashdesk-${site}`, ...tls });
  const readSql =
    config.readReplica && connectDatabase(config.readReplica.url, { max: config.databasePoolSize, applicationName: `crashdesk-${site}-read`, ...tls });
  // Only start-up needs the owner; with one role allowed, that is DATABASE_URL's.
  const ownerSql = connectDatabase(config.databaseOwnerUrl ?? config.databaseUrl, { max: 1, applicationName: `crashdesk-${site}-migrate`, ...tls });
  const redis = config.cache.redisUrl ? connectRedis(config.cache.redisUrl, logger) : undefined;
  let running: RunningSite;
  try {
    const keys = await keyProviderFor(config.keys, site, { create: false, registry: metrics.registry }, logger);
    running = await startSite({
      ...siteOptionsFrom(config, site),
      ownerSql,
      allowSingleDatabaseRole: config.allowSingleDatabaseRole,
      auditSigning: { key: keys, intervalMs: config.auditSignIntervalMs },
      siteNumber: config.siteNumber,
      sql,
      ...(redis && { redis }),
      ...(readSql && config.readReplica && { readReplica: { sql: readSql, maxLagMs: config.readReplica.maxLagMs } }),
      logger,
      metrics,
      encryption: {
        provider: keys,
        blindIndexKey: config.blindIndexKey,
      },
      ...(config.replication && { replication: { ...config.replication, ...config.replicationTiming } }),
      ...(peerTls && { peerTls }),
      // Never a generated one: it would have to be printed into the pod's log to be of any use.
      ...(config.adminPassword && { adminPassword: { value: config.adminPassword, enforce: true } }),
    });
  } catch (error) {
    await Promise.all([sql.end({ timeout: 5 }), readSql?.end({ timeout: 5 })]);
    redis?.disconnect();
    throw error;
  } finally {
    await ownerSql.end({ timeout: 5 });
  }
  return {
    sites: [running],
    // Only the local platform announces a password (one it generated and keeps in its data directory).
    adminPasswordToAnnounce: undefined,
    async stop() {
      await running.stop();
      await Promise.all([sql.end({ timeout: 5 }), readSql?.end({ timeout: 5 })]);
      redis?.disconnect();
    },
  };
}
