import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createWorkQueue } from './queue.js';

describe('createWorkQueue', () => {
  it('never runs one key twice at once, and runs it again once if it was added meanwhile', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const queue = createWorkQueue(
      async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(20);
        running--;
      },
      { concurrency: 4 },
    );
    queue.add('a');
    await sleep(5);
    queue.add('a');
    queue.add('a');
    await sleep(5);
    await queue.idle();
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
  });

  it('runs different keys in parallel up to the concurrency', async () => {
    let running = 0;
    let maxRunning = 0;
    const queue = createWorkQueue(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(20);
        running--;
      },
      { concurrency: 2 },
    );
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    await sleep(1);
    await queue.idle();
    expect(maxRunning).toBe(2);
  });

  it('retries a failing key with exponentially growing delays', async () => {
    const attempts: number[] = [];
    const queue = createWorkQueue(
      async () => {
        attempts.push(Date.now());
        if (attempts.length < 4) throw new Error('not yet');
      },
      { concurrency: 1, baseDelayMs: 20 },
    );
    queue.add('a');
    while (attempts.length < 4) await sleep(10);
    const gaps = attempts.slice(1).map((at, index) => at - (attempts[index] ?? at));
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
  });

  it('runs a key again after the delay it asked for', async () => {
    let runs = 0;
    const queue = createWorkQueue(async () => (++runs === 1 ? { requeueAfterMs: 30 } : undefined), { concurrency: 1 });
    queue.add('a');
    await sleep(5);
    expect(runs).toBe(1);
    await sleep(60);
    expect(runs).toBe(2);
  });

  it('reports its depth and takes nothing after shutdown', async () => {
    const depths: number[] = [];
    let runs = 0;
    const queue = createWorkQueue(
      async () => {
        runs++;
        await sleep(10);
      },
      { concurrency: 1, onDepth: (depth) => depths.push(depth) },
    );
    queue.add('a');
    queue.add('b');
    expect(Math.max(...depths)).toBeGreaterThanOrEqual(1);
    await queue.shutdown();
    queue.add('c');
    await sleep(20);
    expect(runs).toBe(1);
    expect(queue.depth).toBe(0);
  });
});
