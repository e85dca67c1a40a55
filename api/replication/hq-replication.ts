import { ProblemError } from '../http/problem.js';
import { createBatchApplier } from './apply.js';
import { enqueue, enqueueFor, HQ } from './outbox.js';
import { createPeerLinks } from './peer-links.js';
import {
  acceptsKeyVersion,
  type CityEntry,
  configureCity,
  listCities,
  notePresentedKeyVersion,
  readCity,
  RegistrationRefused,
  registerCity,
} from './registry.js';
import type { Replication, ReplicationDeps } from './replication.js';
import { firstSighting } from './seen-signatures.js';
import { deriveCityKey } from './signing.js';
import { readStatePage } from './states.js';

// How often HQ re-reads its registry: cities that registered at another replica of HQ, revocations
// and rotations (each request it receives reads its sender's row, so a revocation refuses at once).
const PEER_REFRESH_MS = 5_000;

/**
 * HQ's side: it ships to every active city of its registry (configured ones at start, others as
 * they register), signing each link with that city's key derived from the platform secret, and
 * passes on to the other cities every state it applies from one.
 */
export function createHqReplication(deps: ReplicationDeps): Replication {
  const { sql, site, codec, audit, logger, settings } = deps;
  const cities = new Map<string, CityEntry>();
  let refresh: NodeJS.Timeout | undefined;

  const links = createPeerLinks({
    ...deps,
    enabled: settings !== undefined,
    configuredUrl: (peer) => cities.get(peer)?.url ?? undefined,
    isPeer: (peer) => peer !== HQ,
    // Signed with the key version the city itself last signed with: after a rotation it may still hold the previous one.
    signingKeyFor: (peer) => {
      const entry = cities.get(peer);
      if (!settings || !entry || entry.status !== 'active') return undefined;
      return { key: deriveCityKey(settings.secret, peer, entry.presentedKeyVersion), version: entry.presentedKeyVersion };
    },
    knownPeers: () => [...cities.keys()],
    backfilled: () => null,
  });

  // Another replica of HQ may have registered a city, or an operator revoked or rotated one.
  async function refreshCities() {
    for (const entry of await listCities(sql)) {
      cities.set(entry.site, entry);
      if (entry.status === 'active') links.ensureShipper(entry.site);
    }
  }

  /** Configured peers' addresses, and those the pattern allows: the only ones HQ will call. */
  const allowedUrl = (city: string, url: string) => {
    if (settings?.peers?.[city] === url) return true;
    if (!settings?.peerUrlPattern) return false;
    const escaped = city.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    return new RegExp(`^(?:${settings.peerUrlPattern.replaceAll('{city}', escaped)})$`).test(url);
  };

  const applyBatch = createBatchApplier({
    sql,
    codec,
    audit,
    site,
    logger,
    metrics: links.metrics,
    ...(deps.lists && { lists: deps.lists }),
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
      async keyFor(sender, keyVersion, route) {
        if (!settings || sender === HQ) return undefined;
        const entry = await readCity(sql, sender);
        // A city HQ does not know yet may only register, with the first version of its key.
        if (!entry) return route === 'register' && keyVersion === 1 ? deriveCityKey(settings.secret, sender, 1) : undefined;
        if (!acceptsKeyVersion(entry, keyVersion)) return undefined;
        await notePresentedKeyVersion(sql, sender, keyVersion);
        return deriveCityKey(settings.secret, sender, keyVersion);
      },
      firstSighting: (signature, expiresAt) => firstSighting(sql, signature, expiresAt),
      applyBatch,
      async register(city, url) {
        try {
          await registerCity(sql, city, url, allowedUrl);
        } catch (error) {
          if (error instanceof RegistrationRefused) throw new ProblemError(403, 'registration-refused', `Registration is refused: ${error.message}.`);
          throw error;
        }
        await refreshCities();
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
      for (const [city, url] of Object.entries(settings.peers ?? {})) await configureCity(sql, city, url);
      await refreshCities();
      refresh = setInterval(() => {
        refreshCities().catch((error: unknown) => logger.warn({ err: error }, 'reading the replication registry failed'));
      }, PEER_REFRESH_MS);
      refresh.unref();
    },
    async stop() {
      clearInterval(refresh);
      await links.stop();
    },
  };
}
