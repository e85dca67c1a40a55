import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/support/redis.js';
import { createTestSite, type TestSite } from '../../test/support/site.js';
import { createApp } from '../app.js';
import { connectRedis } from '../cache/redis-client.js';
import type { RateLimitSettings } from '../config.js';
import { createLogger } from '../observability/logger.js';

type SiteHttp = TestSite['app'];

const DAY_PAGE = '/v1/accidents?date=2026-11-20';
const FALLBACK_WARNING = 'rate limits are counted within this process';
const SHARED_AGAIN = 'rate limits are shared through Redis again';

const metric = async (registry: Registry, name: string, labels: Record<string, string>) =>
  (await registry.getSingleMetric(name)?.get())?.values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))?.value;

/**
 * A request as @hono/node-server hands it to the app: `address` is the socket's peer, which the
 * app takes as the client unless it trusts proxy hops.
 */
async function send(http: SiteHttp, path: string, init: { token?: string; address?: string; forwardedFor?: string; method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.forwardedFor) headers['x-forwarded-for'] = init.forwardedFor;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await http.request(
    path,
    { method: init.method ?? 'GET', headers, ...(init.body !== undefined && { body: JSON.stringify(init.body) }) },
    init.address ? { incoming: { socket: { remoteAddress: init.address } } } : undefined,
  );
  const text = await response.text();
  const json = text !== '' && (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, headers: response.headers, body: json ? (JSON.parse(text) as Record<string, unknown>) : text };
}

/** Sends one request per entry, in order, and returns the statuses. */
async function statusesOf(requests: readonly (() => ReturnType<typeof send>)[]) {
  const statuses: number[] = [];
  for (const request of requests) statuses.push((await request()).status);
  return statuses;
}

const repeat = <T>(times: number, value: T): T[] => Array.from({ length: times }, () => value);

