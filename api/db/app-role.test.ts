import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type SiteTestDatabase } from '../../test/support/database.js';
import { createAuditTrail } from '../audit/trail.js';
import { grantApplicationRole } from './app-role.js';

describe('the application database role', () => {
  let db: SiteTestDatabase;
  let app: postgres.Sql;

  beforeAll(async () => {
    db = await createTestDatabase();
    await grantApplicationRole(db.sql, db.appRole);
    app = postgres(db.appUrl, { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await app?.end();
    await db?.drop();
  });

  it('reads and appends to the audit trail', async () => {
    await createAuditTrail(app).record({ actor: 'agent1', action: 'report.read', resource: '1', outcome: 'success' });
    const [row] = await app`select count(*)::int as n from audit_log`;
    expect(row?.n).toBe(1);
  });

  it('may not INSERT into audit_log, only append through audit_append, so it cannot choose an entry’s time or hash', async () => {
    const forged = () => randomBytes(32);
    await expect(app`
      insert into audit_log (at, actor, action, resource, outcome, prev_hash, hash)
      values ('2001-01-01T00:00:00Z', 'agent1', 'report.read', '1', 'success', ${forged()}, ${forged()})`).rejects.toThrow(/permission denied/);
    await expect(app`
      insert into audit_log (seq, at, actor, action, resource, outcome, prev_hash, hash) overriding system value
      values (1, now(), 'agent1', 'report.read', '1', 'success', ${forged()}, ${forged()})`).rejects.toThrow(/permission denied/);

    const before = new Date();
    await createAuditTrail(app).record({ actor: 'agent1', action: 'report.read', resource: '2', outcome: 'success' });
    const [newest] = await app<{ at: Date }[]>`select at from audit_log order by seq desc limit 1`;
    expect(newest!.at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
  });

  it('may not update, delete or truncate audit entries, nor disable the trigger that refuses it, nor replace audit_append', async () => {
    await expect(app`update audit_log set actor = 'someone else'`).rejects.toThrow(/permission denied/);
    await expect(app`delete from audit_log`).rejects.toThrow(/permission denied/);
    await expect(app`truncate audit_log`).rejects.toThrow(/permission denied/);
    await expect(app`alter table audit_log disable trigger all`).rejects.toThrow(/must be owner/);
    await expect(app`alter function audit_append(text, text, text, text, text, text, jsonb, text) security invoker`).rejects.toThrow(/must be owner/);
  });

  it('may change reports but not the migration history', async () => {
    await app`insert into accounts (username, password_hash, role, site, created_by, updated_by) values ('x1', 'h', 'agent', 'london', 't', 't')`;
    await app`update accounts set role = 'supervisor' where username = 'x1'`;
    await expect(app`delete from schema_migrations`).rejects.toThrow(/permission denied/);
  });
});
