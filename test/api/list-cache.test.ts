import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAccidentsStore } from '../../api/accidents/store.js';
import { createAuditTrail } from '../../api/audit/trail.js';
import { createListCache } from '../../api/cache/list-cache.js';
import { createPlainFieldCodec } from '../../api/crypto/field-codec.js';
import { createLogger } from '../../api/observability/logger.js';
import { createBatchApplier } from '../../api/replication/apply.js';
import { replicationMetrics } from '../../api/replication/metrics.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { replicatedReport } from '../support/replicated-report.js';
import { createTestSite, newReport, type TestSite } from '../support/site.js';

const DAY = '2026-04-02';

describe('day pages and policy lookups cached in the city’s Redis', () => {
  let redis: TestRedis;
  let site: TestSite;
  let agent: string;
  let other: Awaited<ReturnType<TestSite['startAnother']>>;

  beforeAll(async () => {
    redis = await startRedis();
    // Fresh long enough to outlast each test; after a Redis failure a process reads around it for as long.
    site = await createTestSite({ redisUrl: redis.url, listCache: { freshMs: 5000, staleMs: 0 } });
    agent = await site.tokenFor('agent');
    other = await site.startAnother();
  });
  afterAll(async () => {
    await other?.running.stop();
    await site?.stop();
    await redis?.stop();
  });

  const ids = async (app: { request: TestSite['app']['request'] }, query: string) => {
    const response = await app.request(`/london/v1/accidents?${query}`, { headers: { authorization: `Bearer ${agent}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: { id: string }[] }).items.map((item) => item.id);
  };

  it('shows a report recorded, changed or deleted at once, though the page and the lookup were cached', async () => {
    const first = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: DAY, policyNumber: 'LC-1001' }) });
    expect(await ids(site.app, `date=${DAY}`)).toEqual([first.body.id]);
    expect(await ids(site.app, 'policyNumber=LC-1001')).toEqual([first.body.id]);

    const second = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: DAY, policyNumber: 'LC-1001' }) });
    expect(await ids(site.app, `date=${DAY}`)).toEqual([second.body.id, first.body.id]);
    expect(await ids(site.app, 'policyNumber=LC-1001')).toEqual([second.body.id, first.body.id]);

    // Moved to another policy and day: gone from both cached lists, found in the new ones.
    const moved = await site.call('PATCH', `/v1/accidents/${second.body.id}`, {
      token: agent,
      headers: { 'if-match': '"1"' },
      body: { policyNumber: 'LC-2002', accidentDate: '2026-04-03' },
    });
    expect(moved.status).toBe(200);
    expect(await ids(site.app, `date=${DAY}`)).toEqual([first.body.id]);
    expect(await ids(site.app, 'policyNumber=LC-1001')).toEqual([first.body.id]);
    expect(await ids(site.app, 'policyNumber=LC-2002')).toEqual([second.body.id]);

    const supervisor = await site.tokenFor('supervisor');
    expect((await site.call('DELETE', `/v1/accidents/${first.body.id}`, { token: supervisor })).status).toBe(204);
    expect(await ids(site.app, `date=${DAY}`)).toEqual([]);
    expect(await ids(site.app, 'policyNumber=LC-1001')).toEqual([]);
  });

  it('shares entries and invalidations between two replicas of the site', async () => {
    const day = '2026-04-04';
    const before = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: day }) });
    // The other replica caches the page (its own process would keep it for 5 s)...
    expect(await ids(other.app, `date=${day}`)).toEqual([before.body.id]);
    // ...and still sees at once what this one records, since the write bumped the shared generation.
    const after = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: day }) });
    expect(await ids(other.app, `date=${day}`)).toEqual([after.body.id, before.body.id]);
  });

  it('keeps only what PostgreSQL keeps sealed: no driver, policy number or place in any key or value', async () => {
    const marker = `zq${randomBytes(8).toString('hex')}`;
    const fields = {
      drivers: [`Driver ${marker}d1`],
      policyNumber: `${marker}P`,
      location: `Road ${marker}loc`,
      cause: `Cause ${marker}c`,
      summary: `Summary ${marker}s`,
    };
    const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: '2026-04-05', ...fields }) });
    expect(await ids(site.app, 'date=2026-04-05')).toEqual([created.body.id]);
    expect(await ids(site.app, `policyNumber=${encodeURIComponent(fields.policyNumber)}`)).toEqual([created.body.id]);

    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('*');
      expect(keys.some((key) => key.includes('day:2026-04-05'))).toBe(true);
      const values = await Promise.all(keys.map((key) => client.getBuffer(key)));
      const everything = Buffer.concat([Buffer.from(keys.join('\n')), ...values.filter((value) => value !== null)]);
      expect(everything.includes(marker)).toBe(false);
      expect(everything.includes(Buffer.from(marker).toString('base64').slice(0, 12))).toBe(false);
    } finally {
      client.disconnect();
    }
  });

  it('answers every list from PostgreSQL while Redis is killed, and caches in it again once it is back', async () => {
    const day = '2026-04-06';
    const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: day }) });
    await redis.kill();
    try {
      for (let i = 0; i < 5; i++) expect(await ids(site.app, `date=${day}`)).toEqual([created.body.id]);
      const more = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: day }) });
      expect(more.status).toBe(201);
      expect(await ids(other.app, `date=${day}`)).toEqual([more.body.id, created.body.id]);
    } finally {
      await redis.restart();
    }
    const client = new Redis(redis.url);
    try {
      await expect
        .poll(
          async () => {
            await ids(site.app, `date=${day}`);
            return (await client.keys('*day:2026-04-06*')).length;
          },
          { timeout: 30_000, interval: 200 },
        )
        .toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });
});

describe('day pages cached in each process, without Redis', () => {
  let site: TestSite;
  let agent: string;
  let other: Awaited<ReturnType<TestSite['startAnother']>>;
  beforeAll(async () => {
    site = await createTestSite({ listCache: { freshMs: 60_000, staleMs: 60_000 } });
    agent = await site.tokenFor('agent');
    other = await site.startAnother();
  });
  afterAll(async () => {
    await other?.running.stop();
    await site?.stop();
  });

  it('drops a page in every process of the site when one of them records a report on its day (NOTIFY)', async () => {
    const day = '2026-04-08';
    const list = async (app: TestSite['app']) => {
      const response = await app.request(`/london/v1/accidents?date=${day}`, { headers: { authorization: `Bearer ${agent}` } });
      return ((await response.json()) as { items: { id: string }[] }).items.map((item) => item.id);
    };
    const first = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: day }) });
    expect(await list(other.app)).toEqual([first.body.id]);
    const second = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: day }) });
    // The other process kept the page for a minute; the announcement reaches it within moments.
    await vi.waitFor(async () => expect(await list(other.app)).toEqual([second.body.id, first.body.id]), { timeout: 5000, interval: 50 });
  });
});

describe('a replicated batch invalidates the cached lists it changes', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
    await db?.drop();
  });

  it('lists a report a batch from leeds brought, on the day and under the policy that were cached without it', async () => {
    const codec = createPlainFieldCodec();
    const logger = createLogger('silent');
    const registry = new Registry();
    const lists = createListCache({ redis: client, site: 'hq', settings: { freshMs: 60_000, staleMs: 60_000 }, registry, logger });
    let next = 7_000_000_000_000_000n;
    const store = createAccidentsStore({ sql: db.sql, site: 'hq', codec, ids: { next: async () => (next += 1n) }, idempotencyTtlSeconds: 60, lists });
    const applyBatch = createBatchApplier({
      sql: db.sql,
      codec,
      audit: createAuditTrail(db.sql),
      site: 'hq',
      metrics: replicationMetrics(registry),
      logger,
      lists,
    });

    const local = await store.create(newReport({ accidentDate: '2026-04-07', policyNumber: 'RB-3003' }), 'agent');
    expect(local.kind).toBe('created');
    expect((await store.listByDate('2026-04-07', 50)).items.map((item) => item.policyNumber)).toEqual(['RB-3003']);
    expect((await store.findByPolicy('RB-3003', 200)).items).toHaveLength(1);

    const arriving = replicatedReport('leeds', {
      id: '7263512391163904777',
      accidentDate: '2026-04-07',
      damages: [],
      createdAt: '2026-04-07T09:00:00.000000Z',
      updatedAt: '2026-04-07T09:00:00.000000Z',
      fields: { drivers: ['Sarah Standl'], policyNumber: 'RB-3003', location: 'M23, junction 10', cause: '', summary: '' },
    });
    expect(await applyBatch('leeds', { lastSeq: 1, reports: [arriving] })).toMatchObject({ applied: 1 });
    expect((await store.listByDate('2026-04-07', 50)).items.map((item) => item.id)).toEqual([arriving.id, (local as { report: { id: string } }).report.id]);
    expect((await store.findByPolicy('RB-3003', 200)).items).toHaveLength(2);
  });
});
