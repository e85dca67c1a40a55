import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/support/redis.js';
import { createLogger } from '../observability/logger.js';
import { connectRedis } from './redis-client.js';
import { createListCache, type ListCache, type ListCacheSettings, type ValueCodec } from './list-cache.js';

const json: ValueCodec<string[]> = { encode: (value) => JSON.stringify(value), decode: (text) => JSON.parse(text) as string[] };
const logger = createLogger('silent');

/** A load that counts its calls and, when asked, waits to be released. */
function countingLoad(value: () => string[]) {
  let calls = 0;
  let gate: Promise<void> | undefined;
  let release = () => undefined as void;
  return {
    load: async () => {
      calls += 1;
      if (gate) await gate;
      return value();
    },
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => {
      gate = undefined;
      release();
    },
    get calls() {
      return calls;
    },
  };
}

const metric = async (registry: Registry, name: string, labels: Record<string, string>) =>
  (await registry.getSingleMetric(name)?.get())?.values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))?.value;

describe.each(['redis', 'memory'] as const)('the list cache (%s tier)', (tierName) => {
  let redisServer: TestRedis | undefined;
  let redis: Redis | undefined;
  const caches: ListCache[] = [];
  let site = 0;

  beforeAll(async () => {
    if (tierName === 'redis') {
      redisServer = await startRedis();
      redis = connectRedis(redisServer.url, logger);
      await new Promise((resolve) => redis!.once('ready', resolve));
    }
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisServer?.stop();
  });

  /** Each test a site of its own, so that no entry carries over. */
  async function cache(settings: ListCacheSettings = { freshMs: 60_000, staleMs: 60_000 }, registry = new Registry()) {
    const made = createListCache({ ...(redis && { redis }), site: `s${(site += 1)}`, settings, registry, logger });
    // Alone in this process: no other process to hear from.
    await made.start();
    caches.push(made);
    return made;
  }

  it('loads once for 500 concurrent requests of an entry nobody has cached, and serves the rest from the cache', async () => {
    const lists = await cache();
    const counted = countingLoad(() => ['a', 'b']);
    counted.hold();
    const all = Array.from({ length: 500 }, () => lists.get('day:2026-03-14', '50:', counted.load, json));
    await new Promise((resolve) => setTimeout(resolve, 20));
    counted.release();
    const values = await Promise.all(all);
    expect(values.every((value) => value.join() === 'a,b')).toBe(true);
    expect(counted.calls).toBe(1);
    expect(await lists.get('day:2026-03-14', '50:', counted.load, json)).toEqual(['a', 'b']);
    expect(counted.calls).toBe(1);
  });

  it('serves a stale entry to 500 concurrent requests while one load refreshes it', async () => {
    // Fresh for no time at all: every read finds the entry stale, never missing.
    const lists = await cache({ freshMs: 0, staleMs: 60_000 });
    let version = 1;
    const counted = countingLoad(() => [`v${version}`]);
    expect(await lists.get('day:2026-03-15', '50:', counted.load, json)).toEqual(['v1']);
    version = 2;
    counted.hold();
    const values = await Promise.all(Array.from({ length: 500 }, () => lists.get('day:2026-03-15', '50:', counted.load, json)));
    expect(new Set(values.map((value) => value.join()))).toEqual(new Set(['v1']));
    expect(counted.calls).toBe(2);
    counted.release();
    await expect.poll(() => lists.get('day:2026-03-15', '50:', async () => ['unused'], json)).toEqual(['v2']);
  });

  it('never serves an entry of a scope invalidated since, even one whose load began before the write', async () => {
    const lists = await cache();
    let rows = ['before'];
    const counted = countingLoad(() => rows);
    expect(await lists.get('policy:abc', '200:', counted.load, json)).toEqual(['before']);
    expect(await lists.get('policy:other', '200:', async () => ['other'], json)).toEqual(['other']);

    rows = ['after'];
    await lists.invalidate(['policy:abc']);
    expect(await lists.get('policy:abc', '200:', counted.load, json)).toEqual(['after']);
    // Another scope keeps its entry.
    expect(await lists.get('policy:other', '200:', async () => ['reloaded'], json)).toEqual(['other']);

    // A load racing a write: it read the old rows, the write committed and invalidated, the load finishes.
    await lists.invalidate(['policy:abc']);
    rows = ['old rows, read before the write'];
    counted.hold();
    const racing = lists.get('policy:abc', '200:', counted.load, json);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await lists.invalidate(['policy:abc']);
    counted.release();
    expect(await racing).toEqual(['old rows, read before the write']);
    rows = ['rows after the write'];
    expect(await lists.get('policy:abc', '200:', counted.load, json)).toEqual(['rows after the write']);
  });

  it('keeps pages of one scope apart by their key', async () => {
    const lists = await cache();
    expect(await lists.get('day:2026-03-16', '50:', async () => ['first page'], json)).toEqual(['first page']);
    expect(await lists.get('day:2026-03-16', '50:123', async () => ['second page'], json)).toEqual(['second page']);
    expect(await lists.get('day:2026-03-16', '50:', async () => ['unused'], json)).toEqual(['first page']);
  });
});

describe('the list cache when Redis goes away', () => {
  let redisServer: TestRedis;
  let redis: Redis;
  beforeAll(async () => {
    redisServer = await startRedis();
    redis = connectRedis(redisServer.url, logger);
    await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('answers from the load while Redis is down, counts it, and caches again once Redis is back', async () => {
    const registry = new Registry();
    // A bypass after a failure lasts fresh + stale: short here, so the test sees the cache return.
    const name = 'gone';
    const lists = createListCache({ redis, site: name, settings: { freshMs: 200, staleMs: 0 }, registry, logger });
    const counted = countingLoad(() => ['from postgres']);
    await lists.get('day:2026-03-17', '50:', counted.load, json);
    await redisServer.kill();
    for (let i = 0; i < 5; i++) expect(await lists.get('day:2026-03-17', '50:', counted.load, json)).toEqual(['from postgres']);
    expect(await metric(registry, 'crashdesk_list_cache_errors_total', { site: name })).toBeGreaterThan(0);
    expect(await metric(registry, 'crashdesk_list_cache_requests_total', { site: name, result: 'bypass' })).toBe(5);

    await redisServer.restart();
    await expect.poll(() => redis.status, { timeout: 10_000 }).toBe('ready');
    await expect
      .poll(
        async () => {
          await lists.get('day:2026-03-17', '50:', counted.load, json);
          return metric(registry, 'crashdesk_list_cache_requests_total', { site: name, result: 'fresh' });
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(0);
  });
});
