import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type SiteTestDatabase } from '../../test/support/database.js';
import { createLocalKeyProvider, rotateLocalKey } from '../crypto/local-key-provider.js';
import { UTC_MICROS } from '../db/timestamps.js';
import { createLogger } from '../observability/logger.js';
import { type ChainedFields, entryHash } from './chain.js';
import { createHeadSigner } from './head-signer.js';
import { type AuditSigningKey, HEAD_SIGNED } from './signed-head.js';
import { createAuditTrail } from './trail.js';
import { verifyAuditChain } from './verify.js';

const read = (resource: string) => ({ actor: 'agent1', action: 'report.read', resource, outcome: 'success' }) as const;

/** What the database owner can do: change an entry, then re-chain every entry after it so each hash matches again. */
async function rewriteAndRechain(sql: Sql, seq: string, change: (tx: Sql) => Promise<unknown>, options: { dropSignaturesAfter?: boolean } = {}) {
  await sql.begin(async (tx) => {
    await tx`alter table audit_log disable trigger audit_log_append_only`;
    await change(tx as unknown as Sql);
    if (options.dropSignaturesAfter) await tx`delete from audit_log where seq > ${seq} and action = ${HEAD_SIGNED}`;
    const rows = await tx<(ChainedFields & { prevHash: Buffer })[]>`
      select seq::text as seq, to_char(at at time zone 'UTC', ${UTC_MICROS}) as at, actor, action, resource, outcome,
             request_id as "requestId", client_address as "clientAddress", details, prev_hash as "prevHash"
      from audit_log where seq >= ${seq} order by audit_log.seq`;
    let prev = rows[0]!.prevHash;
    for (const row of rows) {
      const hash = entryHash(prev, row);
      await tx`update audit_log set prev_hash = ${prev}, hash = ${hash} where seq = ${row.seq}`;
      prev = hash;
    }
    await tx`alter table audit_log enable always trigger audit_log_append_only`;
  });
}

describe('signing the audit chain head', () => {
  let db: SiteTestDatabase;
  let keyDir: string;
  let key: AuditSigningKey;
  const logger = createLogger('silent');

  beforeAll(async () => {
    keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-signer-'));
    key = await createLocalKeyProvider(join(keyDir, 'keys.json'), { create: true });
  });
  afterAll(() => rm(keyDir, { recursive: true, force: true }));

  /** A fresh chain: `reads` entries, each followed by a signature when `signEach`. */
  async function chain(reads: number, signEach: boolean) {
    db = await createTestDatabase();
    const audit = createAuditTrail(db.sql);
    const signer = createHeadSigner({ sql: db.sql, site: 'london', key, audit, logger, intervalMs: 60_000 });
    for (let i = 0; i < reads; i++) {
      await audit.record(read(String(i)));
      if (signEach) await signer.signNow('interval');
    }
    return { audit, signer };
  }
  const verify = (signingKey = key) => verifyAuditChain(db.sql, { site: 'london', key: signingKey, batchSize: 3 });
  const seqs = async (action: string) =>
    (await db.sql<{ seq: string }[]>`select seq::text as seq from audit_log where action = ${action} order by audit_log.seq`).map((row) => row.seq);

  it('appends a signature of the newest entry as an entry of the chain, and adds none while that is the head', async () => {
    const { signer } = await chain(3, false);
    try {
      const [, , newest] = await db.sql<{ seq: string; hash: Buffer }[]>`select seq::text as seq, hash from audit_log order by seq`;
      const signed = await signer.signNow('interval');
      expect(signed).toMatchObject({ seq: newest!.seq, hash: newest!.hash.toString('hex'), hmac: expect.stringMatching(/^local:v1:/), reason: 'interval' });
      const [entry] = await db.sql`select actor, action, resource, details from audit_log order by seq desc limit 1`;
      expect(entry).toEqual({ actor: 'audit-signer', action: HEAD_SIGNED, resource: `audit_log/${newest!.seq}`, details: signed });
      expect(await signer.signNow('interval')).toBeUndefined();
      expect(await verify()).toMatchObject({ intact: true, entries: 4, signedHead: { seq: newest!.seq }, unsigned: undefined });
    } finally {
      await db.drop();
    }
  });

  it('signs the newest entry by number once the chain is past 9 entries (seq 12, not the text-wise greatest "9")', async () => {
    const { signer } = await chain(12, false);
    try {
      const signed = await signer.signNow('interval');
      expect(signed?.seq).toBe('12');
      expect(await verify()).toMatchObject({ intact: true, entries: 13, signedHead: { seq: '12' } });
    } finally {
      await db.drop();
    }
  });

  it('names the rewritten entry itself when the owner recomputes every hash after it and the entry is a signed head', async () => {
    await chain(6, true);
    try {
      const reads = await seqs('report.read');
      const victim = reads[3]!;
      expect(await verify()).toMatchObject({ intact: true });
      await rewriteAndRechain(db.sql, victim, (tx) => tx`update audit_log set outcome = 'failure' where seq = ${victim}`);
      const verdict = await verify();
      expect(verdict).toMatchObject({ intact: false, reason: 'rewritten', brokenSeq: victim, intactThrough: reads[2] });
    } finally {
      await db.drop();
    }
  });

  it('refuses a signature entry the key did not make, or one signed by another key', async () => {
    await chain(2, true);
    try {
      const [first, second] = await seqs(HEAD_SIGNED);
      const otherKey = await createLocalKeyProvider(join(keyDir, 'other.json'), { create: true });
      expect(await verify(otherKey)).toMatchObject({ intact: false, reason: 'forged', brokenSeq: first });

      // The owner makes the second signature claim the entry's real hash but cannot make its HMAC.
      await rewriteAndRechain(db.sql, second!, (tx) => tx`update audit_log set details = details || '{"hmac": "local:v1:AAAA"}' where seq = ${second!}`);
      expect(await verify()).toMatchObject({ intact: false, reason: 'forged', brokenSeq: second, intactThrough: (await seqs('report.read'))[0] });
    } finally {
      await db.drop();
    }
  });

  it('shows the entries left unsigned when the owner removes the signatures after a rewrite', async () => {
    await chain(4, true);
    try {
      const reads = await seqs('report.read');
      await rewriteAndRechain(db.sql, reads[2]!, (tx) => tx`update audit_log set actor = 'someone' where seq = ${reads[2]!}`, { dropSignaturesAfter: true });
      expect(await verify()).toMatchObject({ intact: true, signedHead: { seq: reads[1] }, unsigned: { entries: 2 } });
    } finally {
      await db.drop();
    }
  });

  it('keeps verifying signatures made before the master key was rotated', async () => {
    const file = join(keyDir, 'rotated.json');
    key = await createLocalKeyProvider(file, { create: true });
    const { audit } = await chain(1, true);
    try {
      await rotateLocalKey(file);
      key = await createLocalKeyProvider(file, { create: false });
      await audit.record(read('after'));
      const signed = await createHeadSigner({ sql: db.sql, site: 'london', key, audit, logger, intervalMs: 60_000 }).signNow('interval');
      expect(signed?.hmac).toMatch(/^local:v2:/);
      expect(await verify()).toMatchObject({ intact: true, entries: 4, unsigned: undefined });
    } finally {
      await db.drop();
    }
  });
});
