import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelopeCodec } from '../../api/crypto/envelope-codec.js';
import { createLocalKeyProvider } from '../../api/crypto/local-key-provider.js';
import { freePort } from '../../api/platform/free-port.js';
import { createPeerClient, type PeerClient } from '../../api/replication/peer-client.js';
import type { ReplicatedReport } from '../../api/replication/schema.js';
import { deriveCityKey } from '../../api/replication/signing.js';
import { readStatePage } from '../../api/replication/states.js';
import { type ApiProcess, postJson, startApiProcess } from './api-process.js';
import { createTestDatabase, type SiteTestDatabase, type TestDatabase, withApplicationRole } from './database.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { createTestCa } from './test-ca.js';

const ADMIN_PASSWORD = 'replication-admin-password';
const USER_PASSWORD = 'Correct-Horse-Battery-9';
const BLIND_INDEX_KEY = Buffer.alloc(32, 9);

export interface ClusterSite {
  readonly name: string;
  readonly db: SiteTestDatabase;
  /** Peers reach this site's internal port only through its proxy, so tests can cut or slow them. */
  readonly proxy: FaultProxy;
  /** The public port: the API and the console. */
  readonly base: string;
  /** Where peers reach this site (https through its proxy, mutual TLS with the cluster's CA). */
  readonly internalUrl: string;
  /** The internal port itself, past the proxy: for tests that call it while the proxy drops. */
  readonly directInternalUrl: string;
  process(): ApiProcess;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  token(role: 'agent' | 'supervisor'): Promise<string>;
  /** Every report of the site's database (deleted ones too), opened with the site's own keys. */
  states(): Promise<ReplicatedReport[]>;
  /** Records a report at this site; resolves with its id, or undefined if the site refused. */
  create(body: Record<string, unknown>): Promise<string | undefined>;
  /** Changes a report at this site from the version it holds; false if it could not. */
  update(id: string, patch: Record<string, unknown>): Promise<boolean>;
}

export interface ClusterOptions {
  readonly cities: readonly string[];
  /** Extra environment for every site (intervals, back-off caps). */
  readonly env?: Record<string, string>;
  /**
   * A database on a server other than the run's (e.g. a test's own embedded server), as its
   * superuser reaches it: the cluster adds each site's application role.
   */
  readonly createDatabase?: () => Promise<TestDatabase>;
}

/**
 * HQ and cities as separate single-site processes, each with its own database and keys, wired
 * for replication the way a deployment is: HQ knows each city's URL, each city HQ's, and every
 * link passes a fault-injecting proxy.
 */
