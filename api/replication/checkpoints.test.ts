import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '../../test/support/site.js';
import { hasCheckpoint, readCheckpoints, recordCheckpoint } from './checkpoints.js';

describe('replication checkpoints', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite({ site: 'leeds', siteNumber: 2, encryption: 'off' });
  });
  afterAll(() => site?.stop());

  it('only move forward, so a batch arriving late cannot pull a position back', async () => {
    await recordCheckpoint(site.sql, 'hq', 'applied', 40);
    await recordCheckpoint(site.sql, 'hq', 'applied', 12);
    expect((await readCheckpoints(site.sql))('hq', 'applied')).toMatchObject({ peer: 'hq', direction: 'applied', position: 40 });
  });

  it('read back with microsecond times, and each peer and direction on its own', async () => {
    await recordCheckpoint(site.sql, 'hq', 'shipped', 7);
    const checkpoint = await readCheckpoints(site.sql);
    expect(checkpoint('hq', 'shipped')?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(checkpoint('hq', 'backfilled')).toBeUndefined();
    expect(await hasCheckpoint(site.sql, 'hq', 'backfilled')).toBe(false);
    await recordCheckpoint(site.sql, 'hq', 'backfilled', 0);
    expect(await hasCheckpoint(site.sql, 'hq', 'backfilled')).toBe(true);
  });
});
