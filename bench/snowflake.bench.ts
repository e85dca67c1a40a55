import { bench, describe } from 'vitest';
import { createIdGenerator } from '../api/ids/snowflake.js';

// Speed is measured here rather than asserted in tests: timings on a shared CI runner are noise.
describe('createIdGenerator', () => {
  bench(
    '1,000,000 ids from 4 interleaved generators',
    async () => {
      const generators = [0, 1, 2, 3].map((workerSlot) => createIdGenerator({ siteNumber: 7, workerSlot }));
      await Promise.all(
        generators.map(async (generator) => {
          for (let i = 0; i < 250_000; i++) await generator.next();
        }),
      );
    },
    { iterations: 5 },
  );
});
