import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type SiteTestDatabase } from '../../test/support/database.js';
import { createLocalKeyProvider } from '../crypto/local-key-provider.js';
import { grantApplicationRole } from '../db/app-role.js';
import type { AuditEntry } from './entry.js';
import type { AuditSigningKey } from './signed-head.js';
import { createAuditTrail } from './trail.js';
import { verifyAuditChain } from './verify.js';

// The chain's lock (migration 002), as a second session would hold it.
const CHAIN_LOCK = 7_263_512_392;

const change = (resource: string): AuditEntry => ({
  actor: 'agent1',
  action: 'report.update',
  resource,
  outcome: 'success',
  details: { version: 2, fields: ['location'] },
});

describe('entries of report changes, staged in the change and chained after it', () => {
  let db: SiteTestDatabase;
  let app: postgres.Sql;
  let audit: ReturnType<typeof createAuditTrail>;
  let keyDir: string;
  let key: AuditSigningKey;
  const verify = () => verifyAuditChain(db.sql, { site: 'london', key });
  const count = async (table: 'audit_log' | 'audit_staged', resource: string) =>
    (await db.sql<{ n: number }[]>`select count(*)::int as n from ${db.sql(table)} where resource = ${resource}`)[0]!.n;

  beforeAll(async () => {
    db = await createTestDatabase();
    await grantApplicationRole(db.sql, db.appRole);
    // As the site runs: the application's own role, which owns nothing.
    app = postgres(db.appUrl, { max: 12, onnotice: () => undefined });
    audit = createAuditTrail(app);
    keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-staged-keys-'));
    key = await createLocalKeyProvider(join(keyDir, 'keys.json'), { create: true });
  });
  afterAll(async () => {
    await app?.end();
    await db?.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  it('stages the entry in the change’s transaction and chains it when chainStaged runs after the commit', async () => {
    await app.begin((tx) => audit.stage(change('s1'), tx));
    expect(await count('audit_staged', 's1')).toBe(1);
    expect(await count('audit_log', 's1')).toBe(0);

    await audit.chainStaged();
    expect(await count('audit_staged', 's1')).toBe(0);
    const [row] = await db.sql`select actor, action, outcome, details from audit_log where resource = 's1'`;
    expect(row).toEqual({ actor: 'agent1', action: 'report.update', outcome: 'success', details: { version: 2, fields: ['location'] } });
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('leaves nothing staged when the change rolls back', async () => {
    await expect(
      app.begin(async (tx) => {
        await audit.stage(change('s2'), tx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await audit.chainStaged();
    expect((await count('audit_staged', 's2')) + (await count('audit_log', 's2'))).toBe(0);
  });

  it('lets changes commit while another session holds the chain’s lock, and chains them all once it is released', async () => {
    const holder = await db.sql.reserve();
    try {
      await holder`select pg_advisory_lock(${CHAIN_LOCK})`;
      // Under audit_append these would wait for the lock inside their transactions and never commit here.
      await Promise.all(Array.from({ length: 10 }, (_, i) => app.begin((tx) => audit.stage(change(`locked-${i}`), tx))));
      const [staged] = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_staged where resource like 'locked-%'`;
      expect(staged!.n).toBe(10);

      let chained = false;
      const chaining = audit.chainStaged().then(() => (chained = true));
      // The chainer waits for the lock; nothing was chained around it.
      await new Promise((resolve) => setImmediate(resolve));
      expect(chained).toBe(false);
      await holder`select pg_advisory_unlock(${CHAIN_LOCK})`;
      await chaining;
    } finally {
      holder.release();
    }
    const [inLog] = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where resource like 'locked-%'`;
    expect(inLog!.n).toBe(10);
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('keeps one intact chain when staged changes, direct appends and chainers of two replicas run at once', async () => {
    const replica = createAuditTrail(app);
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        if (i % 4 === 0) return audit.record({ ...change(`mix-${i}`), action: 'report.read' });
        await app.begin((tx) => audit.stage(change(`mix-${i}`), tx));
        return (i % 2 === 0 ? audit : replica).chainStaged();
      }),
    );
    const [inLog] = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where resource like 'mix-%'`;
    expect(inLog!.n).toBe(60);
    const [left] = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_staged`;
    expect(left!.n).toBe(0);
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('resolves every caller only once its own committed entry is chained, however the calls overlap', async () => {
    const resources = Array.from({ length: 30 }, (_, i) => `own-${i}`);
    const seen = await Promise.all(
      resources.map(async (resource) => {
        await app.begin((tx) => audit.stage(change(resource), tx));
        await audit.chainStaged();
        return count('audit_log', resource);
      }),
    );
    expect(seen).toEqual(resources.map(() => 1));
  });

  it('gives the application role no way to change or drop a staged entry, only to stage and chain', async () => {
    await app.begin((tx) => audit.stage(change('guarded'), tx));
    await expect(app`delete from audit_staged`).rejects.toThrow(/permission denied/);
    await expect(app`update audit_staged set actor = 'someone else'`).rejects.toThrow(/permission denied/);
    await expect(app`truncate audit_staged`).rejects.toThrow(/permission denied/);
    await expect(app`insert into audit_staged (at, actor, action, resource, outcome, details, body)
      values (now() - interval '1 day', 'a', 'b', 'c', 'success', '{}', '[]')`).rejects.toThrow(/permission denied/);
    await audit.chainStaged();
    expect(await count('audit_log', 'guarded')).toBe(1);
  });
});
