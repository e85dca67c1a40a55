import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { FieldCodec } from '../crypto/field-codec.js';
import type { ListCache, ListScope } from '../cache/list-cache.js';
import { applyStates } from './apply.js';
import { backoffDelay } from './backoff.js';
import { hasCheckpoint, recordCheckpoint } from './checkpoints.js';
import type { ReplicationMetrics } from './metrics.js';
import { HQ } from './outbox.js';
import type { SnapshotPage } from './schema.js';
import type { PeerClient } from './peer-client.js';
import { type SigningKey, signRequest } from './signing.js';

class AddressUnknown extends Error {}

export interface BackfillOptions {
  readonly sql: Sql;
  readonly codec: FieldCodec;
  readonly site: string;
  readonly hqUrl: () => string | undefined;
  /** The city's own key and its version. */
  readonly signingKey: SigningKey;
  readonly client: PeerClient;
  /** This city's base URL as HQ should reach it, announced at registration. */
  readonly ownUrl?: string;
  readonly pageSize: number;
  /** Invalidated after each snapshot page commits. */
  readonly lists?: ListCache;
  readonly intervalMs: number;
  readonly backoffMaxMs: number;
  readonly logger: Logger;
  readonly metrics: ReplicationMetrics;
}

/**
 * A city's first start: register at HQ (from then on HQ queues every change for this city), then
 * read HQ's every report page by page, keyset on id, applying each page by the conflict rule. What
 * changes during the snapshot arrives through the outbox as well; applying it twice is harmless.
 * Writes go on meanwhile. Retried with back-off until done; done once per database.
 */
export function startBackfill(options: BackfillOptions) {
  const { sql, site, logger } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const stopping = new AbortController();
  let failures = 0;
  let done = false;

  async function call(method: 'GET' | 'POST', path: string, body = ''): Promise<unknown> {
    const base = options.hqUrl();
    if (!base) throw new AddressUnknown();
    const { status, text } = await options.client(`${base}${path}`, {
      method,
      headers: { ...(body && { 'content-type': 'application/json' }), ...signRequest(options.signingKey, site, method, path, body) },
      ...(body && { body }),
      signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(30_000)]),
    });
    if (status < 200 || status >= 300) throw new Error(`hq answered ${method} ${path} with ${status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  }

  async function run(): Promise<void> {
    if (await hasCheckpoint(sql, HQ, 'backfilled')) return;
    await call('POST', `/${HQ}/internal/replication/register`, JSON.stringify(options.ownUrl ? { url: options.ownUrl } : {}));
    let after = '0';
    let count = 0;
    for (;;) {
      if (stopped) return;
      const page = (await call('GET', `/${HQ}/internal/replication/snapshot?after=${after}&limit=${options.pageSize}`)) as SnapshotPage;
      const touched: ListScope[] = [];
      const outcome = await sql.begin((tx) => applyStates(tx, options.codec, page.reports, { receiver: site, sender: HQ }, touched));
      await options.lists?.invalidate(touched);
      if (outcome.refused.length > 0) logger.warn({ refused: outcome.refused }, "refused states in hq's snapshot");
      options.metrics.applied.inc({ site, peer: HQ }, outcome.applied.length);
      count += page.reports.length;
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    await recordCheckpoint(sql, HQ, 'backfilled', count);
    logger.info({ reports: count }, 'backfilled from hq');
  }

  function attempt(delayMs: number) {
    timer = setTimeout(() => {
      run().then(
        () => (done = true),
        (error: unknown) => {
          if (stopped) return;
          // The local platform learns its own address only once it listens: wait, do not count it.
          if (error instanceof AddressUnknown) return attempt(options.intervalMs);
          failures += 1;
          options.metrics.failures.inc({ site, peer: HQ });
          const delay = backoffDelay(failures, options.intervalMs, options.backoffMaxMs);
          if (failures === 1 || failures % 10 === 0) logger.warn({ err: error, failures, retryInMs: delay }, 'backfill from hq failed; retrying');
          attempt(delay);
        },
      );
    }, delayMs);
    timer.unref();
  }

  attempt(0);
  return {
    done: () => done,
    stop() {
      stopped = true;
      clearTimeout(timer);
      stopping.abort();
    },
  };
}
