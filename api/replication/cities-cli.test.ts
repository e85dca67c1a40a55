import { runScript } from '../../test/support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createAuditTrail } from '../audit/trail.js';
import { createPlainFieldCodec } from '../crypto/field-codec.js';
import { createLogger } from '../observability/logger.js';
import { createHqReplication } from './hq-replication.js';
import { configureCity, readCity, registerCity } from './registry.js';
import type { Replication } from './replication.js';
import { deriveCityKey } from './signing.js';

const SECRET = 'hq-replication-secret-for-the-cli-test-0123456789';
const LEEDS_URL = 'https://leeds.internal:8443';

/** Runs `npm run replication:cities`'s script against HQ's database of `db`. */
const runCities = (db: TestDatabase, ...args: string[]) =>
  runScript('api/replication/cities-cli.ts', args, {
    CRASHDESK_SITE: 'hq',
    CRASHDESK_SITE_NUMBER: '0',
    DATABASE_URL: db.url,
    CRASHDESK_BLIND_INDEX_KEY: Buffer.alloc(32, 7).toString('base64'),
    // Named because single-site mode requires it; these commands never read it.
    CRASHDESK_LOCAL_KEY_FILE: '/nonexistent/keys.json',
    CRASHDESK_REPLICATION_SECRET: SECRET,
  });

