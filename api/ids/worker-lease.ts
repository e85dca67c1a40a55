import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Sql } from 'postgres';
import { IdsUnavailableError, MAX_WORKER_SLOT } from './snowflake.js';

// Any constant works; every replica of the site must use the same one, distinct from the migration lock.
const WORKER_LEASE_LOCK = 4_180_337_562;

/** Long enough that a database hiccup of a few seconds costs no minting, short enough to recycle slots fast. */
export const DEFAULT_LEASE_TTL_MS = 15_000;

export interface WorkerLeaseOptions {
  readonly ttlMs?: number;
  /**
   * Minting stops this long before the database could hand the slot to someone else, to absorb a
   * step of the database clock or drift between clock rates. Default ttl / 5 (3 s for the default ttl).
   */
  readonly safetyMarginMs?: number;
  /** Unix ms, the generator's clock: bounds the ms this holder may mint at, for the next holder's floor. */
  readonly clock?: () => number;
  /** Steady ms for the local validity window; `performance.now` unless a test steers time. */
  readonly monotonicNow?: () => number;
}

export interface WorkerLease {
  readonly workerSlot: number;
  readonly holder: string;
  readonly ttlMs: number;
  /** Last ms the previous holder may have minted at: the new generator's floor. */
  readonly floorMs: number;
  /** Why minting must not happen now (lost, released, or not renewed in time); undefined while valid. */
  readonly mintingBlocked: () => Error | undefined;
  /** Extends the lease; false when the row is no longer ours, which ends the lease for good. */
  renew(lastMintedMs: number): Promise<boolean>;
  /** Ends minting and frees the slot, keeping `last_ms` so the next holder starts above our ids. */
  release(lastMintedMs: number): Promise<void>;
}

/**
 * Leases the lowest free worker slot of the site. `last_ms` always holds a ceiling on the ms this
 * holder may still mint at (the wall clock at the end of its current validity window), not only what
 * it minted so far: a holder that dies between heartbeats then leaves a floor its successor can trust,
 * without relying on the two hosts' wall clocks agreeing.
 */
export async function acquireWorkerLease(sql: Sql, options: WorkerLeaseOptions = {}): Promise<WorkerLease> {
  const { clock = Date.now, monotonicNow = () => performance.now() } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const safetyMarginMs = options.safetyMarginMs ?? Math.round(ttlMs / 5);
  // A heartbeat every ttl / 3 then gets at least two tries before minting stops.
  if (!Number.isInteger(ttlMs) || ttlMs < 3 || safetyMarginMs < 0 || safetyMarginMs >= (ttlMs * 2) / 3) {
    throw new RangeError(`lease ttl ${ttlMs} ms with safety margin ${safetyMarginMs} ms leaves no time to renew`);
  }
  const validForMs = ttlMs - safetyMarginMs;
  const holder = randomUUID();
  // Taken before the database's now(), so the local window always closes before the database's expiry.
  const sentAt = monotonicNow();
  // Stored at once: if we die before the first heartbeat, the next holder still starts above our ids.
  const mintCeilingMs = clock() + validForMs;
  type Claim = { workerSlot: number; floorMs: number } | { earliestExpiry: Date | null };
  let claim: Claim;
  try {
    claim = await sql.begin(async (tx): Promise<Claim> => {
      await tx`select pg_advisory_xact_lock(${WORKER_LEASE_LOCK})`;
      const free = await tx<{ worker_slot: number; last_ms: string }[]>`
        select s.worker_slot, coalesce(l.last_ms, 0)::text as last_ms
        from generate_series(0, ${MAX_WORKER_SLOT}::integer) as s (worker_slot)
        left join id_worker_leases l using (worker_slot)
        where l.expires_at is null or l.expires_at <= now()
        order by s.worker_slot`;
      for (const slot of free) {
        // The expiry is checked again: the old holder's renewal does not take the advisory lock.
        const taken = await tx`
          insert into id_worker_leases (worker_slot, holder, expires_at, last_ms)
          values (${slot.worker_slot}, ${holder}, now() + ${ttlMs}::integer * interval '1 millisecond', ${mintCeilingMs})
          on conflict (worker_slot) do update
            set holder = excluded.holder, expires_at = excluded.expires_at,
                last_ms = greatest(id_worker_leases.last_ms, excluded.last_ms)
            where id_worker_leases.expires_at <= now()
          returning worker_slot`;
        if (taken.count === 1) return { workerSlot: slot.worker_slot, floorMs: Number(slot.last_ms) };
      }
      const [row] = await tx<{ earliest_expiry: Date | null }[]>`
        select min(expires_at) as earliest_expiry from id_worker_leases`;
      return { earliestExpiry: row?.earliest_expiry ?? null };
    });
  } catch (cause) {
    throw new Error('acquiring an id worker lease', { cause });
  }
  if ('earliestExpiry' in claim) {
    throw new IdsUnavailableError(
      `all ${MAX_WORKER_SLOT + 1} id worker slots of this site are leased by live processes ` +
        `(the first expires at ${claim.earliestExpiry?.toISOString()}); run at most ${MAX_WORKER_SLOT + 1} replicas per site`,
    );
  }
  const { workerSlot, floorMs } = claim;

  let validUntil = sentAt + validForMs;
  let ended: IdsUnavailableError | undefined;
  let renewing: Promise<unknown> = Promise.resolve();

  async function renewOnce(lastMintedMs: number): Promise<boolean> {
    const renewSentAt = monotonicNow();
    const ceilingMs = Math.max(lastMintedMs, clock() + validForMs);
    const renewed = await sql`
      update id_worker_leases
      set expires_at = now() + ${ttlMs}::integer * interval '1 millisecond',
          last_ms = greatest(last_ms, ${ceilingMs})
      where worker_slot = ${workerSlot} and holder = ${holder}`;
    if (ended) return false;
    if (renewed.count === 0) {
      ended = new IdsUnavailableError(`id worker lease on slot ${workerSlot} was lost: the row is no longer ours`);
      return false;
    }
    validUntil = Math.max(validUntil, renewSentAt + validForMs);
    return true;
  }

  return {
    workerSlot,
    holder,
    ttlMs,
    floorMs,
    mintingBlocked() {
      if (ended) return ended;
      if (monotonicNow() < validUntil) return undefined;
      return new IdsUnavailableError(`id worker lease on slot ${workerSlot} was not renewed within ${validForMs} ms`);
    },
    renew(lastMintedMs) {
      if (ended) return Promise.resolve(false);
      const renewal = renewOnce(lastMintedMs);
      renewing = renewal.catch(() => undefined);
      return renewal;
    },
    async release(lastMintedMs) {
      ended ??= new IdsUnavailableError(`id worker lease on slot ${workerSlot} was released`);
      // A renewal landing after the release would hold the freed slot for another ttl.
      await renewing;
      try {
        await sql`
          update id_worker_leases set expires_at = now(), last_ms = ${Math.max(lastMintedMs, floorMs)}
          where worker_slot = ${workerSlot} and holder = ${holder}`;
      } catch (cause) {
        throw new Error(`releasing the id worker lease on slot ${workerSlot}`, { cause });
      }
    },
  };
}
