import { createBatchApplier } from './apply.js';
import { enqueue, enqueueFor, HQ, listPeers, registerPeer } from './outbox.js';
import { createPeerLinks } from './peer-links.js';
import type { Replication, ReplicationDeps } from './replication.js';
import { deriveCityKey } from './signing.js';
import { readStatePage } from './states.js';

// How often HQ looks for cities that registered at another replica of HQ.
const PEER_REFRESH_MS = 5_000;

/**
 * HQ's side: it ships to every city in `replication_peers` (configured ones at start, others as
 * they register), signing each link with that city's key derived from the platform secret, and
 * passes on to the other cities every state it applies from one.
 */
export function createHqReplication(deps: ReplicationDeps): Replication {
  const { sql, site, codec, audit, logger, settings } = deps;
  const peerUrls = new Map<string, string | null>();
  let refresh: NodeJS.Timeout | undefined;

  const links = createPeerLinks({
    ...deps,
    enabled: settings !== undefined,
    configuredUrl: (peer) => peerUrls.get(peer) ?? undefined,
    keyFor: (peer) => (settings && peer !== HQ ? deriveCityKey(settings.secret, peer) : undefined),
    knownPeers: () => [...peerUrls.keys()],
    backfilled: () => null,
  });

  // Another replica of HQ may have registered a city: every replica ships to it.
  async function refreshPeers() {
    for (const { site: peer, url } of await listPeers(sql)) {
      peerUrls.set(peer, url);
      links.ensureShipper(peer);
    }
  }

  const applyBatch = createBatchApplier({
    sql,
    codec,
    audit,
    site,
    logger,
    metrics: links.metrics,
    fanOut: {
      // Fan out what changed; answer a city whose state lost with the winner.
      async queue(tx, source, outcome) {
        await enqueue(tx, HQ, outcome.applied, source);
        await enqueueFor(tx, source, outcome.rejected);
      },
      // The fan-out just committed: the shippers need not wait for their next poll.
      committed: links.wake,
    },
  });

  return {
    enabled: links.enabled,
    listener: links.listener,
    routes: {
      site,
      keyFor: links.senderKey,
      applyBatch,
      async register(city, url) {
        await registerPeer(sql, city, url);
        await refreshPeers();
        logger.info({ city, url }, 'a city registered for replication');
      },
      async snapshot(after, limit) {
        const reports = await readStatePage(sql, codec, after, limit);
        return { reports, nextAfter: reports.length === limit ? reports.at(-1)!.id : null };
      },
    },
    status: links.status,
    async start() {
      if (!settings) return;
      await links.start();
      for (const [city, url] of Object.entries(settings.peers ?? {})) await registerPeer(sql, city, url);
      await refreshPeers();
      refresh = setInterval(() => {
        refreshPeers().catch((error: unknown) => logger.warn({ err: error }, 'reading the replication peers failed'));
      }, PEER_REFRESH_MS);
      refresh.unref();
    },
    async stop() {
      clearInterval(refresh);
      await links.stop();
    },
  };
}
