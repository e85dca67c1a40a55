import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { Registry } from 'prom-client';
import type { AuditLog } from '../audit/audit-log.js';
import type { FieldCodec } from '../crypto/field-codec.js';
import { createBatchApplier } from './apply.js';
import { startBackfill } from './backfill.js';
import type { InternalRoutesDeps } from './internal-routes.js';
import { type PeerLag, replicationMetrics } from './metrics.js';
import { enqueue, enqueueFor, HQ, listPeers, OUTBOX_CHANNEL, outboxListener, registerPeer } from './outbox.js';
import { type Shipper, startShipper } from './shipper.js';
import { deriveCityKey } from './signing.js';
import { readStatePage } from './states.js';
import type { ReplicationStatus } from './status-routes.js';
import { UTC_MICROS } from '../db/timestamps.js';

export interface ReplicationSettings {
  /** HQ: the platform's replication secret. A city: its own key, derived from it (./signing.ts). */
  readonly secret: string;
  /** A city: HQ's base URL (scheme://host:port, without the `/hq` prefix). */
  readonly hqUrl?: string;
  /** HQ: the cities it ships to and their base URLs; cities may also register themselves. */
  readonly peers?: Readonly<Record<string, string | undefined>>;
  /** A city: its own base URL as HQ reaches it, announced when it registers. */
  readonly ownUrl?: string;
  /**
   * The local platform: every site is in this process, so every peer is at this process's own
   * address, known only once it listens (undefined until then). Overrides every URL above.
   */
  readonly loopbackUrl?: () => string | undefined;
  readonly batchSize: number;
  readonly intervalMs: number;
  readonly backoffMaxMs: number;
}

export interface ReplicationDeps {
  readonly sql: Sql;
  readonly site: string;
  readonly codec: FieldCodec;
  readonly audit: AuditLog;
  readonly logger: Logger;
  readonly registry?: Registry;
  /** Absent: this site neither ships nor accepts anything (a test site on its own). */
  readonly settings?: ReplicationSettings;
}

// How often HQ looks for cities that registered at another replica of HQ.
const PEER_REFRESH_MS = 5_000;

