import type { WorkerLease } from './worker-lease.js';

export interface LeaseHeartbeatOptions {
  /** The generator's newest ms, recorded with each renewal for whoever holds the slot next. */
  readonly lastMintedMs: () => number;
  /** The row is no longer ours: the lease has already stopped minting; the caller finds a new slot. */
  readonly onLost: () => void;
  /** A renewal failed (database down, timeout); the lease lapses on its own if this keeps happening. */
  readonly onError: (error: Error) => void;
  /** Default ttl / 3, so two renewals can fail before the local validity window closes. */
  readonly everyMs?: number;
}

export interface LeaseHeartbeat {
  stop(): void;
}

/**
 * Renews the lease on a timer that never keeps the process alive. A chain of timeouts rather than an
 * interval, so a slow database never piles renewals on top of each other.
 */
export function startLeaseHeartbeat(lease: WorkerLease, options: LeaseHeartbeatOptions): LeaseHeartbeat {
  const { lastMintedMs, onLost, onError, everyMs = Math.floor(lease.ttlMs / 3) } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => void beat(), everyMs);
    timer.unref();
  }

  async function beat() {
    try {
      if (await lease.renew(lastMintedMs())) return schedule();
    } catch (cause) {
      onError(new Error(`renewing the id worker lease on slot ${lease.workerSlot}`, { cause }));
      return schedule();
    }
    if (stopped) return;
    stopped = true;
    try {
      onLost();
    } catch (cause) {
      onError(new Error(`handling the loss of the id worker lease on slot ${lease.workerSlot}`, { cause }));
    }
  }

  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
