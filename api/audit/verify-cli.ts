// `npm run audit:verify`: checks the audit chain of one database (DATABASE_URL) or, without it, of
// every site of the local platform in CRASHDESK_DATA_DIR. Exit code 0: every chain intact;
// 1: a chain is broken; 2: verification could not run.
import type { Sql } from 'postgres';
import { type Environment, loadEnvironment } from '../config.js';
import { connectDatabase } from '../db/connect.js';
import { openSiteDatabases } from '../platform/site-databases.js';
import { type ChainVerdict, verifyAuditChain } from './verify.js';

async function verifyDatabase(sql: Sql, label: string): Promise<boolean> {
  const verdict = await verifyAuditChain(sql);
  process.stdout.write(`${label.padEnd(14)} ${describe(verdict)}\n`);
  return verdict.intact;
}

/** One database, named by the site recorded in it. */
async function verifyUrl(url: string): Promise<boolean> {
  const sql = connectDatabase(url, { max: 1, applicationName: 'crashdesk-audit-verify' });
  try {
    const [identity] = await sql<{ site: string }[]>`select site from site_identity`;
    return await verifyDatabase(sql, identity?.site ?? new URL(url).pathname.slice(1));
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function describe(verdict: ChainVerdict): string {
  if (verdict.intact) {
    const head = verdict.head ? `; newest entry ${verdict.head.seq}, hash ${verdict.head.hash}` : '';
    return `intact: ${verdict.entries} entries${head}`;
  }
  const why =
    verdict.reason === 'altered'
      ? 'its content no longer matches its hash (altered)'
      : 'it does not follow the entry before it (an entry was removed, inserted or re-chained)';
  return `BROKEN at entry ${verdict.brokenSeq}: ${why}; ${verdict.entries} entries before it are intact`;
}

/** Every site of the local platform, on its live PostgreSQL or one started for the purpose. */
async function verifyPlatform(env: Environment): Promise<boolean> {
  const databases = await openSiteDatabases({ ...env, CRASHDESK_SITE: undefined, DATABASE_URL: undefined });
  try {
    let intact = true;
    for (const { site, sql } of [...databases.sites].sort((a, b) => a.site.localeCompare(b.site))) {
      if (!(await verifyDatabase(sql, site))) intact = false;
    }
    return intact;
  } finally {
    await databases.close();
  }
}

try {
  const env = loadEnvironment();
  const intact = env.DATABASE_URL ? await verifyUrl(env.DATABASE_URL) : await verifyPlatform(env);
  process.exitCode = intact ? 0 : 1;
} catch (error) {
  const cause = error instanceof Error && error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : '';
  process.stderr.write(`audit:verify could not run: ${error instanceof Error ? error.message : String(error)}${cause}\n`);
  process.exitCode = 2;
}
