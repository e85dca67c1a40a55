import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createTestSite, type TestSite, USER_PASSWORD } from '../../test/support/site.js';

// Two failures per username and address, four usernames per address; the per-username count of addresses is out of reach here.
const throttle = {
  usernameFreeFailures: 2,
  usernameFreeAddresses: 100,
  clientFreeFailures: 4,
  maxBlockSeconds: 2,
  failureWindowSeconds: 3,
  trustedNetworks: [],
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('login throttling', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite({ auth: { loginThrottle: throttle } });
  });
  afterAll(() => site?.stop());

  /** A login from a given socket address, as @hono/node-server would hand it to the app. */
  async function loginFrom(address: string | undefined, username: string, password: string, headers: Record<string, string> = {}) {
    const response = await site.app.request(
      `/london/v1/auth/login`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }) },
      address ? { incoming: { socket: { remoteAddress: address } } } : undefined,
    );
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  }

  async function account(name: string) {
    await site.tokenFor('agent', name);
    return name;
  }

  it('answers 429 with an integer Retry-After once a username has used its free failures, even to the right password', async () => {
    const name = await account('throttled1');
    expect((await loginFrom(undefined, name, 'wrong password 1')).status).toBe(401);
    expect((await loginFrom(undefined, name, 'wrong password 2')).status).toBe(401);
    expect((await loginFrom(undefined, name, 'wrong password 3')).status).toBe(401); // this one starts a 2 s block
    const blocked = await loginFrom(undefined, name, USER_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^[12]$/);
    expect(blocked.headers.get('content-type')).toBe('application/problem+json');
    expect(blocked.body).toMatchObject({ status: 429, type: expect.stringContaining('too-many-attempts') });
  });

  it('records throttled logins in the audit trail as denied, with the username as typed and never the password', async () => {
    const name = await account('throttled8');
    for (let i = 0; i < 3; i += 1) await loginFrom('203.0.113.40', ` ${name.toUpperCase()}`, 'Secret-Guess-42');
    expect((await loginFrom('203.0.113.40', name, 'Secret-Guess-42')).status).toBe(429);
    const entries = (
      await site.sql`select actor, action, resource, outcome, client_address, details from audit_log where actor = ${name} and action = 'auth.login' order by seq`
    ).slice(-4);
    expect(entries.map((entry) => entry.outcome)).toEqual(['failure', 'failure', 'failure', 'denied']);
    expect(entries[3]).toMatchObject({ resource: name, client_address: '203.0.113.40', details: { reason: 'throttled', scope: 'pair' } });
    expect(JSON.stringify(await site.sql`select * from audit_log`)).not.toContain('Secret-Guess-42');
  });

  it('recovers after Retry-After: the right password then signs in', async () => {
    const name = await account('throttled2');
    for (let i = 0; i < 3; i += 1) await loginFrom(undefined, name, 'wrong password');
    const blocked = await loginFrom(undefined, name, USER_PASSWORD);
    expect(blocked.status).toBe(429);
    await sleep(Number(blocked.headers.get('retry-after')) * 1000 + 100);
    expect((await loginFrom(undefined, name, USER_PASSWORD)).status).toBe(200);
  });

  it('does not lengthen a block while a blocked username keeps being tried', async () => {
    const name = await account('throttled3');
    for (let i = 0; i < 3; i += 1) await loginFrom(undefined, name, 'wrong password');
    const retries = [];
    for (let i = 0; i < 5; i += 1) retries.push(Number((await loginFrom(undefined, name, 'wrong password')).headers.get('retry-after')));
    expect(Math.max(...retries)).toBeLessThanOrEqual(2);
    const [row] = await site.sql`select failures from login_throttle where scope = 'pair' and key = ${`? ${name}`}`;
    expect(row?.failures).toBe(3);
  });

  it('clears the username count after a success', async () => {
    const name = await account('throttled4');
    expect((await loginFrom(undefined, name, 'wrong password')).status).toBe(401);
    expect((await loginFrom(undefined, name, 'wrong password')).status).toBe(401);
    expect((await loginFrom(undefined, name, USER_PASSWORD)).status).toBe(200);
    expect((await loginFrom(undefined, name, 'wrong password')).status).toBe(401);
    expect((await loginFrom(undefined, name, 'wrong password')).status).toBe(401);
    expect((await loginFrom(undefined, name, 'wrong password')).status).toBe(401);
    expect((await loginFrom(undefined, name, USER_PASSWORD)).status).toBe(429);
  });

  it('forgets failures after the window, so nobody stays locked out', async () => {
    const name = await account('throttled5');
    expect((await loginFrom(undefined, name, 'wrong password')).status).toBe(401);
    expect((await loginFrom(undefined, name, 'wrong password')).status).toBe(401);
    await sleep(throttle.failureWindowSeconds * 1000 + 200);
    // Two more free failures: the count started afresh.
    expect((await loginFrom(undefined, name, 'wrong password')).status).toBe(401);
    expect((await loginFrom(undefined, name, 'wrong password')).status).toBe(401);
    expect((await loginFrom(undefined, name, USER_PASSWORD)).status).toBe(200);
  });

  it('throttles unknown usernames exactly like real ones, so 429 does not reveal which exist', async () => {
    for (let i = 0; i < 3; i += 1) expect((await loginFrom(undefined, 'nobody-here', 'wrong password')).status).toBe(401);
    expect((await loginFrom(undefined, 'nobody-here', 'wrong password')).status).toBe(429);
  });

  it('counts a username however it is typed', async () => {
    const name = await account('throttled6');
    for (const typed of [name, ` ${name.toUpperCase()}`, `${name} `]) await loginFrom(undefined, typed, 'wrong password');
    expect((await loginFrom(undefined, name, USER_PASSWORD)).status).toBe(429);
  });

  it('answers 429 to a client address that spreads failures over many usernames, and not to other addresses', async () => {
    const address = '203.0.113.10';
    for (let i = 0; i < 5; i += 1) expect((await loginFrom(address, `sprayed${i}`, 'wrong password')).status).toBe(401);
    const blocked = await loginFrom(address, 'sprayed-next', 'wrong password');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await loginFrom(address, 'admin', ADMIN_PASSWORD)).status).toBe(429);
    expect((await loginFrom('203.0.113.11', 'admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('gives a client address its attempt back on success, so many agents behind one NAT can sign in', async () => {
    const address = '203.0.113.20';
    const names = ['nat1', 'nat2', 'nat3', 'nat4', 'nat5', 'nat6'];
    for (const name of names) await account(name);
    for (const name of names) expect((await loginFrom(address, name, USER_PASSWORD)).status).toBe(200);
    const [row] = await site.sql`select failures from login_throttle where scope = 'client' and key = ${address}`;
    expect(row?.failures).toBe(0);
  });

  it('counts parallel guesses one by one: a burst cannot slip past the count', async () => {
    const name = await account('burst');
    const statuses = await Promise.all(Array.from({ length: 10 }, () => loginFrom(undefined, name, 'wrong password').then((r) => r.status)));
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });

  it('believes X-Forwarded-For only as far as the configured proxy hops (none here)', async () => {
    const proxy = '203.0.113.30';
    for (let i = 0; i < 5; i += 1) await loginFrom(proxy, `spoof${i}`, 'wrong password', { 'x-forwarded-for': `198.51.100.${i}` });
    expect((await loginFrom(proxy, 'spoof-next', 'wrong password', { 'x-forwarded-for': '198.51.100.99' })).status).toBe(429);
  });

  it('lets the owner sign in at once after an admin resets the password of a blocked account', async () => {
    const name = await account('throttled7');
    for (let i = 0; i < 3; i += 1) await loginFrom(undefined, name, 'wrong password');
    expect((await loginFrom(undefined, name, USER_PASSWORD)).status).toBe(429);
    const admin = await site.tokenFor('admin');
    const reset = await site.call('PATCH', `/v1/users/${name}`, { token: admin, body: { password: 'A-brand-new-passphrase' } });
    expect(reset.status).toBe(200);
    expect((await loginFrom(undefined, name, 'A-brand-new-passphrase')).status).toBe(200);
  });
});

