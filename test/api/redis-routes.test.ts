import { afterAll, beforeAll } from 'vitest';
import { accidentReportTests } from '../support/accidents-routes-suite.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { createTestSite } from '../support/site.js';

// The report routes' suite again, with day pages and lookups cached in a real Redis, fresh for a
// minute: every write the suite makes must reach its next read through the invalidation alone.
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

accidentReportTests('lists cached in Redis', () => createTestSite({ redisUrl: redis.url, listCache: { freshMs: 60_000, staleMs: 60_000 } }));
