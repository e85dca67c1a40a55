import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { idsMetrics } from './metrics.js';
import { createSiteIds } from './site-ids.js';

describe('the id metrics', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  async function value(registry: Registry, name: string): Promise<number | undefined> {
    const { values } = await registry.getSingleMetric(name)!.get();
    return values.find((sample) => sample.labels.site === 'london')?.value;
  }

  it('count ids minted and a clock step that halts minting, and show the halt while it lasts', async () => {
    const registry = new Registry();
    let stepMs = 0;
    const ids = await createSiteIds(db.sql, { siteNumber: 3, clock: () => Date.now() + stepMs, metrics: idsMetrics(registry, 'london') });
    try {
      await ids.next();
      await ids.next();
      expect(await value(registry, 'crashdesk_ids_minted_total')).toBe(2);
      expect(await value(registry, 'crashdesk_ids_minting_halted')).toBe(0);
      expect(await value(registry, 'crashdesk_ids_clock_step_halts_total')).toBe(0);
      const newest = (await value(registry, 'crashdesk_ids_last_minted_timestamp_seconds'))!;

      stepMs = -5000;
      await expect(ids.next()).rejects.toThrow(/minting halted/);
      await expect(ids.next()).rejects.toThrow(/minting halted/);
      expect(await value(registry, 'crashdesk_ids_clock_step_halts_total')).toBe(1);
      expect(await value(registry, 'crashdesk_ids_minting_halted')).toBe(1);
      expect(await value(registry, 'crashdesk_ids_minted_total')).toBe(2);
      expect(await value(registry, 'crashdesk_ids_last_minted_timestamp_seconds')).toBe(newest);
    } finally {
      await ids.stop();
    }
    // A stopped site reports no state.
    expect(await value(registry, 'crashdesk_ids_minting_halted')).toBeUndefined();
  });
});