describe('npm run replication:cities', () => {
  let db: TestDatabase;
  let hq: Replication;
  // What HQ's internal routes ask before reading a request's body: undefined means refused (401).
  const keyFor = (city: string, keyVersion: number) => hq.routes.keyFor(city, keyVersion, 'batch');
  const auditEntries = (action: string) =>
    db.sql<{ actor: string; resource: string; outcome: string; details: Record<string, unknown> }[]>`
      select actor, resource, outcome, details from audit_log where action = ${action} order by seq`;

  beforeAll(async () => {
    db = await createTestDatabase();
    await registerCity(db.sql, 'leeds', LEEDS_URL, () => true);
    await configureCity(db.sql, 'york', undefined);
    hq = createHqReplication({
      sql: db.sql,
      site: 'hq',
      codec: createPlainFieldCodec(),
      audit: createAuditTrail(db.sql),
      logger: createLogger('silent'),
      settings: { secret: SECRET, batchSize: 100, intervalMs: 60_000, backoffMaxMs: 60_000 },
    });
  });
  afterAll(async () => {
    await hq?.stop();
    await db?.drop();
  });

  it('lists every registered city with its state, key version and address', async () => {
    const result = await runCities(db, 'list');
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^leeds\\s+active\\s+key 1, signs with 1  ${LEEDS_URL}$`)),
      expect.stringMatching(/^york\s+active\s+key 1, signs with 1 {2}\(address from configuration\)$/),
      '',
    ]);
    expect(result.code).toBe(0);
  });

  it('revokes a city: the registry marks it revoked, hq refuses its requests at once, other cities go on, and the revocation is audited', async () => {
    expect(await keyFor('leeds', 1)).toBe(deriveCityKey(SECRET, 'leeds', 1));

    const result = await runCities(db, 'revoke', 'leeds');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('leeds: revoked: hq refuses its requests and ships it nothing\n');
    expect(result.code).toBe(0);

    expect(await readCity(db.sql, 'leeds')).toMatchObject({ status: 'revoked', keyVersion: 1 });
    expect(await keyFor('leeds', 1)).toBeUndefined();
    expect(await hq.routes.keyFor('leeds', 1, 'register')).toBeUndefined();
    expect(await keyFor('york', 1)).toBe(deriveCityKey(SECRET, 'york', 1));
    expect(await auditEntries('replication.revoke')).toEqual([{ actor: 'cli:replication', resource: 'replication/leeds', outcome: 'success', details: {} }]);
    expect((await runCities(db, 'list')).stdout).toMatch(/^leeds\s+revoked\s+key 1,/);
  });

  it('reinstates a revoked city: active again, its key accepted, and the reinstatement audited', async () => {
    const result = await runCities(db, 'reinstate', 'leeds');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('leeds: active again\n');
    expect(result.code).toBe(0);

    expect(await readCity(db.sql, 'leeds')).toMatchObject({ status: 'active', keyVersion: 1 });
    expect(await keyFor('leeds', 1)).toBe(deriveCityKey(SECRET, 'leeds', 1));
    expect(await auditEntries('replication.reinstate')).toEqual([{ actor: 'cli:replication', resource: 'replication/leeds', outcome: 'success', details: {} }]);
  });

  it("rotates a city's key: the new version is accepted, the old one too until the grace ends, and the rotation is audited", async () => {
    const before = Date.now();
    const result = await runCities(db, 'rotate', 'leeds', '--grace-hours', '2');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      'leeds: key version 2; the previous key works for 2 more hours.\n' +
        `Set at leeds: CRASHDESK_REPLICATION_KEY_VERSION=2 CRASHDESK_REPLICATION_SECRET=${deriveCityKey(SECRET, 'leeds', 2)}\n`,
    );
    expect(result.code).toBe(0);

    const entry = (await readCity(db.sql, 'leeds'))!;
    expect(entry).toMatchObject({ status: 'active', keyVersion: 2, previousKeyVersion: 1 });
    const graceEnds = entry.previousKeyUntil!.getTime() - before;
    expect(graceEnds).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(graceEnds).toBeLessThan(2 * 3600_000 + 60_000);

    expect(await keyFor('leeds', 1)).toBe(deriveCityKey(SECRET, 'leeds', 1));
    expect(await keyFor('leeds', 2)).toBe(deriveCityKey(SECRET, 'leeds', 2));
    expect(await keyFor('leeds', 3)).toBeUndefined();
    expect(await auditEntries('replication.rotate')).toEqual([
      { actor: 'cli:replication', resource: 'replication/leeds', outcome: 'success', details: { keyVersion: 2, graceHours: 2 } },
    ]);
    // The city signed with its new key last (just above): hq signs to it with that one.
    expect((await runCities(db, 'list')).stdout).toContain(
      `leeds${' '.repeat(15)} active   key 2, key 1 until ${entry.previousKeyUntil!.toISOString()}, signs with 2  ${LEEDS_URL}\n`,
    );
  });

  it('with no grace, refuses the old key as soon as the rotation is done', async () => {
    const result = await runCities(db, 'rotate', 'york', '--grace-hours', '0');
    expect(result.stdout).toContain('york: key version 2; the previous key works for 0 more hours.');
    expect(result.code).toBe(0);

    expect(await keyFor('york', 1)).toBeUndefined();
    expect(await keyFor('york', 2)).toBe(deriveCityKey(SECRET, 'york', 2));
  });

  it('names an unknown city or subcommand on stderr, without a stack trace, exits non-zero and changes nothing', async () => {
    const [{ count: entriesBefore }] = await db.sql<[{ count: number }]>`select count(*)::int as count from audit_log`;
    const cases = [
      { args: ['revoke', 'nowhere'], message: 'nowhere is not a registered, active city' },
      { args: ['reinstate', 'nowhere'], message: 'nowhere is not a revoked city' },
      { args: ['rotate', 'nowhere'], message: 'nowhere is not a registered city' },
      { args: ['reinstate', 'leeds'], message: 'leeds is not a revoked city' },
      {
        args: ['repoint', 'leeds'],
        message: 'usage: npm run replication:cities -- list | revoke <city> | reinstate <city> | rotate <city> [--grace-hours N]',
      },
    ];
    const results = await Promise.all(cases.map(({ args }) => runCities(db, ...args)));
    for (const [i, { args, message }] of cases.entries()) {
      expect({ args, ...results[i] }).toEqual({ args, code: 2, stdout: '', stderr: `replication:cities failed: ${message}\n` });
    }

    const [{ count: entriesAfter }] = await db.sql<[{ count: number }]>`select count(*)::int as count from audit_log`;
    expect(entriesAfter).toBe(entriesBefore);
    expect(await readCity(db.sql, 'nowhere')).toBeUndefined();
    expect(await readCity(db.sql, 'leeds')).toMatchObject({ status: 'active', keyVersion: 2 });
  });
});
