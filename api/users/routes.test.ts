import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite, USER_PASSWORD } from '../../test/support/site.js';

describe('account management', () => {
  let site: TestSite;
  let admin: string;
  beforeAll(async () => {
    site = await createTestSite();
    admin = await site.tokenFor('admin');
    await site.tokenFor('agent', 'listed-agent');
  });
  afterAll(() => site?.stop());

  it('lists every account by name, without password hashes', async () => {
    const list = await site.call('GET', '/v1/users', { token: admin });
    expect(list.status).toBe(200);
    const names = list.body.items.map((item: { username: string }) => item.username);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['admin', 'listed-agent']));
    expect(list.body.items.find((item: { username: string }) => item.username === 'listed-agent')).toEqual({
      username: 'listed-agent',
      role: 'agent',
      site: 'london',
      disabled: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|password/i);
  });

  it('shows one account, or 404 for an unknown one', async () => {
    const shown = await site.call('GET', '/v1/users/Listed-Agent', { token: admin });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ username: 'listed-agent', role: 'agent', disabled: false });
    const missing = await site.call('GET', '/v1/users/nobody', { token: admin });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });

  it('creates an account with 201 and a Location, and answers 409 to a taken name', async () => {
    const created = await site.call('POST', '/v1/users', { token: admin, body: { username: 'new-supervisor', password: USER_PASSWORD, role: 'supervisor' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/london/v1/users/new-supervisor');
    const taken = await site.call('POST', '/v1/users', { token: admin, body: { username: 'NEW-supervisor', password: USER_PASSWORD, role: 'agent' } });
    expect(taken.status).toBe(409);
  });

  it('changes a role, and the new role applies to tokens already issued', async () => {
    await site.tokenFor('agent', 'promoted');
    const token = await site.login('promoted', USER_PASSWORD);
    expect((await site.call('DELETE', '/v1/accidents/1', { token })).status).toBe(403);
    const changed = await site.call('PATCH', '/v1/users/promoted', { token: admin, body: { role: 'supervisor' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ username: 'promoted', role: 'supervisor' });
    expect((await site.call('DELETE', '/v1/accidents/1', { token })).status).toBe(404);
  });

  it('refuses a weak new password with 400, naming the field', async () => {
    await site.tokenFor('agent', 'weakling');
    const short = await site.call('PATCH', '/v1/users/weakling', { token: admin, body: { password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ path: 'password', message: 'must be at least 12 characters' }]);
    const named = await site.call('PATCH', '/v1/users/weakling', { token: admin, body: { password: 'weakling-forever-123' } });
    expect(named.status).toBe(400);
    expect(named.body.errors).toEqual([{ path: 'password', message: 'must not contain the username' }]);
  });

  it('answers 400 to an empty change and 404 to a change of an unknown account', async () => {
    expect((await site.call('PATCH', '/v1/users/listed-agent', { token: admin, body: {} })).status).toBe(400);
    expect((await site.call('PATCH', '/v1/users/nobody', { token: admin, body: { disabled: true } })).status).toBe(404);
  });

  it('does not let an admin disable or demote their own account, but lets another admin do it', async () => {
    const own = await site.call('PATCH', '/v1/users/admin', { token: admin, body: { disabled: true } });
    expect(own.status).toBe(403);
    expect(own.body.type).toContain('own-account');
    expect((await site.call('PATCH', '/v1/users/admin', { token: admin, body: { role: 'agent' } })).status).toBe(403);
    expect((await site.call('GET', '/v1/users', { token: admin })).status).toBe(200);

    const second = await site.tokenFor('admin', 'second-admin');
    const demoted = await site.call('PATCH', '/v1/users/second-admin', { token: admin, body: { role: 'auditor' } });
    expect(demoted.status).toBe(200);
    expect((await site.call('GET', '/v1/users', { token: second })).status).toBe(403);
  });

  it('answers 403 to every role but admin', async () => {
    for (const role of ['agent', 'supervisor', 'auditor'] as const) {
      const token = await site.tokenFor(role);
      expect((await site.call('GET', '/v1/users', { token })).status).toBe(403);
      expect((await site.call('GET', '/v1/users/admin', { token })).status).toBe(403);
      expect((await site.call('PATCH', '/v1/users/admin', { token, body: { disabled: true } })).status).toBe(403);
    }
  });

  it('records every account change in the audit trail, with the admin as actor and never a password', async () => {
    const changes = [
      await site.call('POST', '/v1/users', { token: admin, body: { username: 'audited', password: 'Created-Secret-Passphrase', role: 'agent' } }),
      await site.call('PATCH', '/v1/users/audited', { token: admin, body: { password: 'Reset-Secret-Passphrase', role: 'supervisor' } }),
      await site.call('PATCH', '/v1/users/audited', { token: admin, body: { disabled: true } }),
      await site.call('PATCH', '/v1/users/audited', { token: admin, body: { disabled: false } }),
    ];
    expect(changes.map((change) => change.status)).toEqual([201, 200, 200, 200]);
    const entries = await site.sql`select actor, action, outcome, details from audit_log where resource = 'audited' and action like 'user.%' order by seq`;
    expect(entries.map((entry) => [entry.actor, entry.action, entry.outcome])).toEqual([
      ['admin', 'user.create', 'success'],
      ['admin', 'user.password_reset', 'success'],
      ['admin', 'user.role_change', 'success'],
      ['admin', 'user.disable', 'success'],
      ['admin', 'user.enable', 'success'],
    ]);
    expect(entries[2]!.details).toEqual({ from: 'agent', to: 'supervisor' });
    const everything = JSON.stringify(await site.sql`select * from audit_log`);
    expect(everything).not.toContain('Created-Secret-Passphrase');
    expect(everything).not.toContain('Reset-Secret-Passphrase');
  });
});
