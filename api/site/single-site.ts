import type { Logger } from 'pino';
import { type SiteConfig, siteOptionsFrom } from '../config.js';
import { keyProviderFor } from '../crypto/key-provider-from-config.js';
import { connectDatabase } from '../db/connect.js';
import type { HttpMetrics } from '../observability/http-metrics.js';
import { generateAdminPassword } from './admin-account.js';
import { type RunningSite, startSite } from './start-site.js';

/**
 * One site against its own PostgreSQL: the shape of a pod in Kubernetes, where each replica of a
 * city's Deployment runs this.
 */
export async function startSingleSite(config: SiteConfig, logger: Logger, metrics: HttpMetrics) {
  const { site } = config;
  const sql = connectDatabase(config.databaseUrl, { max: config.databasePoolSize, applicationName: `crashdesk-${site}` });
  const ownerSql = config.databaseOwnerUrl ? connectDatabase(config.databaseOwnerUrl, { max: 1, applicationName: `crashdesk-${site}-migrate` }) : undefined;
  if (!ownerSql) {
    logger.warn('DATABASE_OWNER_URL is not set: the api migrates as its own role and owns the schema, so only a trigger keeps the audit trail append-only');
  }
  const generated = generateAdminPassword();
  let running: RunningSite;
  try {
    running = await startSite({
      ...siteOptionsFrom(config, site),
      ownerSql,
      siteNumber: config.siteNumber,
      sql,
      logger,
      metrics,
      encryption: {
        provider: await keyProviderFor(config.keys, site, { create: false }, logger),
        blindIndexKey: config.blindIndexKey,
      },
      ...(config.replication && { replication: { ...config.replication, ...config.replicationTiming } }),
      adminPassword: config.adminPassword ? { value: config.adminPassword, enforce: true } : { value: generated, enforce: false },
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
    adminPasswordToAnnounce: running.adminOutcome === 'created' && !config.adminPassword ? generated : undefined,
    async stop() {
      await running.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
