import { afterAll, beforeAll } from 'vitest';
import { accidentReportTests } from '../support/accidents-routes-suite.js';
import { createTestSite } from '../support/site.js';
import { type StreamingReplica, startStreamingReplica } from '../support/streaming-replica.js';

// The report routes' suite again, with day pages, lookups and exports read from a synchronous
// streaming replica (every commit applied there before it returns, so the suite reads its writes).
let replica: StreamingReplica;
beforeAll(async () => {
  replica = await startStreamingReplica({ synchronous: true });
}, 60_000);
afterAll(async () => {
  await replica?.stop();
});

accidentReportTests('reading lists from a streaming replica', () =>
  createTestSite({
    server: (database) => replica.primary.url(database),
    readReplica: { urlOf: (url) => replica.replicaUrl(url), maxLagMs: 5000, checkIntervalMs: 200 },
  }),
);
