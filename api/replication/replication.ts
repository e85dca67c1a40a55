import type { Logger } from 'pino';
import type { ListCache } from '../cache/list-cache.js';
import type { Sql } from 'postgres';
import type { Registry } from 'prom-client';
import type { ChangeListener } from '../accidents/store.js';
import type { AuditRecorder } from '../audit/entry.js';
import type { FieldCodec } from '../crypto/field-codec.js';
import { createCityReplication } from './city-replication.js';
import { createHqReplication } from './hq-replication.js';
import type { InternalRoutesDeps } from './internal-routes.js';
import { createPeerClient, type PeerClient } from './peer-client.js';
import { HQ } from './outbox.js';
import type { ReplicationStatus } from './status-routes.js';

export interface ReplicationSettings {
  /** HQ: the platform's replication secret. A city: its own key, derived from it (./signing.ts). */
  readonly secret: string;
  /** A city: HQ's base URL (scheme://host:port, without the `/hq` prefix). */
  readonly hqUrl?: string;
  /** HQ: the cities it ships to and their base URLs; cities may also register themselves. */
  readonly peers?: Readonly<Record<string, string | undefined>>;
  /** A city: its own base URL as HQ reaches it, announced when it registers. */
  readonly ownUrl?: string;
  /** A city: the version of its key (`secret`); HQ's registry says which versions it accepts. */
  readonly keyVersion?: number;
  /**
   * HQ: the addresses a registering city may announce, as a regular expression in which `{city}`
   * stands for the city's name (anchored at both ends). Configured peers' addresses are always
   * allowed; without a pattern, nothing else is.
   */
  readonly peerUrlPattern?: string;
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
  readonly audit: AuditRecorder;
  readonly logger: Logger;
  readonly registry?: Registry;
  /** Absent: this site neither ships nor accepts anything (a test site on its own). */
  readonly settings?: ReplicationSettings;
  /** How this site calls its peers (mutual TLS where configured); plain HTTP(S) by default. */
  readonly peerClient?: PeerClient;
  /** The site's cached lists, invalidated by every applied batch and backfill page. */
  readonly lists?: ListCache;
}

/**
 * Replication for one site, whichever its role: HQ (./hq-replication.ts) ships to every city and
 * fans out what it applies; a city (./city-replication.ts) ships to HQ only and backfills from it.
 */
export interface Replication {
  /** Whether this site ships and accepts anything at all. */
  readonly enabled: boolean;
  /** Joins the accidents store's change listeners: a local change queues itself for the peers. */
  readonly listener: ChangeListener | undefined;
  /** The internal routes' handlers; only HQ's have `register` and `snapshot`. */
  readonly routes: InternalRoutesDeps;
  /** Each peer's backlog, lag, positions and failures, for `GET /{site}/v1/replication`. */
  readonly status: () => Promise<ReplicationStatus>;
  /** Starts listening and shipping; does nothing while replication is off. */
  readonly start: () => Promise<void>;
  /** Stops every timer and aborts the requests in flight; what they carried ships again later. */
  readonly stop: () => Promise<void>;
}

/** The outbox's listener, the shippers, a city's backfill and the routes' handlers, by the site's role. */
export function createReplication(deps: ReplicationDeps): Replication {
  const withClient = { ...deps, peerClient: deps.peerClient ?? createPeerClient() };
  return deps.site === HQ ? createHqReplication(withClient) : createCityReplication(withClient);
}
