import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import type { Environment } from '../config.js';
import { connectDatabase } from '../db/connect.js';
import { embeddedPostgresUrl, startEmbeddedPostgres } from './embedded-postgres.js';
import { loadPlatformState, type PlatformState, siteDatabaseName } from './platform-state.js';

export interface SiteDatabase {
  readonly site: string;
  readonly sql: Sql;
}

export interface SiteDatabases {
  readonly sites: readonly SiteDatabase[];
  /** The local platform's state, for tools that need its keys; undefined in single-site mode. */
  readonly platform: PlatformState | undefined;
  close(): Promise<void>;
}

/**
 * The databases a maintenance command works on: the one site of DATABASE_URL in single-site mode,
 * or every site of the local platform. A platform that is running is reached through its live
 * PostgreSQL (its port is in postmaster.pid); a stopped one is started for the command's duration.
 */
export async function openSiteDatabases(config: Environment): Promise<SiteDatabases> {
  if (config.CRASHDESK_SITE && config.DATABASE_URL) {
    const sql = connectDatabase(config.DATABASE_URL, { max: 2, applicationName: 'crashdesk-maintenance' });
    return { sites: [{ site: config.CRASHDESK_SITE, sql }], platform: undefined, close: () => sql.end({ timeout: 5 }) };
  }
  const dataDir = config.CRASHDESK_DATA_DIR;
  if (!existsSync(join(dataDir, 'platform.json'))) {
    throw new Error(`no local platform in ${dataDir} (run npm start once, or set CRASHDESK_SITE and DATABASE_URL)`);
  }
  const { state } = await loadPlatformState(dataDir, config.CRASHDESK_SITES);
  const pgDir = join(dataDir, 'postgres');
  let port = runningPort(pgDir);
  let stopServer = async () => undefined as void;
  if (port === undefined) {
    const server = await startEmbeddedPostgres({ dataDir: pgDir, password: state.postgresPassword });
    port = server.port;
    stopServer = () => server.stop();
  }
  const sites = Object.keys(state.siteNumbers).map((site) => ({
    site,
    sql: connectDatabase(embeddedPostgresUrl(port, state.postgresPassword, siteDatabaseName(site)), {
      max: 2,
      applicationName: 'crashdesk-maintenance',
    }),
  }));
  return {
    sites,
    platform: state,
    async close() {
      await Promise.allSettled(sites.map(({ sql }) => sql.end({ timeout: 5 })));
      await stopServer();
    },
  };
}

/** The port of a PostgreSQL server that is running on this data directory, if one is. */
function runningPort(pgDir: string): number | undefined {
  try {
    const [pid, , , port] = readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n');
    process.kill(Number(pid), 0);
    return Number(port);
  } catch {
    return undefined;
  }
}
