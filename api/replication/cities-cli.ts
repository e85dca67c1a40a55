// `npm run replication:cities -- list | revoke <city> | reinstate <city> | rotate <city> [--grace-hours N]`:
// HQ's registry of the cities that replicate with it (./registry.ts), run against HQ's database
// (DATABASE_URL in single-site mode, or the local platform's hq). Each change is on HQ's audit trail.
// `rotate` prints the city's new key: give it to the city (CRASHDESK_REPLICATION_SECRET and
// CRASHDESK_REPLICATION_KEY_VERSION) before the grace ends; until then the old key works too.
import { createAuditTrail } from '../audit/trail.js';
import { loadEnvironment } from '../config.js';
import { openSiteDatabases } from '../platform/site-databases.js';
import { HQ } from './outbox.js';
import { listCities, reinstateCity, revokeCity, rotateCityKey } from './registry.js';
import { deriveCityKey } from './signing.js';

const USAGE = 'usage: npm run replication:cities -- list | revoke <city> | reinstate <city> | rotate <city> [--grace-hours N]';

async function main(): Promise<number> {
  const [command, city, ...rest] = process.argv.slice(2);
  const env = loadEnvironment();
  const databases = await openSiteDatabases(env);
  try {
    const hq = databases.sites.find((site) => site.site === HQ);
    if (!hq) throw new Error("these commands run against hq: set DATABASE_URL to hq's database, with CRASHDESK_SITE=hq");
    const { sql } = hq;
    const audit = createAuditTrail(sql);
    const record = (action: string, details: Record<string, unknown>) =>
      audit.record({ actor: 'cli:replication', action, resource: `replication/${city}`, outcome: 'success', details });
    if (command === 'list') {
      for (const entry of await listCities(sql)) {
        const grace = entry.previousKeyUntil ? `, key ${entry.previousKeyVersion} until ${entry.previousKeyUntil.toISOString()}` : '';
        process.stdout.write(
          `${entry.site.padEnd(20)} ${entry.status.padEnd(8)} key ${entry.keyVersion}${grace}, signs with ${entry.presentedKeyVersion}  ${entry.url ?? '(address from configuration)'}\n`,
        );
      }
      return 0;
    }
    if (!city || !/^[a-z][a-z0-9-]{0,30}$/.test(city)) throw new Error(USAGE);
    if (command === 'revoke' || command === 'reinstate') {
      const changed = command === 'revoke' ? await revokeCity(sql, city) : await reinstateCity(sql, city);
      if (!changed) throw new Error(`${city} is not a ${command === 'revoke' ? 'registered, active' : 'revoked'} city`);
      await record(`replication.${command}`, {});
      process.stdout.write(`${city}: ${command === 'revoke' ? 'revoked: hq refuses its requests and ships it nothing' : 'active again'}\n`);
      return 0;
    }
    if (command === 'rotate') {
      const secret = env.CRASHDESK_REPLICATION_SECRET ?? databases.platform?.replicationSecret;
      if (!secret) throw new Error("rotate derives the city's new key: set CRASHDESK_REPLICATION_SECRET to hq's replication secret");
      const graceHours = rest[0] === '--grace-hours' ? Number(rest[1]) : 24;
      if (!Number.isFinite(graceHours) || graceHours < 0 || graceHours > 24 * 30) throw new Error('--grace-hours is a number of hours from 0 to 720');
      const version = await rotateCityKey(sql, city, graceHours * 3600 * 1000);
      if (version === undefined) throw new Error(`${city} is not a registered city`);
      await record('replication.rotate', { keyVersion: version, graceHours });
      process.stdout.write(
        `${city}: key version ${version}; the previous key works for ${graceHours} more hours.\n` +
          `Set at ${city}: CRASHDESK_REPLICATION_KEY_VERSION=${version} CRASHDESK_REPLICATION_SECRET=${deriveCityKey(secret, city, version)}\n`,
      );
      return 0;
    }
    throw new Error(USAGE);
  } finally {
    await databases.close();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`replication:cities failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
