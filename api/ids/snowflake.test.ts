import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIdGenerator, CRASHDESK_EPOCH_MS, decodeId, MAX_ID, parseId } from './snowflake.js';

const T = Date.UTC(2026, 10, 21, 8, 0, 0);

/** A wall clock the test steps by hand; sleeping advances it, as real time would. */
function manualClock(startMs: number) {
  let now = startMs;
  const slept: number[] = [];
  return {
    clock: () => now,
    set: (ms: number) => void (now = ms),
    slept,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('createIdGenerator', () => {
  it('draws 1,000,000 unique ids from 4 concurrent generators, strictly increasing per generator', async () => {
    const perGenerator = 250_000;
    const ids = new BigUint64Array(4 * perGenerator);
    const generators = [0, 1, 2, 3].map((workerSlot) => createIdGenerator({ siteNumber: 7, workerSlot }));
    await Promise.all(
      generators.map(async (generator, g) => {
        let previous = 0n;
        for (let i = 0; i < perGenerator; i++) {
          const id = await generator.next();
          if (id <= previous) throw new Error(`generator ${g}: id ${id} after ${previous}`);
          ids[g * perGenerator + i] = previous = id;
        }
      }),
    );
    ids.sort();
    let duplicates = 0;
    for (let i = 1; i < ids.length; i++) if (ids[i] === ids[i - 1]) duplicates++;
    expect(duplicates).toBe(0);
    expect(ids[0]).toBeGreaterThan(0n);
  });

  it('mints ids that decode to its site number, worker slot and the current ms', async () => {
    const time = manualClock(T);
    const generator = createIdGenerator({ siteNumber: 42, workerSlot: 9, clock: time.clock });
    const first = decodeId(await generator.next());
    const second = decodeId(await generator.next());
    expect(first).toEqual({ timestamp: new Date(T), siteNumber: 42, workerSlot: 9, sequence: 0 });
    expect(second).toEqual({ timestamp: new Date(T), siteNumber: 42, workerSlot: 9, sequence: 1 });
  });

  it('gives different ids to two sites minting at the same ms on the same slot', async () => {
    const time = manualClock(T);
    const site1 = createIdGenerator({ siteNumber: 1, workerSlot: 3, clock: time.clock });
    const site2 = createIdGenerator({ siteNumber: 2, workerSlot: 3, clock: time.clock });
    const [a, b] = [await site1.next(), await site2.next()];
    expect(a).not.toBe(b);
    expect(decodeId(a)).toMatchObject({ timestamp: new Date(T), siteNumber: 1, sequence: 0 });
    expect(decodeId(b)).toMatchObject({ timestamp: new Date(T), siteNumber: 2, sequence: 0 });
  });

  it('waits for the next ms once the 4096 sequence numbers of one ms are used up', async () => {
    const time = manualClock(T);
    const generator = createIdGenerator({ siteNumber: 0, workerSlot: 0, clock: time.clock, sleep: time.sleep });
    const ids = await Promise.all(Array.from({ length: 4097 }, () => generator.next()));
    expect(decodeId(ids[4095]!)).toMatchObject({ timestamp: new Date(T), sequence: 4095 });
    expect(decodeId(ids[4096]!)).toMatchObject({ timestamp: new Date(T + 1), sequence: 0 });
    expect(time.slept).toEqual([1]);
  });

  it('waits out a small backward clock step and keeps minting increasing ids', async () => {
    const time = manualClock(T);
    const generator = createIdGenerator({ siteNumber: 0, workerSlot: 0, clock: time.clock, sleep: time.sleep });
    let previous = await generator.next();
    time.set(T - 500);
    for (let i = 0; i < 10_000; i++) {
      const id = await generator.next();
      expect(id).toBeGreaterThan(previous);
      previous = id;
    }
    expect(time.slept[0]).toBe(501); // the whole step, once the sequence left at T was spent
    expect(decodeId(previous).timestamp.getTime()).toBeGreaterThan(T);
    expect(generator.halted).toBeUndefined();
  });

  it('halts on a large backward clock step until the clock passes the last minted ms', async () => {
    const time = manualClock(T);
    const generator = createIdGenerator({ siteNumber: 0, workerSlot: 0, clock: time.clock, sleep: time.sleep });
    const before = await generator.next();
    time.set(T - 5000);
    await expect(generator.next()).rejects.toThrow(/clock stepped back 5000 ms .*minting halted/);
    expect(generator.halted?.message).toMatch(/clock stepped back 5000 ms/);
    time.set(T - 10); // back within the small-step range, but still behind: stays halted
    await expect(generator.next()).rejects.toThrow(/minting halted/);
    expect(time.slept).toEqual([]);
    time.set(T + 1);
    expect(generator.halted).toBeUndefined();
    expect(await generator.next()).toBeGreaterThan(before);
  });

  it('never mints at or below floorMs, waiting for the clock to pass it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -300, max: 300 }), async (floorAheadMs) => {
        const time = manualClock(T);
        const floorMs = T + floorAheadMs;
        const generator = createIdGenerator({ siteNumber: 0, workerSlot: 0, clock: time.clock, sleep: time.sleep, floorMs });
        for (let i = 0; i < 3; i++) {
          expect(decodeId(await generator.next()).timestamp.getTime()).toBeGreaterThan(floorMs);
        }
      }),
    );
  });

  it('refuses to mint while mintingBlocked gives a reason', async () => {
    let reason: Error | undefined = new Error('lease lapsed');
    const generator = createIdGenerator({ siteNumber: 0, workerSlot: 0, mintingBlocked: () => reason });
    await expect(generator.next()).rejects.toThrow('lease lapsed');
    reason = undefined;
    expect(await generator.next()).toBeGreaterThan(0n);
  });

  it('rejects site numbers and worker slots outside their bits', () => {
    expect(() => createIdGenerator({ siteNumber: 64, workerSlot: 0 })).toThrow(RangeError);
    expect(() => createIdGenerator({ siteNumber: 0, workerSlot: 16 })).toThrow(RangeError);
  });
});

describe('decodeId', () => {
  it('decodes the crashdesk epoch as time zero and round-trips every field', () => {
    expect(decodeId(0n).timestamp.getTime()).toBe(CRASHDESK_EPOCH_MS);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 41 - 1 }),
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 4095 }),
        (offset, siteNumber, workerSlot, sequence) => {
          const id = (BigInt(offset) << 22n) | (BigInt(siteNumber) << 16n) | (BigInt(workerSlot) << 12n) | BigInt(sequence);
          expect(decodeId(id)).toEqual({ timestamp: new Date(CRASHDESK_EPOCH_MS + offset), siteNumber, workerSlot, sequence });
        },
      ),
    );
  });
});

describe('parseId', () => {
  it.each(['', '0', '-1', '+1', '01', '9223372036854775808', '99999999999999999999', '1e3', ' 1', '1 ', 'abc', '0x1f', '1.0'])('rejects %j', (text) =>
    expect(parseId(text)).toBeUndefined(),
  );

  it('accepts 1 and 9223372036854775807', () => {
    expect(parseId('1')).toBe(1n);
    expect(parseId('9223372036854775807')).toBe(MAX_ID);
  });

  it('reads back every positive id from its decimal string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_ID }), (id) => {
        expect(parseId(id.toString())).toBe(id);
      }),
    );
  });
});
