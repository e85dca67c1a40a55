import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { FieldCodec } from '../crypto/field-codec.js';
import { backoffDelay } from './backoff.js';
import { recordCheckpoint } from './checkpoints.js';
import type { ReplicationMetrics } from './metrics.js';
import type { PeerClient } from './peer-client.js';
import { type SigningKey, signRequest } from './signing.js';
import { readStates } from './states.js';

export interface ShipperOptions {
  readonly sql: Sql;
  readonly codec: FieldCodec;
  readonly site: string;
  readonly target: string;
  /** The peer's base URL, read at every attempt (undefined: not known yet, try later). */
  readonly url: () => string | undefined;
  /** The key that signs requests to the target, read at every attempt; undefined: ship nothing now (the target is revoked). */
  readonly signingKey: () => SigningKey | undefined;
  readonly client: PeerClient;
  readonly batchSize: number;
  readonly intervalMs: number;
  readonly backoffMaxMs: number;
  readonly requestTimeoutMs?: number;
  readonly logger: Logger;
  readonly metrics: ReplicationMetrics;
}

export interface ShipperState {
  readonly peer: string;
  readonly consecutiveFailures: number;
  readonly lastError: string | undefined;
  readonly lastSuccessAt: string | undefined;
}

/**
 * Delivers one target's outbox: claim the oldest rows nobody else holds (`FOR UPDATE SKIP LOCKED`,
 * so every replica of the site can ship at once), send their reports' current states, and delete
 * the rows in the same transaction only once the peer has applied them. Any failure rolls back, so
 * the rows wait for the next attempt: delivered at least once, and applied once by the conflict
 * rule. Idle, it polls every interval; failing, it backs off exponentially with jitter.
 */
export function startShipper(options: ShipperOptions) {
  const { sql, codec, site, target, batchSize, logger } = options;
  const labels = { site, peer: target };
  // From 0, so that a panel or an alert on failures sees 0 rather than nothing.
  options.metrics.failures.inc(labels, 0);
  options.metrics.shipped.inc(labels, 0);
  const path = `/${target}/internal/replication/batch`;
  let failures = 0;
  let lastError: string | undefined;
  let lastSuccessAt: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let idle = false;
  // Stopping cuts a request in flight: its rows roll back and ship again after the restart.
  const stopping = new AbortController();

  async function shipBatch(): Promise<number> {
    const base = options.url();
    const signing = options.signingKey();
    // Not a failure: the local platform learns its own address only once it listens, and a revoked
    // city is shipped nothing (its rows wait, should it be reinstated).
    if (!base || !signing) return 0;
    return sql.begin(async (tx) => {
      const claimed = await tx<{ seq: string; reportId: string }[]>`
        select seq::text as seq, report_id::text as "reportId" from replication_outbox
        where target = ${target} order by replication_outbox.seq limit ${batchSize} for update skip locked`;
      if (claimed.length === 0) return 0;
      const lastSeq = Number(claimed.at(-1)!.seq);
      const reports = await readStates(tx, codec, [...new Set(claimed.map((row) => row.reportId))]);
      const body = JSON.stringify({ lastSeq, reports });
      const stop = options.metrics.batchSeconds.startTimer(labels);
      let response: { status: number; text: string };
      try {
        response = await options.client(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signRequest(signing, site, 'POST', path, body) },
          body,
          signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(options.requestTimeoutMs ?? 15_000)]),
        });
      } catch (cause) {
        stop({ outcome: 'error' });
        throw new Error(`sending a batch to ${target} failed`, { cause });
      }
      const ok = response.status >= 200 && response.status < 300;
      stop({ outcome: ok ? 'ok' : 'error' });
      if (!ok) throw new Error(`${target} refused a batch: ${response.status} ${response.text.slice(0, 300)}`);
      await tx`delete from replication_outbox where seq = any(${claimed.map((row) => row.seq)}::bigint[])`;
      await recordCheckpoint(tx, target, 'shipped', lastSeq);
      options.metrics.shipped.inc(labels, reports.length);
      return claimed.length;
    });
  }

  function schedule(delayMs: number, waitingIdle = false) {
    if (stopped) return;
    idle = waitingIdle;
    timer = setTimeout(() => {
      idle = false;
      running = tick().finally(() => (running = undefined));
    }, delayMs);
    timer.unref();
  }

  async function tick() {
    try {
      const shipped = await shipBatch();
      if (failures > 0) logger.info({ peer: target, after: failures }, 'replication to the peer resumed');
      failures = 0;
      lastError = undefined;
      lastSuccessAt = new Date().toISOString();
      // A full batch means more is waiting: go again at once, still yielding to the event loop.
      schedule(shipped >= batchSize ? 0 : options.intervalMs, shipped < batchSize);
    } catch (error) {
      if (stopped) return;
      failures += 1;
      lastError = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
      options.metrics.failures.inc(labels);
      const delay = backoffDelay(failures, options.intervalMs, options.backoffMaxMs);
      // The first failure and then every tenth: a peer down for an hour should not flood the log.
      if (failures === 1 || failures % 10 === 0) logger.warn({ peer: target, failures, retryInMs: delay, err: error }, 'replication batch failed; backing off');
      schedule(delay);
    }
  }

  schedule(0);
  return {
    target,
    /** Something was queued for the target in this process: an idle shipper goes now (never one backing off). */
    wake() {
      if (!idle || stopped) return;
      clearTimeout(timer);
      schedule(0);
    },
    state: (): ShipperState => ({ peer: target, consecutiveFailures: failures, lastError, lastSuccessAt }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      stopping.abort();
      await running;
    },
  };
}

export type Shipper = ReturnType<typeof startShipper>;
