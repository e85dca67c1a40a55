import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { Gauge, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';

export interface ReadRoutingOptions {
  readonly primary: Sql;
  /** A streaming replica of `primary` (DATABASE_READ_URL, CloudNativePG's `-ro` service). */
  readonly replica: Sql;
  /** Beyond this much lag, reads go to the primary until the replica catches up. */
  readonly maxLagMs: number;
  /** How often the replica's position is compared with the primary's. */
  readonly checkIntervalMs?: number;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly site: string;
}

/** Where reads that may be a little behind go: the replica while it keeps up, else the primary. */
export interface ReadRouting {
  /** Runs `read` on the replica when it is usable, on the primary otherwise or should the replica fail it. */
  read<T>(read: (db: Sql) => Promise<T>): Promise<T>;
  /** Compares positions once now (the start, and tests). */
  check(): Promise<void>;
  start(): Promise<void>;
  stop(): void;
}

export const readReplicaMetricsOf = perRegistry((registry: Registry) => ({
  lag: new Gauge({
    name: 'crashdesk_read_replica_lag_seconds',
    help: 'How far the read replica is behind the primary, by time (NaN while it cannot be reached; 0 without a replica, every read on the primary)',
    labelNames: ['site'] as const,
    registers: [registry],
  }),
  inUse: new Gauge({
    name: 'crashdesk_read_replica_in_use',
    help: '1 while lists, lookups and exports are read from the replica, 0 while they fall back to the primary',
    labelNames: ['site'] as const,
    registers: [registry],
  }),
}));

interface Sample {
  readonly at: number;
  readonly lsn: bigint;
}

/** `pg_lsn` text (`16/B374D848`) as a number, so positions compare. */
function lsnOf(text: string): bigint {
  const [high = '0', low = '0'] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/**
 * Lag is measured as time, not as bytes or as the age of the last replayed transaction (which
 * grows on an idle primary with nothing to replay): each check notes the primary's WAL position
 * and when it was read; the replica is as far behind as the oldest noted position it has not
 * replayed yet. Nothing unreplayed: no lag.
 */
export function createReadRouting(options: ReadRoutingOptions): ReadRouting {
  const { primary, replica, maxLagMs, logger, site } = options;
  const interval = options.checkIntervalMs ?? 1000;
  const { lag: lagGauge, inUse } = readReplicaMetricsOf(options.registry);
  let samples: Sample[] = [];
  let usable = false;
  let timer: NodeJS.Timeout | undefined;

  function use(next: boolean, why: string) {
    if (next !== usable) logger[next ? 'info' : 'warn']({ reason: why }, next ? 'reading lists from the replica again' : 'reading lists from the primary');
    usable = next;
    inUse.set({ site }, next ? 1 : 0);
  }

  async function check(): Promise<void> {
    const now = Date.now();
    const [head] = await primary<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
    if (head) samples.push({ at: now, lsn: lsnOf(head.lsn) });
    let replayed: bigint;
    try {
      // Bounded: a replica that stopped answering (a half-open connection) is as good as gone.
      const [row] = await withTimeout(replica<{ lsn: string | null }[]>`select pg_last_wal_replay_lsn()::text as lsn`, CHECK_TIMEOUT_MS);
      // Null: not a standby at all (a primary given as DATABASE_READ_URL would always be "caught up").
      if (!row?.lsn) throw new Error('DATABASE_READ_URL is not a streaming replica (pg_last_wal_replay_lsn() is null)');
      replayed = lsnOf(row.lsn);
    } catch (error) {
      lagGauge.set({ site }, Number.NaN);
      use(false, error instanceof Error ? error.message : String(error));
      return;
    }
    samples = samples.filter((sample) => sample.lsn > replayed);
    const lagMs = samples.length === 0 ? 0 : now - samples[0]!.at;
    lagGauge.set({ site }, lagMs / 1000);
    use(lagMs <= maxLagMs, `replica lag ${lagMs} ms, bound ${maxLagMs} ms`);
  }

  return {
    async read(read) {
      if (!usable) return read(primary);
      try {
        return await read(replica);
      } catch (error) {
        // A replica gone between two checks costs this read one retry, never an error.
        if (!isConnectionFailure(error)) throw error;
        use(false, error instanceof Error ? error.message : String(error));
        return read(primary);
      }
    },
    check,
    async start() {
      inUse.set({ site }, 0);
      await check().catch((error: unknown) => logger.warn({ err: error }, 'checking the read replica failed'));
      timer = setInterval(() => {
        check().catch((error: unknown) => logger.warn({ err: error }, 'checking the read replica failed'));
      }, interval);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the read replica did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Lists and lookups of a site without a replica: the primary, always. */
/** Without a replica: every read on the primary, and the metric says so (in use 0, no lag). */
export function primaryOnly(primary: Sql, metrics?: { readonly registry: Registry; readonly site: string }): ReadRouting {
  if (metrics) {
    const { lag, inUse } = readReplicaMetricsOf(metrics.registry);
    inUse.set({ site: metrics.site }, 0);
    lag.set({ site: metrics.site }, 0);
  }
  return { read: (read) => read(primary), check: async () => undefined, start: async () => undefined, stop: () => undefined };
}

// Errors that say the replica could not be reached or went away, not that the query was wrong.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'CONNECTION_DESTROYED',
]);

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return false;
  // 57P01..57P03: the server is shutting down or starting; 08xxx: connection exceptions.
  // 40001 on a standby: a query cancelled by a conflict with the WAL it replays.
  return CONNECTION_CODES.has(code) || code.startsWith('08') || code.startsWith('57P') || code === '40001';
}
