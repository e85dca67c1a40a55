import type { Logger } from 'pino';
import { siteAuthOptions } from '../auth/policy.js';
import type { Config } from '../config.js';
import { keyProviderFor } from '../crypto/key-provider-from-config.js';
import { connectDatabase } from '../db/connect.js';
import type { HttpMetrics } from '../observability/http-metrics.js';
import { generateAdminPassword } from './admin-account.js';
import { type RunningSite, startSite } from './start-site.js';

/**
 * One site against its own PostgreSQL: the shape of a pod in Kubernetes, where each replica of a
 * city's Deployment runs this.
 */
export async function startSingleSite(config: Config, logger: Logger, metrics: HttpMetrics) {
  const site = config.CRASHDESK_SITE;
  const siteNumber = config.CRASHDESK_SITE_NUMBER;
  const url = config.DATABASE_URL;
  if (!site || siteNumber === undefined || !url) throw new Error('single-site mode needs CRASHDESK_SITE, CRASHDESK_SITE_NUMBER and DATABASE_URL');

  const sql = connectDatabase(url, { max: config.DATABASE_POOL_SIZE, applicationName: `crashdesk-${site}` });
  const ownerSql = config.DATABASE_OWNER_URL
    ? connectDatabase(config.DATABASE_OWNER_URL, { max: 1, applicationName: `crashdesk-${site}-migrate` })
    : undefined;
  if (!ownerSql) {
    logger.warn('DATABASE_OWNER_URL is not set: the api migrates as its own role and owns the schema, so only a trigger keeps the audit trail append-only');
  }
  const generated = generateAdminPassword();
  let running: RunningSite;
  try {
    running = await startSite({
      ownerSql,
      site,
      siteNumber,
      sql,
      logger,
      metrics,
      ...siteAuthOptions(config),
      idempotencyTtlSeconds: config.CRASHDESK_IDEMPOTENCY_TTL_SECONDS,
      encryption: {
        provider: await keyProviderFor(config, site, { file: config.CRASHDESK_LOCAL_KEY_FILE ?? '', create: false }, logger),
        blindIndexKey: Buffer.from(config.CRASHDESK_BLIND_INDEX_KEY ?? '', 'base64'),
      },
      ...(config.CRASHDESK_REPLICATION_SECRET && {
        replication: {
          secret: config.CRASHDESK_REPLICATION_SECRET,
          hqUrl: config.CRASHDESK_HQ_URL,
          ownUrl: config.CRASHDESK_REPLICATION_URL,
          peers: config.CRASHDESK_PEERS,
          batchSize: config.CRASHDESK_REPLICATION_BATCH_SIZE,
          intervalMs: config.CRASHDESK_REPLICATION_INTERVAL_MS,
          backoffMaxMs: config.CRASHDESK_REPLICATION_BACKOFF_MAX_MS,
        },
      }),
      adminPassword: config.CRASHDESK_ADMIN_PASSWORD
        ? { value: config.CRASHDESK_ADMIN_PASSWORD, enforce: true }
        : { value: generated, enforce: false },
    });
  } catch (error) {
    await sql.end({ timeout: 5 });
    throw error;
  } finally {
    // Only start-up needs the owner.
    await ownerSql?.end({ timeout: 5 });
  }
  return {
    sites: [running],
    // Only worth announcing when this start created the account with it.
    adminPasswordToAnnounce: running.adminOutcome === 'created' && !config.CRASHDESK_ADMIN_PASSWORD ? generated : undefined,
    async stop() {
      await running.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