describe('rate limits with Redis shared by the replicas', () => {
  let redis: TestRedis;
  const cleanups: (() => Promise<void>)[] = [];
  const lines: { msg: string; site?: string }[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await redis?.stop();
  });

  async function siteWith(site: string, rateLimits: RateLimitSettings) {
    const made = await createTestSite({ site, redisUrl: redis.url, rateLimits, logger });
    cleanups.push(() => made.stop());
    return made;
  }

  /** Another process of the site with a Redis connection of its own, as a second pod has. */
  async function replicaOf(site: TestSite) {
    const client: Redis = connectRedis(redis.url, logger);
    await once(client, 'ready');
    const other = await site.startAnother({ redis: client });
    cleanups.push(async () => {
      await other.running.stop();
      client.disconnect();
    });
    return { http: other.app, client };
  }

  it('answers an account over its limit 429 problem+json with Retry-After, and serves another account as before', async () => {
    const site = await siteWith('leeds', { accountPerMinute: 5, addressPerMinute: 0 });
    const busy = await site.tokenFor('agent', 'busy-agent');
    const other = await site.tokenFor('agent', 'other-agent');

    expect(await statusesOf(repeat(5, () => send(site.app, `/leeds${DAY_PAGE}`, { token: busy })))).toEqual(repeat(5, 200));
    const refused = await send(site.app, `/leeds${DAY_PAGE}`, { token: busy });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.body).toMatchObject({
      type: 'https://crashdesk.io/problems/rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: expect.stringContaining('This account has made more than 5 requests'),
    });

    expect((await send(site.app, `/leeds${DAY_PAGE}`, { token: other })).status).toBe(200);
    expect(await metric(site.registry, 'crashdesk_rate_limited_total', { site: 'leeds', limit: 'account' })).toBe(1);
    expect(await metric(site.registry, 'crashdesk_rate_limited_total', { site: 'leeds', limit: 'address' })).toBe(0);
  });

  it('counts every account behind one client address (the one the trusted proxy forwarded) against its limit, before authentication', async () => {
    const site = await siteWith('york', { accountPerMinute: 100, addressPerMinute: 20 });
    const tokens = [await site.tokenFor('agent', 'nat-a'), await site.tokenFor('agent', 'nat-b'), await site.tokenFor('supervisor', 'nat-c')];
    // Behind one ingress (10.0.0.5), whose X-Forwarded-For entry is believed, as CRASHDESK_TRUST_PROXY_HOPS=1 does.
    const behindIngress = createApp({ sites: [site.running], registry: site.registry, logger, trustProxyHops: 1 });
    const from = (client: string, init: Parameters<typeof send>[2] = {}) =>
      send(behindIngress, `/york${DAY_PAGE}`, { address: '10.0.0.5', forwardedFor: client, ...init });

    const shared = Array.from({ length: 20 }, (_, i) => () => from('203.0.113.9', { token: tokens[i % 3]! }));
    expect(await statusesOf(shared)).toEqual(repeat(20, 200));
    const refused = await from('203.0.113.9', { token: tokens[0]! });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: 429, detail: expect.stringContaining('from this client address') });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Refused before the token is even looked at, and before signing in too.
    expect((await from('203.0.113.9', { token: 'not-a-token' })).status).toBe(429);
    const login = await send(behindIngress, '/york/v1/auth/login', {
      address: '10.0.0.5',
      forwardedFor: '203.0.113.9',
      method: 'POST',
      body: { username: 'nat-a', password: 'whatever' },
    });
    expect(login.status).toBe(429);

    // Another client behind the same ingress, with the same account, is not limited.
    expect((await from('198.51.100.20', { token: tokens[0]! })).status).toBe(200);
    // Neither are health, readiness and the documents.
    for (const path of ['/york/healthz', '/york/readyz', '/york/openapi.json']) {
      expect((await send(behindIngress, path, { address: '10.0.0.5', forwardedFor: '203.0.113.9' })).status).toBe(200);
    }
    expect(await metric(site.registry, 'crashdesk_rate_limited_total', { site: 'york', limit: 'address' })).toBe(3);
    expect(await metric(site.registry, 'crashdesk_rate_limited_total', { site: 'york', limit: 'account' })).toBe(0);
  });

  it('shares the count between two replicas: six requests split three and three exceed a limit of five', async () => {
    const site = await siteWith('bath', { accountPerMinute: 5, addressPerMinute: 0 });
    const token = await site.tokenFor('agent', 'roaming-agent');
    const [first, second] = [await replicaOf(site), await replicaOf(site)];

    const alternating = Array.from({ length: 6 }, (_, i) => () => send((i % 2 === 0 ? first : second).http, `/bath${DAY_PAGE}`, { token }));
    // The sixth goes to the second replica, which has itself seen only three.
    expect(await statusesOf(alternating)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await metric(site.registry, 'crashdesk_rate_limit_errors_total', { site: 'bath' })).toBe(0);
  });

  it('keeps answering while Redis is killed, limiting within each replica and counting the failures, and shares again once it is back', async () => {
    const site = await siteWith('hull', { accountPerMinute: 4, addressPerMinute: 0 });
    const duringOutage = await site.tokenFor('agent', 'outage-agent');
    const afterOutage = await site.tokenFor('agent', 'after-agent');
    const [first, second] = [await replicaOf(site), await replicaOf(site)];
    const errors = () => metric(site.registry, 'crashdesk_rate_limit_errors_total', { site: 'hull' });
    const logged = (msg: string) => lines.filter((line) => line.site === 'hull' && line.msg.startsWith(msg)).length;
    expect(await errors()).toBe(0);

    await redis.kill();
    let restarted = false;
    try {
      // Each replica allows the account its own four, then refuses: no request is answered with an error.
      for (const replica of [first, second]) {
        expect(await statusesOf(repeat(5, () => send(replica.http, `/hull${DAY_PAGE}`, { token: duringOutage })))).toEqual([200, 200, 200, 200, 429]);
      }
      expect(await errors()).toBe(10);
      // Once per replica for the outage, not once per request.
      expect(logged(FALLBACK_WARNING)).toBe(2);

      const reconnected = Promise.all([once(first.client, 'ready'), once(second.client, 'ready')]);
      await redis.restart();
      restarted = true;
      await reconnected;
      const alternating = Array.from({ length: 5 }, (_, i) => () => send((i % 2 === 0 ? first : second).http, `/hull${DAY_PAGE}`, { token: afterOutage }));
      expect(await statusesOf(alternating)).toEqual([200, 200, 200, 200, 429]);
      expect(await errors()).toBe(10);
      expect(logged(SHARED_AGAIN)).toBe(2);
      expect(logged(FALLBACK_WARNING)).toBe(2);
    } finally {
      // So that a failure here does not leave the next tests without their Redis.
      if (!restarted) await redis.restart();
    }
  });

  it('creates no limiter for a limit of 0: nothing is refused and nothing is written to Redis', async () => {
    const site = await siteWith('ely', { accountPerMinute: 0, addressPerMinute: 0 });
    const token = await site.tokenFor('agent', 'unlimited-agent');
    expect(await statusesOf(repeat(30, () => send(site.app, `/ely${DAY_PAGE}`, { token, address: '203.0.113.50' })))).toEqual(repeat(30, 200));
    const inspector = connectRedis(redis.url, logger);
    try {
      await once(inspector, 'ready');
      expect(await inspector.keys('crashdesk:ely:rl:*')).toEqual([]);
    } finally {
      inspector.disconnect();
    }
    expect(await metric(site.registry, 'crashdesk_rate_limited_total', { site: 'ely', limit: 'account' })).toBe(0);
  });
});

describe('rate limits without Redis', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite({ site: 'derby', rateLimits: { accountPerMinute: 3, addressPerMinute: 0 } });
  });
  afterAll(() => site?.stop());

  it('limits within the process, and each process counts for itself', async () => {
    const token = await site.tokenFor('agent', 'local-agent');
    expect(await statusesOf(repeat(4, () => send(site.app, `/derby${DAY_PAGE}`, { token })))).toEqual([200, 200, 200, 429]);
    const other = await site.startAnother();
    try {
      expect((await send(other.app, `/derby${DAY_PAGE}`, { token })).status).toBe(200);
    } finally {
      await other.running.stop();
    }
    expect(await metric(site.registry, 'crashdesk_rate_limited_total', { site: 'derby', limit: 'account' })).toBe(1);
    expect(await metric(site.registry, 'crashdesk_rate_limit_errors_total', { site: 'derby' })).toBe(0);
  });
});
