import { Registry } from 'prom-client';
import { readCheckpoints, type CheckpointLookup } from './checkpoints.js';
import { type PeerLag, replicationMetrics } from './metrics.js';
import { OUTBOX_CHANNEL, outboxListener } from './outbox.js';
import { createPeerClient } from './peer-client.js';
import type { ReplicationDeps } from './replication.js';
import { type Shipper, startShipper } from './shipper.js';
import type { SigningKey } from './signing.js';
import type { ReplicationStatus } from './status-routes.js';

export interface PeerLinksOptions extends ReplicationDeps {
  /** Whether this site ships and accepts anything; the role decides what it needs for that. */
  readonly enabled: boolean;
  /** The peer's base URL as the role's settings or peers table know it (the loopback overrides it). */
  readonly configuredUrl: (peer: string) => string | undefined;
  /** The key this site signs its requests to `peer` with, read at every attempt; undefined: none now (no peer of this role, or revoked). */
  readonly signingKeyFor: (peer: string) => SigningKey | undefined;
  /** Whether `peer` is a peer this role ships to at all. */
  readonly isPeer: (peer: string) => boolean;
  /** Peers listed in the status even while nothing waits for them. */
  readonly knownPeers: () => readonly string[];
  /** The status's `backfilled`: a city's snapshot from HQ; null where there is none to take. */
  readonly backfilled: (checkpoint: CheckpointLookup) => boolean | null;
}

/**
 * What both roles do alike with their peers: one shipper per peer, woken by the outbox's
 * notifications, the lag the metrics scrape, and the status that lists each peer. The role says
 * who the peers are, where they are and which key each link signs with.
 */
export function createPeerLinks(options: PeerLinksOptions) {
  const { sql, codec, site, logger, settings, enabled, signingKeyFor, isPeer } = options;
  const peerClient = options.peerClient ?? createPeerClient();
  const metrics = replicationMetrics(options.registry ?? new Registry());
  const shippers = new Map<string, Shipper>();
  let notifications: { unlisten(): Promise<void> } | undefined;

  const urlOf = (peer: string) => (settings?.loopbackUrl ? settings.loopbackUrl() : options.configuredUrl(peer));
  const wake = () => {
    for (const shipper of shippers.values()) shipper.wake();
  };

  const ensureShipper = (peer: string) => {
    if (!settings || shippers.has(peer) || !isPeer(peer)) return;
    shippers.set(
      peer,
      startShipper({
        ...settings,
        sql,
        codec,
        site,
        target: peer,
        url: () => urlOf(peer),
        signingKey: () => signingKeyFor(peer),
        client: peerClient,
        logger,
        metrics,
      }),
    );
  };

  async function lagByPeer(): Promise<PeerLag[]> {
    const rows = await sql<{ peer: string; backlogRows: number; lagSeconds: number }[]>`
      select target as peer, count(*)::int as "backlogRows",
             extract(epoch from clock_timestamp() - min(enqueued_at))::float8 as "lagSeconds"
      from replication_outbox group by target`;
    const byPeer = new Map(rows.map((row) => [row.peer, row]));
    return [...new Set([...options.knownPeers(), ...byPeer.keys()])].sort().map((peer) => byPeer.get(peer) ?? { peer, backlogRows: 0, lagSeconds: 0 });
  }

  const status = async (): Promise<ReplicationStatus> => {
    const lags = await lagByPeer();
    const checkpoint = await readCheckpoints(sql);
    const peers = lags.map((lag) => {
      const shipped = checkpoint(lag.peer, 'shipped');
      const applied = checkpoint(lag.peer, 'applied');
      const shipper = shippers.get(lag.peer)?.state();
      return {
        ...lag,
        url: urlOf(lag.peer) ?? null,
        lastShippedSeq: shipped?.position ?? null,
        lastShippedAt: shipped?.at ?? null,
        lastAppliedSeq: applied?.position ?? null,
        lastAppliedAt: applied?.at ?? null,
        consecutiveFailures: shipper?.consecutiveFailures ?? 0,
        lastError: shipper?.lastError ?? null,
      };
    });
    return { site, enabled, backfilled: options.backfilled(checkpoint), peers };
  };

  const lagSource = async () => ({ site, peers: await lagByPeer() });

  return {
    enabled,
    metrics,
    urlOf,
    wake,
    ensureShipper,
    status,
    /** Joins the accidents store's change listeners: a local change queues itself for the peers. */
    listener: enabled ? outboxListener(site) : undefined,
    start: async () => {
      metrics.sources.add(lagSource);
      // Commits that queue something wake every replica's idle shippers at once; polling stays as
      // the fallback (a notification is lost while the listening connection reconnects).
      notifications = await sql.listen(OUTBOX_CHANNEL, wake);
    },
    stop: async () => {
      metrics.sources.delete(lagSource);
      await notifications?.unlisten().catch((error: unknown) => logger.warn({ err: error }, 'stopping to listen for outbox notifications failed'));
      await Promise.all([...shippers.values()].map((shipper) => shipper.stop()));
    },
  };
}

export type PeerLinks = ReturnType<typeof createPeerLinks>;
