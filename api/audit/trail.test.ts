import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, type SiteTestDatabase } from '../../test/support/database.js';
import { createLocalKeyProvider } from '../crypto/local-key-provider.js';
import { grantApplicationRole } from '../db/app-role.js';
import type { AuditEntry } from './entry.js';
import type { AuditSigningKey } from './signed-head.js';
import { createAuditTrail } from './trail.js';
import { verifyAuditChain } from './verify.js';

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: 'agent1',
  action: 'report.read',
  resource: '7263512391163904001',
  outcome: 'success',
  details: { version: 1 },
  ...overrides,
});

describe('the audit log', () => {
  let db: SiteTestDatabase;
  let audit: ReturnType<typeof createAuditTrail>;
  let keyDir: string;
  let key: AuditSigningKey;
  /** No entry here is signed: these tests are about the hashes. */
  const verify = (options: { batchSize?: number } = {}) => verifyAuditChain(db.sql, { site: 'london', key, ...options });
  beforeAll(async () => {
    db = await createTestDatabase();
    audit = createAuditTrail(db.sql);
    keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-audit-keys-'));
    key = await createLocalKeyProvider(join(keyDir, 'keys.json'), { create: true });
  });
  afterAll(async () => {
    await db?.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  /** Changes rows as someone with the owner's rights could, with the append-only trigger out of the way. */
  async function behindTheAppsBack(change: () => Promise<unknown>) {
    await db.sql`alter table audit_log disable trigger audit_log_append_only`;
    try {
      await change();
    } finally {
      await db.sql`alter table audit_log enable always trigger audit_log_append_only`;
    }
  }

  it('chains each entry to the one before it, and verifyAuditChain finds the chain intact', async () => {
    for (let i = 0; i < 5; i++) await audit.record(entry({ resource: String(1000 + i), details: { version: i, ids: ['1', '2'] } }));
    const rows = await db.sql`select seq, prev_hash, hash from audit_log order by seq`;
    expect(rows[0]!.prev_hash).toEqual(Buffer.alloc(32));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toEqual(rows[i - 1]!.hash);
    const verdict = await verify();
    expect(verdict).toMatchObject({ intact: true, entries: rows.length, head: { seq: String(rows.at(-1)!.seq) }, signedHead: undefined });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit_log even for its owner', async () => {
    await audit.record(entry());
    await expect(db.sql`update audit_log set actor = 'someone-else'`).rejects.toThrow(/append-only: UPDATE is refused/);
    await expect(db.sql`delete from audit_log`).rejects.toThrow(/append-only: DELETE is refused/);
    await expect(db.sql`truncate audit_log`).rejects.toThrow(/append-only: TRUNCATE is refused/);
    // Statement triggers fire even when no row matches.
    await expect(db.sql`update audit_log set actor = 'x' where false`).rejects.toThrow(/append-only/);
  });

  it('keeps refusing under session_replication_role = replica, which silences ordinary triggers', async () => {
    // Only a superuser may set it.
    const superuser = postgres(databaseUrl(new URL(db.url).pathname.slice(1)), { max: 1, onnotice: () => undefined });
    try {
      await superuser`set session_replication_role = replica`;
      await expect(superuser`update audit_log set actor = 'x'`).rejects.toThrow(/append-only/);
      await expect(superuser`delete from audit_log`).rejects.toThrow(/append-only/);
    } finally {
      await superuser.end();
    }
  });

  it('grants no INSERT, UPDATE, DELETE or TRUNCATE on audit_log to any role but its owner, the application role included', async () => {
    await grantApplicationRole(db.sql, db.appRole);
    for (const role of [db.appRole, 'public']) {
      const [row] = await db.sql`
        select has_table_privilege(${role}, 'audit_log', 'INSERT') as "insert",
               has_table_privilege(${role}, 'audit_log', 'UPDATE') as "update",
               has_table_privilege(${role}, 'audit_log', 'DELETE') as "delete",
               has_table_privilege(${role}, 'audit_log', 'TRUNCATE') as "truncate"`;
      expect(row).toEqual({ insert: false, update: false, delete: false, truncate: false });
    }
  });

  it('rolls an entry back with the transaction it was recorded in, leaving the chain intact', async () => {
    const before = await db.sql`select count(*)::int as n from audit_log`;
    await expect(
      db.sql.begin(async (tx) => {
        await audit.record(entry({ action: 'report.update' }), tx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const after = await db.sql`select count(*)::int as n from audit_log`;
    expect(after[0]!.n).toBe(before[0]!.n);
    await audit.record(entry());
    expect((await verify()).intact).toBe(true);
  });

  it('keeps one chain when 50 entries are recorded at once, some inside transactions', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 3 === 0 ? db.sql.begin((tx) => audit.record(entry({ resource: `p${i}` }), tx)) : audit.record(entry({ resource: `p${i}` })),
      ),
    );
    const verdict = await verify({ batchSize: 7 });
    expect(verdict.intact).toBe(true);
    const [forks] = await db.sql`select count(*)::int as n from (select prev_hash from audit_log group by prev_hash having count(*) > 1) f`;
    expect(forks!.n).toBe(0);
  });

  it('appends the entries that queued behind a batch in one call, in the order recorded, each with its own seq and time', async () => {
    const [{ head } = { head: '0' }] = await db.sql<{ head: string }[]>`select coalesce(max(seq), 0)::text as head from audit_log`;
    // The first record starts a batch at once; the nine after it queue behind it and go in one call.
    await Promise.all(Array.from({ length: 10 }, (_, i) => audit.record(entry({ resource: `batch-${i}`, details: { i } }))));
    const rows = await db.sql<{ seq: string; at: Date; resource: string; details: { i: number } }[]>`
      select seq::text, at, resource, details from audit_log where seq > ${head} order by seq`;
    expect(rows.map((row) => row.resource)).toEqual(Array.from({ length: 10 }, (_, i) => `batch-${i}`));
    expect(rows.map((row) => row.details.i)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(new Set(rows.map((row) => row.seq)).size).toBe(10);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.at.getTime());
    expect((await verify()).intact).toBe(true);
  });

  it('appends none of a batch that holds an entry the table refuses, and the chain stays intact', async () => {
    const [before] = await db.sql`select count(*)::int as n from audit_log`;
    const good = { actor: 'agent1', action: 'report.read', resource: '1', outcome: 'success', details: {}, body: '["x"]' };
    await expect(db.sql`select audit_append_all(${db.sql.json([good, { ...good, outcome: 'maybe' }])}::jsonb)`).rejects.toThrow(/outcome/);
    const [after] = await db.sql`select count(*)::int as n from audit_log`;
    expect(after!.n).toBe(before!.n);
    expect((await verify()).intact).toBe(true);
  });

  it('refuses a second entry chained to the same predecessor (a fork)', async () => {
    await expect(db.sql`
      insert into audit_log (at, actor, action, resource, outcome, prev_hash, hash)
      select now(), 'forger', 'report.read', '1', 'success', prev_hash, hash from audit_log order by seq desc limit 1`).rejects.toThrow(
      /audit_log_one_successor/,
    );
  });

  it('stores odd text (control characters, a lone surrogate, an overlong name) so that the chain still verifies', async () => {
    await audit.record(entry({ actor: `a\u0000b\ud800${'x'.repeat(500)}`, resource: 'r\n1', details: { note: 'bad\u0000\udc00' } }));
    const [row] = await db.sql`select actor, resource from audit_log order by seq desc limit 1`;
    expect(row!.actor).toHaveLength(64);
    expect(row!.actor.startsWith('a?b\ufffd')).toBe(true);
    expect(row!.resource).toBe('r?1');
    expect((await verify()).intact).toBe(true);
  });

  it('fills in the request id and client address of the request being handled', async () => {
    await audit.withOrigin(
      () => ({ requestId: 'req-123', clientAddress: '192.0.2.7' }),
      () => audit.record(entry({ action: 'report.create' })),
    );
    const [row] = await db.sql`select request_id, client_address from audit_log order by seq desc limit 1`;
    expect(row).toEqual({ request_id: 'req-123', client_address: '192.0.2.7' });
  });

  it('pages newest first with a keyset on seq', async () => {
    const first = await audit.page(3);
    expect(first.items).toHaveLength(3);
    expect(first.hasMore).toBe(true);
    const seqs = first.items.map((item) => BigInt(item.seq));
    expect([...seqs].sort((a, b) => (a > b ? -1 : 1))).toEqual(seqs);
    const next = await audit.page(3, first.items.at(-1)!.seq);
    expect(BigInt(next.items[0]!.seq)).toBeLessThan(seqs.at(-1)!);
  });

  describe('verifyAuditChain', () => {
    it("names the entry whose content was altered behind the application's back", async () => {
      const [victim] = await db.sql`select seq::text as seq from audit_log order by audit_log.seq limit 1 offset 3`;
      await behindTheAppsBack(() => db.sql`update audit_log set actor = 'innocent' where seq = ${victim!.seq}`);
      expect(await verify({ batchSize: 2 })).toMatchObject({ intact: false, brokenSeq: victim!.seq, reason: 'altered', entries: 3 });
      await behindTheAppsBack(() => db.sql`update audit_log set actor = 'agent1' where seq = ${victim!.seq}`);
      expect((await verify()).intact).toBe(true);
    });

    it('notices a change of the timestamp below the millisecond', async () => {
      const [victim] = await db.sql`select seq::text as seq from audit_log order by audit_log.seq limit 1 offset 2`;
      await behindTheAppsBack(() => db.sql`update audit_log set at = at + interval '1 microsecond' where seq = ${victim!.seq}`);
      expect(await verify()).toMatchObject({ intact: false, brokenSeq: victim!.seq, reason: 'altered' });
      await behindTheAppsBack(() => db.sql`update audit_log set at = at - interval '1 microsecond' where seq = ${victim!.seq}`);
    });

    it("names the entry after one that was deleted behind the application's back", async () => {
      const [deleted, next] = await db.sql`select seq::text as seq from audit_log order by audit_log.seq limit 2 offset 5`;
      await behindTheAppsBack(() => db.sql`delete from audit_log where seq = ${deleted!.seq}`);
      expect(await verify()).toMatchObject({ intact: false, brokenSeq: next!.seq, reason: 'unlinked' });
    });
  });
});
