// Snowflake ids: 1 zero sign bit | 41 bits of ms since the crashdesk epoch | 6 bits of site number |
// 4 bits of worker slot | 12 bits of sequence. The site number splits the worker space between sites,
// so two sites can never mint the same id even though they never talk to each other.

export const CRASHDESK_EPOCH_MS = Date.UTC(2026, 0, 1);
export const MAX_SITE_NUMBER = 63;
export const MAX_WORKER_SLOT = 15;
export const MAX_SEQUENCE = 4095;
export const MAX_ID = 2n ** 63n - 1n;
const MAX_TIMESTAMP_OFFSET = 2 ** 41 - 1;

/**
 * Leap-second steps and NTP step corrections are about a second; waiting that long keeps a request
 * within any sane HTTP timeout, while anything bigger is a broken clock worth surfacing as unready.
 */
export const DEFAULT_MAX_BACKWARD_WAIT_MS = 1000;

/** Minting is refused for now (clock stepped back, lease not valid); the HTTP layer maps it to 503. */
export class IdsUnavailableError extends Error {
  override readonly name = 'IdsUnavailableError';
}

export interface IdGeneratorOptions {
  readonly siteNumber: number;
  readonly workerSlot: number;
  /** Wall clock in Unix ms; `Date.now` unless a test steers time. */
  readonly clock?: () => number;
  /** Last Unix ms the previous holder of this worker slot may have minted at; never minted at or below. */
  readonly floorMs?: number;
  readonly maxBackwardWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Checked right before each id is minted: a reason not to mint now (e.g. the worker lease lapsed). */
  readonly mintingBlocked?: () => Error | undefined;
  /** Told when a big backward clock step halts minting (once per halt). */
  readonly onHalt?: () => void;
}

export interface IdGenerator {
  readonly siteNumber: number;
  readonly workerSlot: number;
  next(): Promise<bigint>;
  /** Why minting is stopped by a big backward clock step; clears once the clock passes `lastMs`. */
  readonly halted: Error | undefined;
  /** Unix ms of the newest id minted (or the floor): what the lease records for the next holder. */
  readonly lastMs: number;
}

const sleepWithTimer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createIdGenerator(options: IdGeneratorOptions): IdGenerator {
  const { siteNumber, workerSlot, clock = Date.now, sleep = sleepWithTimer, mintingBlocked, onHalt } = options;
  const maxBackwardWaitMs = options.maxBackwardWaitMs ?? DEFAULT_MAX_BACKWARD_WAIT_MS;
  assertIntegerIn('siteNumber', siteNumber, 0, MAX_SITE_NUMBER);
  assertIntegerIn('workerSlot', workerSlot, 0, MAX_WORKER_SLOT);
  const workerBits = BigInt((siteNumber << 4) | workerSlot) << 12n;

  // The previous holder may have used every sequence number at the floor ms, so start as if we had too.
  let lastMs = options.floorMs ?? 0;
  let sequence = MAX_SEQUENCE;
  let lastMsBits = 0n; // (lastMs - epoch) << 22 | worker bits, cached because the ms changes rarely
  let halted: IdsUnavailableError | undefined;

  /** Mints synchronously (the common path allocates only the id), or says how long to wait first. */
  function mintOrWaitMs(): bigint | number {
    const blocked = mintingBlocked?.();
    if (blocked) throw blocked;
    const now = clock();
    if (now > lastMs) {
      const offset = now - CRASHDESK_EPOCH_MS;
      if (offset < 0 || offset > MAX_TIMESTAMP_OFFSET) {
        throw new IdsUnavailableError(`clock reads ${new Date(now).toISOString()}, outside the 41-bit id time range`);
      }
      halted = undefined;
      lastMs = now;
      lastMsBits = (BigInt(offset) << 22n) | workerBits;
      sequence = 0;
      return lastMsBits | BigInt(sequence);
    }
    if (halted) throw halted;
    const behindMs = lastMs - now;
    if (behindMs > maxBackwardWaitMs) {
      halted = new IdsUnavailableError(
        `clock stepped back ${behindMs} ms (more than ${maxBackwardWaitMs} ms): id minting halted on worker ` +
          `${siteNumber}/${workerSlot} until the clock passes ${new Date(lastMs).toISOString()}`,
      );
      onHalt?.();
      throw halted;
    }
    // Same ms, or a small step back: ids stay unique and increasing at lastMs while sequence lasts.
    if (sequence < MAX_SEQUENCE) {
      sequence += 1;
      return lastMsBits | BigInt(sequence);
    }
    return behindMs + 1;
  }

  async function nextAfterWaiting(waitMs: number): Promise<bigint> {
    for (;;) {
      await sleep(waitMs);
      const minted = mintOrWaitMs();
      if (typeof minted === 'bigint') return minted;
      waitMs = minted;
    }
  }

  return {
    siteNumber,
    workerSlot,
    next() {
      try {
        const minted = mintOrWaitMs();
        return typeof minted === 'bigint' ? Promise.resolve(minted) : nextAfterWaiting(minted);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error('minting an id', { cause: error }));
      }
    },
    get halted() {
      return halted && clock() <= lastMs ? halted : undefined;
    },
    get lastMs() {
      return lastMs;
    },
  };
}

export interface DecodedId {
  readonly timestamp: Date;
  readonly siteNumber: number;
  readonly workerSlot: number;
  readonly sequence: number;
}

export function decodeId(id: bigint): DecodedId {
  if (id < 0n || id > MAX_ID) throw new RangeError(`${id} is not a 63-bit id`);
  const low = Number(id & 0x3f_ffffn);
  return {
    timestamp: new Date(Number(id >> 22n) + CRASHDESK_EPOCH_MS),
    siteNumber: low >>> 16,
    workerSlot: (low >>> 12) & 0xf,
    sequence: low & 0xfff,
  };
}

// Canonical form only, so one id has exactly one spelling in URLs and caches.
const CANONICAL_ID = /^[1-9][0-9]{0,18}$/;

/** An id from untrusted text: a positive decimal without sign, leading zeros or spaces, at most 2^63-1. */
export function parseId(text: string): bigint | undefined {
  if (typeof text !== 'string' || !CANONICAL_ID.test(text)) return undefined;
  const id = BigInt(text);
  return id <= MAX_ID ? id : undefined;
}

function assertIntegerIn(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  }
}
