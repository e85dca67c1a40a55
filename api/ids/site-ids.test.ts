import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createSiteIds, type SiteIds, type SiteIdsOptions } from './site-ids.js';
import { decodeId } from './snowflake.js';

describe('createSiteIds', () => {
  let db: TestDatabase;
  let started: SiteIds[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());
  beforeEach(async () => {
    await db.sql`delete from id_worker_leases`;
  });
  afterEach(async () => {
    await Promise.all(started.map((ids) => ids.stop()));
    started = [];
  });

  async function start(options: SiteIdsOptions): Promise<SiteIds> {
    const ids = await createSiteIds(db.sql, options);
    started.push(ids);
    return ids;
  }

  it('mints ids carrying the site number and its leased slot, and frees the slot on stop', async () => {
    const ids = await start({ siteNumber: 12 });
    const other = await start({ siteNumber: 12 });
    expect(ids.ready()).toBe(true);
    expect(decodeId(await ids.next())).toMatchObject({ siteNumber: 12, workerSlot: 0 });
    expect(decodeId(await other.next())).toMatchObject({ siteNumber: 12, workerSlot: 1 });

    await ids.stop();
    expect(ids.ready()).toBe(false);
    await expect(ids.next()).rejects.toThrow(/stopped/);
    const [row] = await db.sql<{ live: boolean }[]>`
      select expires_at > now() as live from id_worker_leases where worker_slot = 0`;
    expect(row?.live).toBe(false);
  });

  it('turns unready and rejects next() while halted by a large backward clock step', async () => {
    let stepMs = 0;
    const ids = await start({ siteNumber: 1, clock: () => Date.now() + stepMs });
    const before = await ids.next();
    stepMs = -5000;
    await expect(ids.next()).rejects.toThrow(/clock stepped back \d+ ms .*minting halted/);
    expect(ids.ready()).toBe(false);
    stepMs = 0;
    await vi.waitFor(() => expect(ids.ready()).toBe(true));
    expect(await ids.next()).toBeGreaterThan(before);
  });

  it('turns unready while its lease is not known valid, and ready again after the next renewal', async () => {
    let skewMs = 0;
    const ids = await start({ siteNumber: 1, ttlMs: 600, monotonicNow: () => performance.now() + skewMs });
    await ids.next();
    skewMs = 10_000; // as if the process had been paused past its validity window
    expect(ids.ready()).toBe(false);
    await expect(ids.next()).rejects.toThrow(/not renewed within 480 ms/);
    await vi.waitFor(() => expect(ids.ready()).toBe(true), { timeout: 2000 });
    await ids.next();
  });

  it('moves to a free slot when its lease is stolen, and its ids keep increasing', async () => {
    const onError = vi.fn();
    const ids = await start({ siteNumber: 1, ttlMs: 600, onError });
    const before = await ids.next();
    await db.sql`
      update id_worker_leases set holder = gen_random_uuid(), expires_at = now() + interval '1 minute'
      where worker_slot = 0`;
    await vi.waitFor(() => expect(ids.workerSlot).toBe(1), { timeout: 2000 });
    expect(ids.ready()).toBe(true);
    const after = await ids.next();
    expect(decodeId(after).workerSlot).toBe(1);
    expect(after).toBeGreaterThan(before);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'id worker slot 0 lost; leasing another' }));
  });

  it('leases again after its row is deleted behind its back, minting above its earlier ids', async () => {
    const onError = vi.fn();
    const ids = await start({ siteNumber: 1, ttlMs: 600, onError });
    const before = await Promise.all(Array.from({ length: 1000 }, () => ids.next()));
    await db.sql`delete from id_worker_leases`;
    await vi.waitFor(() => expect(onError).toHaveBeenCalled(), { timeout: 2000 });
    await vi.waitFor(() => expect(ids.ready()).toBe(true));
    const after = await ids.next();
    expect(decodeId(after).workerSlot).toBe(0);
    expect(after).toBeGreaterThan(before.at(-1)!);
  });

  it('refuses a site number outside 0..63 before leasing anything', async () => {
    await expect(createSiteIds(db.sql, { siteNumber: 64 })).rejects.toThrow(RangeError);
    expect(await db.sql`select 1 from id_worker_leases`).toHaveLength(0);
  });
});
