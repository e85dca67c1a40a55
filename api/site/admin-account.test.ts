import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createAuthStore } from '../auth/store.js';
import { hashToken, newToken } from '../auth/tokens.js';
import { provisionAdmin } from './admin-account.js';

describe('admin account provisioning', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('creates the account, keeps it (and its sessions) across restarts, and a rotated password signs old sessions out', async () => {
    const auth = createAuthStore(db.sql);
    const first = { value: 'first-admin-passphrase', enforce: true };
    expect(await provisionAdmin(auth, 'london', first)).toBe('created');
    const token = newToken();
    await auth.insertToken(hashToken(token), 'admin');

    expect(await provisionAdmin(auth, 'london', first)).toBe('kept');
    expect(await auth.findSession(hashToken(token))).toMatchObject({ username: 'admin' });

    expect(await provisionAdmin(auth, 'london', { value: 'rotated-admin-passphrase', enforce: true })).toBe('reset');
    expect(await auth.findSession(hashToken(token))).toBeUndefined();
  });

  it('restores a demoted or disabled admin account to what the configuration says', async () => {
    const auth = createAuthStore(db.sql);
    const password = { value: 'rotated-admin-passphrase', enforce: true };
    await auth.updateAccount('admin', { role: 'agent', disabled: true }, 'someone');
    expect(await provisionAdmin(auth, 'london', password)).toBe('reset');
    expect(await auth.findAccount('admin')).toMatchObject({ role: 'admin', disabledAt: null });
  });
});
