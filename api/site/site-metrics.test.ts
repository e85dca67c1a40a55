// The series a site adds to its registry change when the thing they count happens, read from the
// site's own /metrics as Prometheus would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newReport, createTestSite, type TestSite, USER_PASSWORD } from '../../test/support/site.js';

const throttle = {
  usernameFreeFailures: 1,
  usernameFreeAddresses: 100,
  clientFreeFailures: 100,
  maxBlockSeconds: 2,
  failureWindowSeconds: 60,
  trustedNetworks: [],
};

describe("a site's metrics", () => {
  let site: TestSite;
  let agent: string;
  beforeAll(async () => {
    site = await createTestSite({ auth: { loginThrottle: throttle } });
    agent = await site.tokenFor('agent', 'metrics1');
  });
  afterAll(() => site?.stop());

  /** One read of /metrics: the value of a series (0 when absent), labels matched exactly. */
  async function scrape(): Promise<(name: string, labels?: Record<string, string>) => number> {
    const text = await (await site.app.request('/metrics')).text();
    return (name, labels = {}) => {
      const wanted = Object.entries({ site: 'london', ...labels });
      for (const line of text.split('\n')) {
        const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (!match || match[1] !== name) continue;
        const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
        if (Object.keys(found).length === wanted.length && wanted.every(([key, value]) => found[key] === value)) return Number(match[3]);
      }
      return 0;
    };
  }
  const sample = async (name: string, labels: Record<string, string> = {}) => (await scrape())(name, labels);

  it('counts a created report as an id minted, audit entries appended and database queries answered', async () => {
    const before = {
      minted: await sample('crashdesk_ids_minted_total'),
      appended: await sample('crashdesk_audit_appends_total', { outcome: 'ok' }),
      appendTimings: await sample('crashdesk_audit_append_duration_seconds_count'),
      queries: await sample('crashdesk_db_query_duration_seconds_count', { outcome: 'ok' }),
      transactions: await sample('crashdesk_db_transaction_duration_seconds_count', { outcome: 'ok' }),
    };
    expect((await site.call('POST', '/v1/accidents', { token: agent, body: newReport() })).status).toBe(201);
    expect(await sample('crashdesk_ids_minted_total')).toBe(before.minted + 1);
    expect(await sample('crashdesk_audit_appends_total', { outcome: 'ok' })).toBeGreaterThan(before.appended);
    expect(await sample('crashdesk_audit_append_duration_seconds_count')).toBeGreaterThan(before.appendTimings);
    expect(await sample('crashdesk_db_query_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(before.queries);
    expect(await sample('crashdesk_db_transaction_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(before.transactions);
    expect(await sample('crashdesk_audit_appends_total', { outcome: 'error' })).toBe(0);
  });

  it("reports the pool's size as connections in use or available, and nothing waiting when idle", async () => {
    // Both states from one scrape: the work a create leaves behind (chaining its audit entry, shipping
    // it) moves connections between them, so two scrapes may each see a different moment.
    let metrics = await scrape();
    for (let tries = 0; metrics('crashdesk_db_pool_connections', { state: 'in_use' }) > 0 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = await scrape();
    }
    const inUse = metrics('crashdesk_db_pool_connections', { state: 'in_use' });
    expect(inUse + metrics('crashdesk_db_pool_connections', { state: 'available' })).toBe(10);
    expect(inUse).toBe(0);
    expect(metrics('crashdesk_db_pool_waiting')).toBe(0);
  });

  it('counts reading a sealed report back as a data key found in the cache', async () => {
    const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport() });
    const hits = await sample('crashdesk_data_key_cache_lookups_total', { result: 'hit' });
    expect((await site.call('GET', `/v1/accidents/${created.body.id}`, { token: agent })).status).toBe(200);
    expect(await sample('crashdesk_data_key_cache_lookups_total', { result: 'hit' })).toBeGreaterThan(hits);
  });

  it('counts a login refused by the throttle under the scope that blocked it, and no other', async () => {
    expect(await sample('crashdesk_login_throttled_total', { scope: 'pair' })).toBe(0);
    const login = (password: string) => site.call('POST', '/v1/auth/login', { body: { username: 'metrics1', password } });
    expect((await login('wrong password 1')).status).toBe(401);
    expect((await login('wrong password 2')).status).toBe(401); // past the one free failure: blocked from here on
    expect((await login(USER_PASSWORD)).status).toBe(429);
    expect(await sample('crashdesk_login_throttled_total', { scope: 'pair' })).toBe(1);
    expect(await sample('crashdesk_login_throttled_total', { scope: 'client' })).toBe(0);
  });

  it('reports id minting as running and the newest id as minted about now', async () => {
    expect(await sample('crashdesk_ids_minting_halted')).toBe(0);
    expect(await sample('crashdesk_ids_clock_step_halts_total')).toBe(0);
    expect(Math.abs((await sample('crashdesk_ids_last_minted_timestamp_seconds')) - Date.now() / 1000)).toBeLessThan(60);
  });
});
