import { runScript } from '../../test/support/cli.js';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createTestSite, newReport } from '../../test/support/site.js';
import { UTC_MICROS } from '../db/timestamps.js';
import { startEmbeddedPostgres } from '../platform/embedded-postgres.js';
import { loadPlatformState, siteDatabaseName } from '../platform/platform-state.js';
import { migrate } from '../db/migrate.js';
import { ensureSiteIdentity } from '../site/site-identity.js';
import { type ChainedFields, entryHash } from './chain.js';
import { createAuditTrail } from './trail.js';

/** Runs `npm run audit:verify`'s script with only the given settings. */
const runVerify = (env: Record<string, string>) => runScript('api/audit/verify-cli.ts', [], env);

const entry = { actor: 'agent1', action: 'report.read', resource: '1', outcome: 'success' } as const;

describe('npm run audit:verify', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await ensureSiteIdentity(db.sql, 'leeds', 9);
    const audit = createAuditTrail(db.sql);
    for (let i = 0; i < 5; i++) await audit.record({ ...entry, resource: String(i) });
  });
  afterAll(() => db?.drop());

  it("exits 0 for an intact chain, and 1 naming the entry once a row is altered behind the application's back", async () => {
    const intact = await runVerify({ DATABASE_URL: db.url });
    expect(intact.stderr).toBe('');
    expect(intact.stdout).toMatch(/^leeds\s+intact: 5 entries; newest entry \d+, hash [0-9a-f]{64}; NO entry is signed/);
    expect(intact.code).toBe(0);

    const [victim] = await db.sql`select seq::text as seq from audit_log order by audit_log.seq limit 1 offset 2`;
    await db.sql`alter table audit_log disable trigger audit_log_append_only`;
    await db.sql`update audit_log set outcome = 'failure' where seq = ${victim!.seq}`;
    await db.sql`alter table audit_log enable always trigger audit_log_append_only`;

    const broken = await runVerify({ DATABASE_URL: db.url });
    expect(broken.stdout).toContain(`BROKEN at entry ${victim!.seq}: its content no longer matches its hash (altered)`);
    expect(broken.code).toBe(1);
  });

  it('catches an owner who rewrites an entry and recomputes every hash after it, naming the first entry whose signed hash no longer matches', async () => {
    const site = await createTestSite({ auditSignIntervalMs: 200 });
    try {
      const agent = await site.tokenFor('agent');
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport() });
      const untilSigned = async () => {
        for (let signed = false; !signed; await new Promise((resolve) => setTimeout(resolve, 50))) {
          const [newest] = await site.sql`select action from audit_log order by seq desc limit 1`;
          signed = newest?.action === 'audit.head_signed';
        }
      };
      // Signed up to here before the reads: the rewrite of a read lies after a signature that holds.
      await untilSigned();
      for (let i = 0; i < 3; i++) await site.call('GET', `/v1/accidents/${created.body.id}`, { token: agent });
      // And signed again after them, so a signature covers the rewritten read (on a loaded machine
      // the site could otherwise stop before its signer's next turn, leaving the reads unsigned).
      await untilSigned();
      await site.shutdown();

      // The owner (no superuser) takes the trigger out of the way, makes the first read look like a
      // failure, and re-chains every entry after it so that each hash matches its content again.
      const [victim] = await site.sql<{ seq: string }[]>`
        select seq::text as seq from audit_log where action = 'report.read' order by audit_log.seq limit 1`;
      await site.sql.begin(async (tx) => {
        await tx`alter table audit_log disable trigger audit_log_append_only`;
        await tx`update audit_log set outcome = 'failure' where seq = ${victim!.seq}`;
        const rows = await tx<(ChainedFields & { prevHash: Buffer })[]>`
          select seq::text as seq, to_char(at at time zone 'UTC', ${UTC_MICROS}) as at, actor, action, resource, outcome,
                 request_id as "requestId", client_address as "clientAddress", details, prev_hash as "prevHash"
          from audit_log where seq >= ${victim!.seq} order by audit_log.seq`;
        let prev = rows[0]!.prevHash;
        for (const row of rows) {
          const hash = entryHash(prev, row);
          await tx`update audit_log set prev_hash = ${prev}, hash = ${hash} where seq = ${row.seq}`;
          prev = hash;
        }
        await tx`alter table audit_log enable always trigger audit_log_append_only`;
      });

      const result = await runVerify({ DATABASE_URL: site.ownerUrl, CRASHDESK_LOCAL_KEY_FILE: site.localKeyFile });
      expect(result.code).toBe(1);
      // The first signature made after the rewritten entry signed a head whose hash the rewrite changed.
      const signatures = await site.sql<{ seq: string; signed: string }[]>`
        select seq::text as seq, details->>'seq' as signed from audit_log where action = 'audit.head_signed' order by audit_log.seq`;
      const firstBroken = signatures.find((signature) => BigInt(signature.signed) >= BigInt(victim!.seq))!;
      const lastIntact = signatures.findLast((signature) => BigInt(signature.signed) < BigInt(victim!.seq))!;
      expect(result.stdout).toContain(
        `BROKEN at entry ${firstBroken.signed}: its hash is not the one signed at entry ${firstBroken.seq} (an entry after ${lastIntact.signed}`,
      );
    } finally {
      await site.stop();
    }
  });

  it('exits 1 when entries older than five minutes are covered by no signature, as after the owner removed the signatures', async () => {
    const unsigned = await createTestDatabase();
    try {
      await ensureSiteIdentity(unsigned.sql, 'york', 10);
      const audit = createAuditTrail(unsigned.sql);
      for (let i = 0; i < 3; i++) await audit.record({ ...entry, resource: String(i) });
      const fresh = await runVerify({ DATABASE_URL: unsigned.url });
      expect(fresh.stdout).toContain('NO entry is signed');
      expect(fresh.code).toBe(0);

      // An hour older, re-chained so that every hash matches: only the missing signatures tell.
      await unsigned.sql.begin(async (tx) => {
        await tx`alter table audit_log disable trigger audit_log_append_only`;
        await tx`update audit_log set at = at - interval '1 hour'`;
        const rows = await tx<ChainedFields[]>`
          select seq::text as seq, to_char(at at time zone 'UTC', ${UTC_MICROS}) as at, actor, action, resource, outcome,
                 request_id as "requestId", client_address as "clientAddress", details
          from audit_log order by audit_log.seq`;
        let prev: Buffer = Buffer.alloc(32);
        for (const row of rows) {
          const hash = entryHash(prev, row);
          await tx`update audit_log set prev_hash = ${prev}, hash = ${hash} where seq = ${row.seq}`;
          prev = hash;
        }
        await tx`alter table audit_log enable always trigger audit_log_append_only`;
      });
      const stale = await runVerify({ DATABASE_URL: unsigned.url });
      expect(stale.stdout).toMatch(/^york\s+UNSIGNED: 3 entries; .*NO entry is signed/);
      expect(stale.code).toBe(1);
    } finally {
      await unsigned.drop();
    }
  });

  it('exits 2 when it cannot reach the database', async () => {
    const result = await runVerify({ DATABASE_URL: 'postgres://nobody:wrong@127.0.0.1:1/none' });
    expect(result.stderr).toContain('audit:verify could not run');
    expect(result.code).toBe(2);
  });

  it('verifies every site of a stopped local platform when DATABASE_URL is unset', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'crashdesk-audit-cli-'));
    await chmod(dataDir, 0o755); // reachable by the `postgres` user when tests run as root
    try {
      const { state } = await loadPlatformState(dataDir, ['hq', 'york']);
      const server = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), password: state.postgresPassword, unsafeFast: true });
      try {
        for (const site of ['hq', 'york']) {
          await server.ensureDatabase(siteDatabaseName(site));
          const sql = postgres(server.url(siteDatabaseName(site)), { max: 1, onnotice: () => undefined });
          await migrate(sql);
          await ensureSiteIdentity(sql, site, state.siteNumbers[site]!);
          await createAuditTrail(sql).record(entry);
          await sql.end();
        }
      } finally {
        await server.stop();
      }
      const result = await runVerify({ CRASHDESK_DATA_DIR: dataDir, CRASHDESK_SITES: 'hq,york' });
      expect(result.stdout).toMatch(/^hq\s+intact: 1 entries.*\nyork\s+intact: 1 entries.*\n$/);
      expect(result.code).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
