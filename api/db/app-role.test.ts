import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, type TestDatabase } from '../../test/support/database.js';
import { createAuditTrail } from '../audit/trail.js';
import { grantApplicationRole } from './app-role.js';

describe('the application database role', () => {
  let db: TestDatabase;
  let app: postgres.Sql;
  const role = `app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(16).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.unsafe(`create role ${role} login password '${password}'`);
    await grantApplicationRole(db.sql, role);
    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    app = postgres(url.toString(), { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await app?.end();
    await db.drop();
    const admin = postgres(databaseUrl('postgres'), { max: 1 });
    await admin.unsafe(`drop role if exists ${role}`);
    await admin.end();
  });

  it('reads and appends to the audit trail', async () => {
    await createAuditTrail(app).record({ actor: 'agent1', action: 'report.read', resource: '1', outcome: 'success' });
    const [row] = await app`select count(*)::int as n from audit_log`;
    expect(row?.n).toBe(1);
  });

  it('may not update, delete or truncate audit entries, nor disable the trigger that refuses it', async () => {
    await expect(app`update audit_log set actor = 'someone else'`).rejects.toThrow(/permission denied/);
    await expect(app`delete from audit_log`).rejects.toThrow(/permission denied/);
    await expect(app`truncate audit_log`).rejects.toThrow(/permission denied/);
    await expect(app`alter table audit_log disable trigger all`).rejects.toThrow(/must be owner/);
  });

  it('may change reports but not the migration history', async () => {
    await app`insert into accounts (username, password_hash, role, site, created_by, updated_by) values ('x1', 'h', 'agent', 'london', 't', 't')`;
    await app`update accounts set role = 'supervisor' where username = 'x1'`;
    await expect(app`delete from schema_migrations`).rejects.toThrow(/permission denied/);
  });
});
