import { createBatchApplier } from './apply.js';
import { startBackfill } from './backfill.js';
import { HQ } from './outbox.js';
import { createPeerClient } from './peer-client.js';
import { createPeerLinks } from './peer-links.js';
import type { Replication, ReplicationDeps } from './replication.js';
import { firstSighting } from './seen-signatures.js';

/**
 * A city's side: its one peer is HQ, reached at the configured URL (or the loopback) and signed
 * with the city's own key. It ships only its own changes (HQ fans them out), applies what HQ sends
 * without passing it on, and on its first start registers at HQ and backfills HQ's reports.
 */
export function createCityReplication(deps: ReplicationDeps): Replication {
  const { sql, site, codec, audit, logger, settings } = deps;
  // Without an HQ to reach, a city has nobody to ship to: off, as without settings.
  const enabled = settings !== undefined && (settings.hqUrl !== undefined || settings.loopbackUrl !== undefined);
  const signingKey = settings && { key: settings.secret, version: settings.keyVersion ?? 1 };
  let backfill: ReturnType<typeof startBackfill> | undefined;

  const links = createPeerLinks({
    ...deps,
    enabled,
    configuredUrl: () => settings?.hqUrl,
    isPeer: (peer) => peer === HQ,
    signingKeyFor: (peer) => (peer === HQ ? signingKey : undefined),
    knownPeers: () => (enabled ? [HQ] : []),
    backfilled: (checkpoint) => checkpoint(HQ, 'backfilled') !== undefined,
  });

  return {
    enabled,
    listener: links.listener,
    routes: {
      site,
      // Only HQ calls a city, signing with the city's key as the city itself knows it.
      keyFor: async (sender, keyVersion) => (enabled && signingKey && sender === HQ && keyVersion === signingKey.version ? signingKey.key : undefined),
      firstSighting: (signature, expiresAt) => firstSighting(sql, signature, expiresAt),
      applyBatch: createBatchApplier({ sql, codec, audit, site, logger, metrics: links.metrics, ...(deps.lists && { lists: deps.lists }) }),
    },
    status: links.status,
    async start() {
      if (!enabled || !settings || !signingKey) return;
      await links.start();
      links.ensureShipper(HQ);
      backfill = startBackfill({
        ...settings,
        sql,
        codec,
        site,
        hqUrl: () => links.urlOf(HQ),
        signingKey,
        client: deps.peerClient ?? createPeerClient(),
        pageSize: settings.batchSize,
        ...(deps.lists && { lists: deps.lists }),
        logger,
        metrics: links.metrics,
      });
    },
    async stop() {
      backfill?.stop();
      await links.stop();
    },
  };
}