describe('login throttling behind one shared call-centre address', () => {
  // Two failures per (address, username), three addresses per username, three usernames per address.
  const policy = {
    usernameFreeFailures: 2,
    usernameFreeAddresses: 3,
    clientFreeFailures: 3,
    maxBlockSeconds: 2,
    failureWindowSeconds: 60,
    trustedNetworks: ['198.51.100.0/24', '2001:db8:aa::/48'],
  };
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite({ auth: { loginThrottle: policy } });
  });
  afterAll(() => site?.stop());

  async function loginFrom(address: string, username: string, password: string) {
    const response = await site.app.request(
      `/london/v1/auth/login`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) },
      { incoming: { socket: { remoteAddress: address } } },
    );
    return response.status;
  }
  const accounts = async (...names: string[]) => {
    for (const name of names) await site.tokenFor('agent', name);
    return names;
  };

  it('does not lock every agent out of one shared address: failures count per (address, username), so one agent failing blocks only that agent there', async () => {
    const office = '203.0.113.50';
    const [careless, ...colleagues] = await accounts('cc-careless', 'cc-a1', 'cc-a2', 'cc-a3', 'cc-a4', 'cc-a5', 'cc-a6');
    for (let i = 0; i < 3; i++) expect(await loginFrom(office, careless!, 'wrong password')).toBe(401);
    expect(await loginFrom(office, careless!, USER_PASSWORD)).toBe(429);
    // Every colleague mistypes once, then signs in: six usernames failed at the address, none of them spraying.
    for (const name of colleagues) {
      expect(await loginFrom(office, name, 'wrong password')).toBe(401);
      expect(await loginFrom(office, name, USER_PASSWORD)).toBe(200);
    }
    // From another address the careless agent's own username is not blocked.
    expect(await loginFrom('203.0.113.51', careless!, USER_PASSWORD)).toBe(200);
  });

  it('throttles a username guessed from many addresses, counting each address once', async () => {
    const [target] = await accounts('cc-target');
    for (const address of ['192.0.2.1', '192.0.2.2']) for (let i = 0; i < 2; i++) expect(await loginFrom(address, target!, 'wrong')).toBe(401);
    expect(await loginFrom('192.0.2.3', target!, 'wrong')).toBe(401);
    expect(await loginFrom('192.0.2.4', target!, 'wrong')).toBe(401); // the fourth address starts the username's back-off
    expect(await loginFrom('192.0.2.5', target!, USER_PASSWORD)).toBe(429);
  });

  it('blocks an address spraying failures over many usernames (the per-address ceiling), and not another address', async () => {
    const sprayer = '203.0.113.60';
    const [real] = await accounts('cc-sprayed-real');
    for (const name of ['spray-a', 'spray-b', 'spray-c']) expect(await loginFrom(sprayer, name, 'Summer2026!')).toBe(401);
    // Failing the same username again is not spraying.
    expect(await loginFrom(sprayer, 'spray-c', 'Winter2026!')).toBe(401);
    expect(await loginFrom(sprayer, 'spray-d', 'Summer2026!')).toBe(401); // the fourth username starts the address's back-off
    expect(await loginFrom(sprayer, real!, USER_PASSWORD)).toBe(429);
    expect(await loginFrom('203.0.113.61', real!, USER_PASSWORD)).toBe(200);
  });

  it('never applies the per-address ceiling to a trusted network, while per-(address, username) and per-username counts still apply', async () => {
    const [agent, careless] = await accounts('cc-trusted', 'cc-trusted-careless');
    for (const address of ['198.51.100.7', '2001:db8:aa:1::7']) {
      for (let i = 0; i < 8; i++) expect(await loginFrom(address, `nobody-${address}-${i}`, 'wrong')).toBe(401);
      expect(await loginFrom(address, agent!, USER_PASSWORD)).toBe(200);
    }
    for (let i = 0; i < 3; i++) expect(await loginFrom('198.51.100.8', careless!, 'wrong')).toBe(401);
    expect(await loginFrom('198.51.100.8', careless!, USER_PASSWORD)).toBe(429);
  });
});