export async function startReplicationCluster(options: ClusterOptions) {
  const platformSecret = randomBytes(32).toString('hex');
  const keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-replication-'));
  // Every link between sites is mutual TLS, with certificates from the cluster's own CA.
  const ca = await createTestCa('crashdesk replication test ca');
  const testerCertificate = await ca.issue('replication-tester');
  const sites = new Map<string, ClusterSite>();
  let siteNumber = 0;

  async function prepare(name: string, peers: () => string): Promise<ClusterSite> {
    const number = siteNumber++;
    const db = options.createDatabase ? await withApplicationRole(await options.createDatabase()) : await createTestDatabase({ migrated: false });
    const keyFile = join(keyDir, `${name}.json`);
    await createLocalKeyProvider(keyFile, { create: true });
    const port = await freePort();
    const internalPort = await freePort();
    const proxy = await startFaultProxy(internalPort);
    const internalUrl = proxy.url.replace(/^http:/, 'https:');
    const certificate = await ca.issue(`crashdesk-api-${name}`);
    const hq = name === 'hq';
    const env = (): Record<string, string> => ({
      CRASHDESK_SITE: name,
      CRASHDESK_SITE_NUMBER: String(number),
      DATABASE_URL: db.appUrl,
      DATABASE_OWNER_URL: db.url,
      DATABASE_POOL_SIZE: '10',
      CRASHDESK_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CRASHDESK_BLIND_INDEX_KEY: BLIND_INDEX_KEY.toString('base64'),
      CRASHDESK_LOCAL_KEY_FILE: keyFile,
      CRASHDESK_REPLICATION_SECRET: hq ? platformSecret : deriveCityKey(platformSecret, name),
      CRASHDESK_REPLICATION_INTERVAL_MS: '100',
      CRASHDESK_REPLICATION_BACKOFF_MAX_MS: '2000',
      CRASHDESK_REPLICATION_BATCH_SIZE: '100',
      CRASHDESK_INTERNAL_PORT: String(internalPort),
      CRASHDESK_INTERNAL_TLS_CERT: certificate.certFile,
      CRASHDESK_INTERNAL_TLS_KEY: certificate.keyFile,
      CRASHDESK_INTERNAL_TLS_CA: ca.caFile,
      ...(hq
        ? // Cities that join later announce their proxy's address; only those may register.
          { CRASHDESK_PEERS: peers(), CRASHDESK_PEER_URL_PATTERN: 'https://127\\.0\\.0\\.1:\\d+' }
        : { CRASHDESK_HQ_URL: sites.get('hq')!.internalUrl, CRASHDESK_REPLICATION_URL: internalUrl }),
      ...options.env,
    });
    let current: ApiProcess | undefined;
    const tokens = new Map<string, Promise<string>>();
    let codec: ReturnType<typeof createEnvelopeCodec> | undefined;
    const base = `http://127.0.0.1:${port}`;

    const site: ClusterSite = {
      name,
      db,
      proxy,
      base,
      internalUrl,
      directInternalUrl: `https://127.0.0.1:${internalPort}`,
      process: () => current!,
      async start() {
        current = await startApiProcess(env(), { port });
        await current.waitReady(name, 60_000);
      },
      async stop(signal = 'SIGTERM') {
        await current?.stop(signal);
      },
      token(role) {
        if (!tokens.has(role)) {
          tokens.set(
            role,
            (async () => {
              const admin = await postJson(`${base}/${name}/v1/auth/login`, { username: 'admin', password: ADMIN_PASSWORD });
              await postJson(`${base}/${name}/v1/users`, { username: role, password: USER_PASSWORD, role }, admin.body.token);
              const login = await postJson(`${base}/${name}/v1/auth/login`, { username: role, password: USER_PASSWORD });
              if (login.status !== 200) throw new Error(`login as ${role} at ${name} failed: ${login.status}`);
              return login.body.token as string;
            })(),
          );
        }
        return tokens.get(role)!;
      },
      async states() {
        codec ??= createEnvelopeCodec({
          sql: db.sql,
          site: name,
          provider: await createLocalKeyProvider(keyFile, { create: false }),
          blindIndexKey: BLIND_INDEX_KEY,
        });
        return readStatePage(db.sql, codec, '0', 1_000_000);
      },
      async create(body) {
        const response = await postJson(`${base}/${name}/v1/accidents`, body, await site.token('agent')).catch(() => undefined);
        return response?.status === 201 ? (response.body.id as string) : undefined;
      },
      async update(id, patch) {
        const token = await site.token('agent');
        try {
          const current = await fetch(`${base}/${name}/v1/accidents/${id}`, { headers: { authorization: `Bearer ${token}` } });
          if (current.status !== 200) return false;
          const { version } = (await current.json()) as { version: number };
          const response = await fetch(`${base}/${name}/v1/accidents/${id}`, {
            method: 'PATCH',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': `"${version}"` },
            body: JSON.stringify(patch),
          });
          return response.status === 200;
        } catch {
          return false;
        }
      },
    };
    sites.set(name, site);
    return site;
  }

  const cityPeers = () =>
    [...sites.values()]
      .filter((site) => site.name !== 'hq' && options.cities.includes(site.name))
      .map((site) => `${site.name}=${site.internalUrl}`)
      .join(',');
  const hq = await prepare('hq', cityPeers);
  const cities = [];
  for (const city of options.cities) cities.push(await prepare(city, cityPeers));
  await Promise.all([hq, ...cities].map((site) => site.start()));

  return {
    hq,
    cities,
    all: () => [...sites.values()],
    /** The key that signs requests between `city` and HQ, for tests that call internal routes themselves. */
    keyOf: (city: string) => deriveCityKey(platformSecret, city),
    /** Calls a site's internal port as a peer would: mutual TLS with a certificate of the cluster's CA. */
    peerClient: createPeerClient({ cert: testerCertificate.cert, key: testerCertificate.key, ca: ca.ca }) satisfies PeerClient,
    site: (name: string) => sites.get(name)!,
    /** A city HQ was not configured with: it registers itself and backfills when it starts. */
    async addCity(name: string) {
      const city = await prepare(name, cityPeers);
      await city.start();
      return city;
    },
    async stop() {
      await Promise.all([...sites.values()].map((site) => site.stop('SIGKILL')));
      await Promise.all([...sites.values()].map((site) => site.proxy.close()));
      await Promise.all([...sites.values()].map((site) => site.db.drop()));
      await rm(keyDir, { recursive: true, force: true });
      await ca.remove();
    },
  };
}

export type ReplicationCluster = Awaited<ReturnType<typeof startReplicationCluster>>;

/**
 * Polls every site's reports until all hold the same states (ids, versions, timestamps, opened
 * content, deletions) and at least `minReports` of them; resolves with how long that took.
 */
export async function waitForConvergence(sites: readonly ClusterSite[], { minReports = 0, timeoutMs = 30_000 } = {}): Promise<number> {
  const started = Date.now();
  let last = '';
  for (;;) {
    const states = await Promise.all(sites.map((site) => site.states().catch(() => undefined)));
    if (states.every((list) => list !== undefined)) {
      const encoded = states.map((list) => JSON.stringify(list));
      const ids = states.map((list) => list.map((report) => report.id));
      const noDuplicates = ids.every((list) => new Set(list).size === list.length);
      if (noDuplicates && encoded.every((text) => text === encoded[0]) && states[0]!.length >= minReports) return Date.now() - started;
      last = sites.map((site, i) => `${site.name}: ${states[i]!.length} reports`).join(', ');
    }
    if (Date.now() - started > timeoutMs) throw new Error(`not converged within ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
