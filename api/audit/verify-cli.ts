// `npm run audit:verify`: checks the audit chain of one database (DATABASE_URL) or, without it, of
// every site of the local platform in CRASHDESK_DATA_DIR, with the key provider configured as for
// the api (it checks the signatures of the chain's heads). Exit code 0: every chain intact and
// signed; 1: a chain is broken, or has entries no signature covers for longer than the api would
// leave them; 2: verification could not run.
import type { Sql } from 'postgres';
import { configFrom, type Environment, loadEnvironment } from '../config.js';
import { keyProviderFor } from '../crypto/key-provider-from-config.js';
import { connectDatabase } from '../db/connect.js';
import { createLogger } from '../observability/logger.js';
import { openSiteDatabases } from '../platform/site-databases.js';
import type { AuditSigningKey } from './signed-head.js';
import { type ChainVerdict, verifyAuditChain } from './verify.js';

// The api signs at least every minute and at shutdown; a site that crashed leaves at most about a
// minute unsigned until its next start. Older unsigned entries mean the signer failed, or that
// signatures were removed.
const UNSIGNED_GRACE_MS = 5 * 60 * 1000;

/** The site's signing key, made only once a signature needs checking (a chain without any needs no key file). */
function lazyKey(env: Environment, site: string): Pick<AuditSigningKey, 'verifyHmac'> {
  let key: Promise<AuditSigningKey> | undefined;
  return {
    async verifyHmac(message, hmac) {
      key ??= keyProviderFor(configFrom(env).keys, site, { create: false }, createLogger('silent'));
      return (await key).verifyHmac(message, hmac);
    },
  };
}

async function verifyDatabase(sql: Sql, site: string, env: Environment): Promise<boolean> {
  const verdict = await verifyAuditChain(sql, { site, key: lazyKey(env, site) });
  const { text, passed } = describe(verdict, Date.now());
  process.stdout.write(`${site.padEnd(14)} ${text}\n`);
  return passed;
}

/** One database, named by the site recorded in it. */
async function verifyUrl(url: string, env: Environment): Promise<boolean> {
  const sql = connectDatabase(url, { max: 1, applicationName: 'crashdesk-audit-verify' });
  try {
    const [identity] = await sql<{ site: string }[]>`select site from site_identity`;
    return await verifyDatabase(sql, identity?.site ?? new URL(url).pathname.slice(1), env);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function describe(verdict: ChainVerdict, now: number): { text: string; passed: boolean } {
  if (verdict.intact) {
    const head = verdict.head ? `; newest entry ${verdict.head.seq}, hash ${verdict.head.hash}` : '';
    if (verdict.entries === 0) return { text: 'intact: 0 entries', passed: true };
    if (!verdict.signedHead) {
      const passed = !stale(verdict.unsigned, now);
      const text = `${passed ? 'intact' : 'UNSIGNED'}: ${verdict.entries} entries${head}; NO entry is signed, so only the hashes vouch for them, and the database owner can recompute those`;
      return { text, passed };
    }
    const signed = `; signed through entry ${verdict.signedHead.seq} (signature at entry ${verdict.signedHead.signatureSeq}, ${verdict.signedHead.key})`;
    if (!verdict.unsigned) return { text: `intact: ${verdict.entries} entries${head}${signed}`, passed: true };
    const unsigned = `; ${verdict.unsigned.entries} newer entries since ${verdict.unsigned.since} are not signed yet`;
    if (!stale(verdict.unsigned, now)) return { text: `intact: ${verdict.entries} entries${head}${signed}${unsigned}`, passed: true };
    return {
      text:
        `UNSIGNED: ${verdict.entries} entries intact by their hashes${head}${signed}, but ${verdict.unsigned.entries} newer entries since ` +
        `${verdict.unsigned.since} are covered by no signature (the api signs every minute: its signer failed, the site stopped ` +
        'without a clean shutdown, or signatures were removed; compare with the signatures in its log)',
      passed: false,
    };
  }
  const after = (through: string | undefined) => (through === undefined ? 'an entry up to it' : `an entry after ${through}, up to it,`);
  switch (verdict.reason) {
    case 'altered':
      return {
        text: `BROKEN at entry ${verdict.brokenSeq}: its content no longer matches its hash (altered); ${intactBefore(verdict.entries)}`,
        passed: false,
      };
    case 'unlinked':
      return {
        text: `BROKEN at entry ${verdict.brokenSeq}: it does not follow the entry before it (an entry was removed, inserted or re-chained); ${intactBefore(verdict.entries)}`,
        passed: false,
      };
    case 'rewritten':
      return {
        text:
          `BROKEN at entry ${verdict.brokenSeq}: its hash is not the one signed at entry ${verdict.signatureSeq} ` +
          `(${after(verdict.intactThrough)} was rewritten and the hashes after it recomputed)`,
        passed: false,
      };
    case 'forged':
      return {
        text: `BROKEN at entry ${verdict.brokenSeq}: it holds a signature of the chain head that the site's audit key did not make (forged or altered, or the key is not this site's)`,
        passed: false,
      };
  }
}

const intactBefore = (entries: number) => `${entries} entries before it are intact`;

const stale = (unsigned: { readonly since: string } | undefined, now: number) => unsigned !== undefined && now - Date.parse(unsigned.since) > UNSIGNED_GRACE_MS;

/** Every site of the local platform, on its live PostgreSQL or one started for the purpose. */
async function verifyPlatform(env: Environment): Promise<boolean> {
  const databases = await openSiteDatabases({ ...env, CRASHDESK_SITE: undefined, DATABASE_URL: undefined });
  try {
    let intact = true;
    for (const { site, sql } of [...databases.sites].sort((a, b) => a.site.localeCompare(b.site))) {
      if (!(await verifyDatabase(sql, site, env))) intact = false;
    }
    return intact;
  } finally {
    await databases.close();
  }
}

try {
  const env = loadEnvironment();
  const intact = env.DATABASE_URL ? await verifyUrl(env.DATABASE_URL, env) : await verifyPlatform(env);
  process.exitCode = intact ? 0 : 1;
} catch (error) {
  const cause = error instanceof Error && error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : '';
  process.stderr.write(`audit:verify could not run: ${error instanceof Error ? error.message : String(error)}${cause}\n`);
  process.exitCode = 2;
}
