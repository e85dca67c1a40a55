import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createAuditTrail } from '../audit/trail.js';
import { createAuthStore } from '../auth/store.js';
import { hashToken, newToken } from '../auth/tokens.js';
import { provisionAdmin } from './admin-account.js';

describe('admin account provisioning', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const provision = (password: { value: string; enforce: boolean } | undefined) =>
    provisionAdmin({ auth: createAuthStore(db.sql), audit: createAuditTrail(db.sql), site: 'london', password });
  const startUpEntries = async () =>
    (await db.sql<{ action: string; details: Record<string, unknown> }[]>`select action, details from audit_log where actor = 'crashdesk' order by seq`).map(
      ({ action, details }) => ({ action, ...details }),
    );

  it('makes no account without a password (one site without CRASHDESK_ADMIN_PASSWORD), so nothing generated needs printing', async () => {
    expect(await provision(undefined)).toBe('absent');
    expect(await createAuthStore(db.sql).findAccount('admin')).toBeUndefined();
  });

  it('creates the account, keeps it (and its sessions) across restarts, and a rotated password signs old sessions out, each change audited', async () => {
    const auth = createAuthStore(db.sql);
    const first = { value: 'first-admin-passphrase', enforce: true };
    expect(await provision(first)).toBe('created');
    const token = newToken();
    await auth.insertToken(hashToken(token), 'admin');

    expect(await provision(first)).toBe('kept');
    expect(await provision(undefined)).toBe('kept');
    expect(await auth.findSession(hashToken(token))).toMatchObject({ username: 'admin' });

    expect(await provision({ value: 'rotated-admin-passphrase', enforce: true })).toBe('reset');
    expect(await auth.findSession(hashToken(token))).toBeUndefined();
    expect(await startUpEntries()).toEqual([
      { action: 'user.create', role: 'admin', by: 'start-up' },
      { action: 'user.password_reset', by: 'start-up' },
    ]);
  });

  it("restores a demoted admin's role, audited, and leaves a disabled admin disabled", async () => {
    const auth = createAuthStore(db.sql);
    const password = { value: 'rotated-admin-passphrase', enforce: true };
    await auth.updateAccount('admin', { role: 'agent', disabled: true }, 'someone');
    expect(await provision(password)).toBe('reset');
    const admin = await auth.findAccount('admin');
    expect(admin?.role).toBe('admin');
    expect(admin?.disabledAt).not.toBeNull();
    expect((await startUpEntries()).at(-1)).toEqual({ action: 'user.role_change', from: 'agent', to: 'admin', by: 'start-up' });
    // Nothing left to change: a restart records nothing more.
    const entries = (await startUpEntries()).length;
    expect(await provision(password)).toBe('kept');
    expect(await startUpEntries()).toHaveLength(entries);
  });

  it('never changes an existing account with a generated password (the local platform)', async () => {
    expect(await provision({ value: 'generated-passphrase-1', enforce: false })).toBe('kept');
    expect(await createAuthStore(db.sql).findAccount('admin')).toMatchObject({ role: 'admin' });
  });
});