/** Replication for one site: the outbox's listener, the shippers, a city's backfill, the routes' handlers. */
export function createReplication({ sql, site, codec, audit, logger, settings, registry }: ReplicationDeps) {
  const isHq = site === HQ;
  const enabled = settings !== undefined && (isHq || settings.hqUrl !== undefined || settings.loopbackUrl !== undefined);
  const metrics = replicationMetrics(registry ?? new Registry());
  const shippers = new Map<string, Shipper>();
  const peerUrls = new Map<string, string | null>();
  let backfill: ReturnType<typeof startBackfill> | undefined;
  let refresh: NodeJS.Timeout | undefined;
  let notifications: { unlisten(): Promise<void> } | undefined;
  const wakeShippers = () => {
    for (const shipper of shippers.values()) shipper.wake();
  };

  const urlOf = (peer: string) => () => (settings?.loopbackUrl ? settings.loopbackUrl() : (isHq ? peerUrls.get(peer) : settings?.hqUrl) ?? undefined);
  const keyFor = (peer: string): string | undefined => {
    if (!settings) return undefined;
    if (isHq) return peer === HQ ? undefined : deriveCityKey(settings.secret, peer);
    return peer === HQ ? settings.secret : undefined;
  };

  function ensureShipper(peer: string) {
    if (!settings || shippers.has(peer)) return;
    const key = keyFor(peer);
    if (!key) return;
    shippers.set(peer, startShipper({ ...settings, sql, codec, site, target: peer, url: urlOf(peer), key, logger, metrics }));
  }

  async function refreshPeers() {
    for (const { site: peer, url } of await listPeers(sql)) {
      peerUrls.set(peer, url);
      ensureShipper(peer);
    }
  }

  const applyBatch = createBatchApplier({
    sql,
    codec,
    audit,
    site,
    metrics,
    ...(isHq && {
      fanOut: {
        // Fan out what changed; answer a city whose state lost with the winner.
        async queue(tx, source, outcome) {
          await enqueue(tx, HQ, outcome.applied, source);
          await enqueueFor(tx, source, outcome.rejected);
        },
        // The fan-out just committed: HQ's shippers need not wait for their next poll.
        committed: wakeShippers,
      },
    }),
  });

  async function lagByPeer(): Promise<PeerLag[]> {
    const rows = await sql<{ peer: string; backlogRows: number; lagSeconds: number }[]>`
      select target as peer, count(*)::int as "backlogRows",
             extract(epoch from clock_timestamp() - min(enqueued_at))::float8 as "lagSeconds"
      from replication_outbox group by target`;
    const known = isHq ? [...peerUrls.keys()] : enabled ? [HQ] : [];
    const byPeer = new Map(rows.map((row) => [row.peer, row]));
    return [...new Set([...known, ...byPeer.keys()])].sort().map((peer) => byPeer.get(peer) ?? { peer, backlogRows: 0, lagSeconds: 0 });
  }

  async function status(): Promise<ReplicationStatus> {
    const lags = await lagByPeer();
    const checkpoints = await sql<{ peer: string; direction: string; position: string; at: string }[]>`
      select peer, direction, position::text as position, to_char(at at time zone 'UTC', ${UTC_MICROS}) as at from replication_checkpoints`;
    const checkpoint = (peer: string, direction: string) => checkpoints.find((row) => row.peer === peer && row.direction === direction);
    const peers = lags.map((lag) => {
      const shipped = checkpoint(lag.peer, 'shipped');
      const applied = checkpoint(lag.peer, 'applied');
      const shipper = shippers.get(lag.peer)?.state();
      return {
        ...lag,
        url: urlOf(lag.peer)() ?? null,
        lastShippedSeq: shipped ? Number(shipped.position) : null,
        lastShippedAt: shipped?.at ?? null,
        lastAppliedSeq: applied ? Number(applied.position) : null,
        lastAppliedAt: applied?.at ?? null,
        consecutiveFailures: shipper?.consecutiveFailures ?? 0,
        lastError: shipper?.lastError ?? null,
      };
    });
    return { site, enabled, backfilled: isHq ? null : checkpoint(HQ, 'backfilled') !== undefined, peers };
  }

  const lagSource = async () => ({ site, peers: await lagByPeer() });

  const routes: InternalRoutesDeps = {
    site,
    keyFor: (sender) => (enabled ? keyFor(sender) : undefined),
    applyBatch,
    ...(isHq && {
      async register(city: string, url: string | undefined) {
        await registerPeer(sql, city, url);
        await refreshPeers();
        logger.info({ city, url }, 'a city registered for replication');
      },
      async snapshot(after: string, limit: number) {
        const reports = await readStatePage(sql, codec, after, limit);
        return { reports, nextAfter: reports.length === limit ? reports.at(-1)!.id : null };
      },
    }),
  };

  return {
    enabled,
    /** Joins the accidents store's change listeners: a local change queues itself for the peers. */
    listener: enabled ? outboxListener(site) : undefined,
    routes,
    status,
    async start() {
      if (!enabled || !settings) return;
      metrics.sources.add(lagSource);
      // Commits that queue something wake every replica's idle shippers at once; polling stays as
      // the fallback (a notification is lost while the listening connection reconnects).
      notifications = await sql.listen(OUTBOX_CHANNEL, wakeShippers);
      if (isHq) {
        for (const [city, url] of Object.entries(settings.peers ?? {})) await registerPeer(sql, city, url);
        await refreshPeers();
        refresh = setInterval(() => {
          refreshPeers().catch((error: unknown) => logger.warn({ err: error }, 'reading the replication peers failed'));
        }, PEER_REFRESH_MS);
        refresh.unref();
      } else {
        ensureShipper(HQ);
        backfill = startBackfill({ ...settings, sql, codec, site, hqUrl: urlOf(HQ), key: settings.secret, pageSize: settings.batchSize, logger, metrics });
      }
    },
    async stop() {
      clearInterval(refresh);
      metrics.sources.delete(lagSource);
      await notifications?.unlisten().catch((error: unknown) => logger.warn({ err: error }, 'stopping to listen for outbox notifications failed'));
      backfill?.stop();
      await Promise.all([...shippers.values()].map((shipper) => shipper.stop()));
    },
  };
}

export type Replication = ReturnType<typeof createReplication>;
