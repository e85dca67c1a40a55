import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite, USER_PASSWORD } from '../../test/support/site.js';
import { createSessionCache } from './session-cache.js';

const user = (username: string) => ({ username, role: 'agent' as const, site: 'london' });
const hash = (n: number) => Buffer.alloc(32, n);

describe('the session cache', () => {
  it('keeps a session until its lifetime or the token’s own end, whichever comes first', () => {
    let now = 1_000;
    const cache = createSessionCache({ ttlMs: 5000, maxEntries: 10, now: () => now });
    cache.remember(hash(1), user('a'), new Date(3_000), cache.epoch());
    cache.remember(hash(2), user('b'), new Date(60_000), cache.epoch());
    now = 2_999;
    expect(cache.get(hash(1))).toEqual(user('a'));
    now = 3_000;
    expect(cache.get(hash(1))).toBeUndefined();
    expect(cache.get(hash(2))).toEqual(user('b'));
    now = 6_000;
    expect(cache.get(hash(2))).toBeUndefined();
  });

  it('forgets one token, every token of an account, or everything, and never keeps a lookup that raced a revocation', () => {
    const cache = createSessionCache({ ttlMs: 5000, maxEntries: 10 });
    const later = new Date(Date.now() + 60_000);
    for (const [n, name] of [
      [1, 'a'],
      [2, 'a'],
      [3, 'b'],
    ] as const)
      cache.remember(hash(n), user(name), later, cache.epoch());
    cache.forget(`t:${hash(3).toString('hex')}`);
    expect(cache.get(hash(3))).toBeUndefined();
    cache.forget('u:a');
    expect([cache.get(hash(1)), cache.get(hash(2))]).toEqual([undefined, undefined]);

    const started = cache.epoch();
    cache.forget('u:c'); // a revocation lands while a lookup is on its way
    cache.remember(hash(4), user('c'), later, started);
    expect(cache.get(hash(4))).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const cache = createSessionCache({ ttlMs: 5000, maxEntries: 2 });
    const later = new Date(Date.now() + 60_000);
    for (const n of [1, 2, 3]) cache.remember(hash(n), user(`u${n}`), later, cache.epoch());
    expect([cache.get(hash(1)), cache.get(hash(2)), cache.get(hash(3))]).toEqual([undefined, user('u2'), user('u3')]);
  });
});

describe('sessions served from memory across two replicas of a site', () => {
  let site: TestSite;
  let other: Awaited<ReturnType<TestSite['startAnother']>>;
  const path = '/v1/accidents?date=2026-11-20';
  // The second replica answers through its own app, with its own cache, on the same database.
  const callOther = async (token: string, route = path) =>
    (await other.app.request(`/london${route}`, { headers: { authorization: `Bearer ${token}` } })).status;

  beforeAll(async () => {
    site = await createTestSite();
    other = await site.startAnother();
  });
  afterAll(async () => {
    await other?.running.stop();
    await site?.stop();
  });
  // Another replica learns of a revocation through PostgreSQL's NOTIFY: at once, but not in the same instant.
  const soon = (probe: () => Promise<number>) => expect.poll(probe, { timeout: 2000, interval: 10 });

  it('stops a signed-out token on the other replica at once', async () => {
    const token = await site.tokenFor('agent', 'leaving');
    expect(await callOther(token)).toBe(200);
    expect(await callOther(token)).toBe(200); // now remembered there
    expect((await site.call('POST', '/v1/auth/logout', { token })).status).toBe(204);
    expect((await site.call('GET', path, { token })).status).toBe(401);
    await soon(() => callOther(token)).toBe(401);
  });

  it('stops a disabled account, and a changed password, on the other replica at once', async () => {
    const admin = await site.login('admin', 'test-admin-password-1');
    const disabled = await site.tokenFor('agent', 'disabled');
    const reset = await site.tokenFor('agent', 'reset');
    expect([await callOther(disabled), await callOther(reset)]).toEqual([200, 200]);
    expect((await site.call('PATCH', '/v1/users/disabled', { token: admin, body: { disabled: true } })).status).toBe(200);
    expect((await site.call('PATCH', '/v1/users/reset', { token: admin, body: { password: `${USER_PASSWORD}-new` } })).status).toBe(200);
    await soon(() => callOther(disabled)).toBe(401);
    await soon(() => callOther(reset)).toBe(401);
  });

  it('applies a changed role on the other replica at once', async () => {
    const admin = await site.login('admin', 'test-admin-password-1');
    const token = await site.tokenFor('agent', 'promoted');
    expect(await callOther(token, '/v1/audit')).toBe(403);
    expect((await site.call('PATCH', '/v1/users/promoted', { token: admin, body: { role: 'auditor' } })).status).toBe(200);
    await soon(() => callOther(token, '/v1/audit')).toBe(200);
  });

  it('serves a remembered session without asking the database', async () => {
    const token = await site.tokenFor('agent', 'steady');
    expect(await callOther(token)).toBe(200);
    // Behind the site's back: only the database learns of it, so the replica that remembers the session still serves it.
    await site.sql`update auth_tokens set expires_at = now() - interval '1 second' where username = 'steady'`;
    expect(await callOther(token)).toBe(200);
    expect((await site.call('GET', path, { token })).status).toBe(401);
  });
});
