import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { startLeaseHeartbeat } from './lease-heartbeat.js';
import { createIdGenerator, decodeId } from './snowflake.js';
import { acquireWorkerLease } from './worker-lease.js';

const RACE_CHILD = fileURLToPath(new URL('../../test/support/worker-lease-race-child.ts', import.meta.url));
type RaceReport = ({ workerSlot: number; holder: string } | { error: string })[];

/** Starts a child process that leases `count` slots when told to go, and reports what it got. */
function startRacer(url: string, count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', RACE_CHILD, url, String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdout.setEncoding('utf8');
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.startsWith('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`race child exited with ${code} before it was ready`)));
  });
  const report = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`race child exited with ${code}: ${output}`);
    return JSON.parse(output.split('\n')[1]!) as RaceReport;
  });
  return { ready, report, go: () => child.stdin.end('go\n') };
}

describe('worker leases', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());
  beforeEach(async () => {
    await db.sql`delete from id_worker_leases`;
  });

  const storedLastMs = async (workerSlot: number) => {
    const [row] = await db.sql<{ last_ms: string }[]>`
      select last_ms::text from id_worker_leases where worker_slot = ${workerSlot}`;
    return Number(row!.last_ms);
  };

  it('leases the lowest free slot, with floor 0 on a slot never used', async () => {
    const first = await acquireWorkerLease(db.sql);
    const second = await acquireWorkerLease(db.sql);
    expect([first.workerSlot, second.workerSlot]).toEqual([0, 1]);
    expect(first.floorMs).toBe(0);
    expect(first.holder).not.toBe(second.holder);
    expect(first.mintingBlocked()).toBeUndefined();
  });

  it('never gives one slot to two racing processes, and fails the 17th holder clearly', async () => {
    const racers = [5, 4, 4, 4].map((count) => startRacer(db.url, count));
    await Promise.all(racers.map((racer) => racer.ready));
    racers.forEach((racer) => racer.go());
    const results = (await Promise.all(racers.map((racer) => racer.report))).flat();

    const leased = results.flatMap((result) => ('workerSlot' in result ? [result] : []));
    const failed = results.flatMap((result) => ('error' in result ? [result.error] : []));
    expect(leased.map((lease) => lease.workerSlot).sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/all 16 id worker slots of this site are leased by live processes/);
    const rows = await db.sql<{ worker_slot: number; holder: string }[]>`select worker_slot, holder from id_worker_leases`;
    expect(new Map(rows.map((row) => [row.worker_slot, row.holder]))).toEqual(new Map(leased.map((lease) => [lease.workerSlot, lease.holder])));
  });

  it("takes over an expired lease with the old holder's last_ms as floor, and the old holder finds it lost", async () => {
    const old = await acquireWorkerLease(db.sql, { ttlMs: 300 });
    const generator = createIdGenerator({ siteNumber: 1, workerSlot: old.workerSlot, mintingBlocked: old.mintingBlocked });
    const oldIds = await Promise.all(Array.from({ length: 100 }, () => generator.next()));
    expect(await old.renew(generator.lastMs)).toBe(true);
    const oldLastMs = await storedLastMs(old.workerSlot);
    await sleep(400);

    const successor = await acquireWorkerLease(db.sql);
    expect(successor.workerSlot).toBe(old.workerSlot);
    expect(successor.floorMs).toBe(oldLastMs);
    for (const id of oldIds) expect(decodeId(id).timestamp.getTime()).toBeLessThanOrEqual(successor.floorMs);
    expect(await old.renew(generator.lastMs)).toBe(false);
    await expect(generator.next()).rejects.toThrow(/lease on slot 0 was lost/);
  });

  it('frees a released slot at once and keeps its last minted ms for the next holder', async () => {
    const lease = await acquireWorkerLease(db.sql);
    const generator = createIdGenerator({ siteNumber: 1, workerSlot: lease.workerSlot, mintingBlocked: lease.mintingBlocked });
    const lastId = await generator.next();
    await lease.release(generator.lastMs);
    await expect(generator.next()).rejects.toThrow(/was released/);

    const next = await acquireWorkerLease(db.sql);
    expect(next.workerSlot).toBe(lease.workerSlot);
    expect(next.floorMs).toBe(decodeId(lastId).timestamp.getTime());
  });

  it('blocks minting once unrenewed for ttl minus the safety margin, until a renewal succeeds', async () => {
    let monotonicMs = 0;
    const lease = await acquireWorkerLease(db.sql, { ttlMs: 3000, safetyMarginMs: 600, monotonicNow: () => monotonicMs });
    monotonicMs = 2399;
    expect(lease.mintingBlocked()).toBeUndefined();
    monotonicMs = 2400;
    expect(lease.mintingBlocked()?.message).toMatch(/not renewed within 2400 ms/);
    expect(await lease.renew(0)).toBe(true);
    expect(lease.mintingBlocked()).toBeUndefined();
  });

  it("keeps the row alive with the generator's last ms on every heartbeat", async () => {
    const lease = await acquireWorkerLease(db.sql, { ttlMs: 600 });
    const generator = createIdGenerator({ siteNumber: 1, workerSlot: lease.workerSlot, mintingBlocked: lease.mintingBlocked });
    const heartbeat = startLeaseHeartbeat(lease, { lastMintedMs: () => generator.lastMs, onLost: vi.fn(), onError: vi.fn() });
    try {
      for (let i = 0; i < 10; i++) {
        await sleep(100);
        await generator.next(); // would reject had the local validity window (480 ms) ever closed
      }
      // The stored ms bounds everything minted until the window closes, not just what was minted so far.
      expect(await storedLastMs(lease.workerSlot)).toBeGreaterThanOrEqual(generator.lastMs);
      const [row] = await db.sql<{ live: boolean }[]>`
        select expires_at > now() as live from id_worker_leases where worker_slot = ${lease.workerSlot}`;
      expect(row?.live).toBe(true);
    } finally {
      heartbeat.stop();
    }
  });

  it('stops minting when its row is deleted behind its back, at the next heartbeat', async () => {
    const lease = await acquireWorkerLease(db.sql, { ttlMs: 600 });
    const generator = createIdGenerator({ siteNumber: 1, workerSlot: lease.workerSlot, mintingBlocked: lease.mintingBlocked });
    const onLost = vi.fn();
    startLeaseHeartbeat(lease, { lastMintedMs: () => generator.lastMs, onLost, onError: vi.fn() });
    await generator.next();
    await db.sql`delete from id_worker_leases where worker_slot = ${lease.workerSlot}`;
    await vi.waitFor(() => expect(onLost).toHaveBeenCalledOnce(), { timeout: 2000 });
    await expect(generator.next()).rejects.toThrow(/was lost/);
  });

  it('reports heartbeat database errors without crashing and keeps trying', async () => {
    const doomed = postgres(db.url, { max: 1, onnotice: () => undefined });
    const lease = await acquireWorkerLease(doomed, { ttlMs: 60 });
    await doomed.end();
    const onError = vi.fn();
    const heartbeat = startLeaseHeartbeat(lease, { lastMintedMs: () => 0, onLost: vi.fn(), onError });
    try {
      await vi.waitFor(() => expect(onError.mock.calls.length).toBeGreaterThanOrEqual(2), { timeout: 2000 });
      expect(onError.mock.calls[0]![0]).toMatchObject({ message: `renewing the id worker lease on slot ${lease.workerSlot}` });
      expect(lease.mintingBlocked()).toBeInstanceOf(Error);
    } finally {
      heartbeat.stop();
    }
  });
});
