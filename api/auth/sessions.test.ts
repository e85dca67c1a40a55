import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite, USER_PASSWORD } from '../../test/support/site.js';
import { hashToken } from './tokens.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const READ = '/v1/accidents?policyNumber=1';

describe('token lifetimes and revocation', () => {
  let site: TestSite;
  beforeAll(async () => {
    // These tests move tokens' ends in the database, as only time would: no session is served from memory.
    site = await createTestSite({ auth: { tokenIdleSeconds: 600, tokenTtlSeconds: 3600 }, sessionCacheMs: 0 });
  });
  afterAll(() => site?.stop());

  /** A new token of its own for an agent account of that name. */
  const freshLogin = async (name: string) => {
    await site.tokenFor('agent', name);
    return site.login(name, USER_PASSWORD);
  };

  const times = async (token: string) => {
    const [row] = await site.sql<{ expiresAt: Date; maxExpiresAt: Date }[]>`
      select expires_at as "expiresAt", max_expires_at as "maxExpiresAt" from auth_tokens where token_hash = ${hashToken(token)}`;
    return row!;
  };

  it('issues a token that expires after the idle timeout, within its absolute lifetime', async () => {
    const login = await site.call('POST', '/v1/auth/login', { body: { username: 'admin', password: 'test-admin-password-1' } });
    const { expiresAt, maxExpiresAt } = await times(login.body.token);
    expect(Date.parse(login.body.expiresAt)).toBe(expiresAt.getTime());
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(590_000);
    expect(expiresAt.getTime() - Date.now()).toBeLessThan(610_000);
    expect(maxExpiresAt.getTime() - Date.now()).toBeGreaterThan(3_590_000);
  });

  it('slides the idle expiry forward when the token is used', async () => {
    const token = await freshLogin('slider');
    await site.sql`update auth_tokens set expires_at = now() + interval '30 seconds' where token_hash = ${hashToken(token)}`;
    expect((await site.call('GET', READ, { token })).status).toBe(200);
    expect((await times(token)).expiresAt.getTime() - Date.now()).toBeGreaterThan(590_000);
  });

  it('writes the slide at most about once a minute, not on every request', async () => {
    const token = await freshLogin('steady');
    await site.sql`update auth_tokens set expires_at = now() + interval '590 seconds' where token_hash = ${hashToken(token)}`;
    const before = (await times(token)).expiresAt;
    for (let i = 0; i < 3; i += 1) expect((await site.call('GET', READ, { token })).status).toBe(200);
    expect((await times(token)).expiresAt).toEqual(before);
  });

  it('never slides past the absolute lifetime, and answers 401 once that has passed', async () => {
    const token = await freshLogin('shift-end');
    await site.sql`
      update auth_tokens set expires_at = now() + interval '5 seconds', max_expires_at = now() + interval '2 minutes'
      where token_hash = ${hashToken(token)}`;
    expect((await site.call('GET', READ, { token })).status).toBe(200);
    const { expiresAt, maxExpiresAt } = await times(token);
    expect(expiresAt).toEqual(maxExpiresAt);
    await site.sql`update auth_tokens set max_expires_at = now() - interval '1 second', expires_at = now() - interval '1 second' where token_hash = ${hashToken(token)}`;
    expect((await site.call('GET', READ, { token })).status).toBe(401);
  });

  it('answers 401 to a token left idle past its timeout', async () => {
    const token = await freshLogin('idler');
    await site.sql`update auth_tokens set expires_at = now() - interval '1 second' where token_hash = ${hashToken(token)}`;
    const answer = await site.call('GET', READ, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('answers 401 to a token revoked by logout', async () => {
    const token = await freshLogin('leaving');
    expect((await site.call('POST', '/v1/auth/logout', { token })).status).toBe(204);
    expect((await site.call('GET', READ, { token })).status).toBe(401);
    expect((await site.call('POST', '/v1/auth/logout', { token })).status).toBe(401);
  });

  it('stops every token of an account the moment an admin disables it, and lets it back in when enabled', async () => {
    await site.tokenFor('agent', 'suspended2');
    const tokens = [await site.login('suspended2', USER_PASSWORD), await site.login('suspended2', USER_PASSWORD)];
    const admin = await site.tokenFor('admin');
    expect((await site.call('PATCH', '/v1/users/suspended2', { token: admin, body: { disabled: true } })).status).toBe(200);
    for (const token of tokens) expect((await site.call('GET', READ, { token })).status).toBe(401);
    expect((await site.call('POST', '/v1/auth/login', { body: { username: 'suspended2', password: USER_PASSWORD } })).status).toBe(401);
    expect((await site.call('PATCH', '/v1/users/suspended2', { token: admin, body: { disabled: false } })).status).toBe(200);
    // Enabling does not revive the old tokens; the agent signs in again.
    for (const token of tokens) expect((await site.call('GET', READ, { token })).status).toBe(401);
    expect((await site.call('POST', '/v1/auth/login', { body: { username: 'suspended2', password: USER_PASSWORD } })).status).toBe(200);
  });

  it('revokes every token of an account whose password an admin resets; only the new password signs in', async () => {
    await site.tokenFor('agent', 'forgetful');
    const old = await site.login('forgetful', USER_PASSWORD);
    const admin = await site.tokenFor('admin');
    const reset = await site.call('PATCH', '/v1/users/forgetful', { token: admin, body: { password: 'Another-Long-Passphrase' } });
    expect(reset.status).toBe(200);
    expect(JSON.stringify(reset.body)).not.toContain('Another-Long-Passphrase');
    expect((await site.call('GET', READ, { token: old })).status).toBe(401);
    expect((await site.call('POST', '/v1/auth/login', { body: { username: 'forgetful', password: USER_PASSWORD } })).status).toBe(401);
    expect((await site.call('POST', '/v1/auth/login', { body: { username: 'forgetful', password: 'Another-Long-Passphrase' } })).status).toBe(200);
  });
});

describe('sliding expiry in real time', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite({ auth: { tokenIdleSeconds: 2, tokenTtlSeconds: 60 }, sessionCacheMs: 0 });
  });
  afterAll(() => site?.stop());

  it('keeps a token alive while it is used and lets it expire once left idle', async () => {
    await site.tokenFor('agent', 'busy');
    const token = await site.login('busy', USER_PASSWORD);
    for (let i = 0; i < 3; i += 1) {
      await sleep(1_200);
      expect((await site.call('GET', READ, { token })).status).toBe(200);
    }
    await sleep(2_500);
    expect((await site.call('GET', READ, { token })).status).toBe(401);
  });
});
