import type { Sql } from 'postgres';
import { startLeaseHeartbeat, type LeaseHeartbeat } from './lease-heartbeat.js';
import type { IdsMetrics } from './metrics.js';
import { createIdGenerator, IdsUnavailableError, MAX_SITE_NUMBER, type IdGenerator } from './snowflake.js';
import { acquireWorkerLease, DEFAULT_LEASE_TTL_MS, type WorkerLease, type WorkerLeaseOptions } from './worker-lease.js';

export interface SiteIdsOptions extends WorkerLeaseOptions {
  readonly siteNumber: number;
  readonly maxBackwardWaitMs?: number;
  /** Failed renewals, lost leases, failed re-acquisitions: worth a log line, never a crash. */
  readonly onError?: (error: Error) => void;
  readonly metrics?: IdsMetrics;
}

/** The id source the API uses: `next()` per created report, `ready()` in /readyz, `stop()` on shutdown. */
export interface SiteIds {
  next(): Promise<bigint>;
  ready(): boolean;
  /** The slot currently leased, for logs; undefined while looking for a new one. */
  readonly workerSlot: number | undefined;
  stop(): Promise<void>;
}

interface Worker {
  readonly lease: WorkerLease;
  readonly generator: IdGenerator;
  readonly heartbeat: LeaseHeartbeat;
}

/** Leases a worker slot of the site and mints ids on it, moving to a fresh slot whenever the lease is lost. */
export async function createSiteIds(sql: Sql, options: SiteIdsOptions): Promise<SiteIds> {
  const { siteNumber, maxBackwardWaitMs, clock, metrics, onError = (error: Error) => process.emitWarning(error) } = options;
  if (!Number.isInteger(siteNumber) || siteNumber < 0 || siteNumber > MAX_SITE_NUMBER) {
    throw new RangeError(`siteNumber must be an integer in 0..${MAX_SITE_NUMBER}, got ${siteNumber}`);
  }
  const retryMs = Math.floor((options.ttlMs ?? DEFAULT_LEASE_TTL_MS) / 3);
  // Carried across leases: a slot deleted behind our back can come back to us with a floor below our ids.
  let carriedLastMs = 0;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let acquiring: Promise<void> = Promise.resolve();

  async function startWorker(): Promise<Worker> {
    const lease = await acquireWorkerLease(sql, options);
    const generator = createIdGenerator({
      siteNumber,
      workerSlot: lease.workerSlot,
      floorMs: Math.max(lease.floorMs, carriedLastMs),
      clock,
      maxBackwardWaitMs,
      mintingBlocked: lease.mintingBlocked,
      onHalt: metrics?.clockStepHalted,
    });
    const worker: Worker = {
      lease,
      generator,
      heartbeat: startLeaseHeartbeat(lease, {
        lastMintedMs: () => generator.lastMs,
        onLost: () => replaceLostWorker(worker),
        onError,
      }),
    };
    return worker;
  }

  async function stopWorker(worker: Worker): Promise<void> {
    worker.heartbeat.stop();
    await worker.lease.release(worker.generator.lastMs);
  }

  let worker: Worker | undefined = await startWorker();

  function replaceLostWorker(lost: Worker) {
    if (worker !== lost) return;
    worker = undefined;
    metrics?.leaseLost();
    carriedLastMs = Math.max(carriedLastMs, lost.generator.lastMs);
    onError(new Error(`id worker slot ${lost.lease.workerSlot} lost; leasing another`, { cause: lost.lease.mintingBlocked() }));
    reacquire();
  }

  function reacquire() {
    acquiring = startWorker().then(
      async (fresh) => {
        if (stopped) return stopWorker(fresh);
        worker = fresh;
      },
      (cause: unknown) => {
        onError(new Error(`re-acquiring an id worker lease; retrying in ${retryMs} ms`, { cause }));
        if (stopped) return;
        retryTimer = setTimeout(reacquire, retryMs);
        retryTimer.unref();
      },
    );
  }

  const ready = () => worker !== undefined && worker.generator.halted === undefined && worker.lease.mintingBlocked() === undefined;
  const unwatch = metrics?.watch(() => ({ halted: !ready(), lastMintedMs: worker?.generator.lastMs }));

  return {
    async next() {
      if (!worker) {
        const why = stopped ? 'ids were stopped' : 'the id worker lease was lost and a new one is not leased yet';
        throw new IdsUnavailableError(why);
      }
      const id = await worker.generator.next();
      metrics?.minted();
      return id;
    },
    ready,
    get workerSlot() {
      return worker?.lease.workerSlot;
    },
    async stop() {
      stopped = true;
      unwatch?.();
      clearTimeout(retryTimer);
      await acquiring;
      const current = worker;
      worker = undefined;
      if (current) await stopWorker(current);
    },
  };
}
