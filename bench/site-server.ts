// The site under test, in a process of its own as in production, so the load generator and the
// floor runner never share its event loop. Started by bench/site-process.ts with fork(); talks over IPC.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { createAdaptorServer, serve } from '@hono/node-server';
import type { Socket } from 'node:net';
import { Registry } from 'prom-client';
import { createApp } from '../api/app.js';
import type { KeyProvider } from '../api/crypto/key-provider.js';
import { createLocalKeyProvider } from '../api/crypto/local-key-provider.js';
import type { EncryptionSettings } from '../api/crypto/site-encryption.js';
import { createVaultKeyProvider } from '../api/crypto/vault-key-provider.js';
import { connectDatabase } from '../api/db/connect.js';
import { createHttpMetrics } from '../api/observability/http-metrics.js';
import { createLogger } from '../api/observability/logger.js';
import { startSite } from '../api/site/start-site.js';
import { Session } from 'node:inspector';
import { BENCH_SITE, BENCH_SITE_NUMBER } from './dataset.js';

export interface SiteServerStart {
  readonly type: 'start';
  /** A superuser's URL of the site's database: it owns the schema, and the site serves as a login role it makes. */
  readonly databaseUrl: string;
  readonly poolSize: number;
  readonly adminPassword: string;
  readonly encryption: SiteEncryptionChoice;
  /** What pg_stat_activity shows for the site's pool (default `crashdesk-<site>`). */
  readonly applicationName?: string;
  /** The list cache (in-process tier); off unless a scenario measures it. */
  readonly listCache?: { readonly freshMs: number; readonly staleMs: number };
  /** Listen nowhere: serve the connections the parent hands over (bench/site-process.ts startSiteGroup). */
  readonly adoptsConnections?: boolean;
}

/**
 * Field encryption off (what the plain codec stores), under a local key file (the same envelope
 * codec and AES-GCM per value as with Vault; the provider only wraps the data key), or through
 * Vault transit with a token.
 */
export type SiteEncryptionChoice =
  | { readonly kind: 'off' }
  | {
      readonly kind: 'local';
      readonly keyFile: string;
      /** base64: IPC carries JSON. */
      readonly blindIndexKey: string;
    }
  | {
      readonly kind: 'vault';
      readonly address: string;
      readonly token: string;
      readonly transitMount: string;
      readonly keyName: string;
      /** base64: IPC carries JSON. */
      readonly blindIndexKey: string;
    };

export type SiteServerMessage =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'event-loop'; readonly utilization: EventLoopUtilization }
  | { readonly type: 'profile-started' }
  | { readonly type: 'profile'; readonly profile: string };

/**
 * The parent asks for the event loop's cumulative busy and idle time around each measured run, and
 * for a CPU profile of the site (V8's sampling profiler, through the inspector) around an unmeasured one.
 */
export type EventLoopQuery =
  | { readonly type: 'event-loop' }
  | { readonly type: 'profile-start' }
  | { readonly type: 'profile-stop' }
  /** A connection the parent accepted, sent with the message (startSiteGroup). */
  | { readonly type: 'connection' };

const send = (message: SiteServerMessage) => process.send?.(message);

const ERROR_LINES_SHOWN = 3;

/** A log destination that passes the first `limit` lines to stderr and drops the rest. */
function firstLines(limit: number) {
  let written = 0;
  return {
    write(line: string) {
      if (written++ < limit) process.stderr.write(`[site ${process.pid}] ${line}`);
    },
  };
}

async function encryptionSettings(choice: SiteEncryptionChoice): Promise<EncryptionSettings> {
  if (choice.kind === 'off') return 'off';
  if (choice.kind === 'local')
    return { provider: await createLocalKeyProvider(choice.keyFile, { create: false }), blindIndexKey: Buffer.from(choice.blindIndexKey, 'base64') };
  const { address, token, transitMount, keyName, blindIndexKey } = choice;
  return {
    provider: createVaultKeyProvider({ address, transitMount, keyName, auth: { method: 'token', token } }),
    blindIndexKey: Buffer.from(blindIndexKey, 'base64'),
  };
}

/** The key that signs the audit chain head: the site's provider, or without encryption a local key of the run's own. */
async function auditSigningKey(encryption: EncryptionSettings, keyDir: string): Promise<KeyProvider> {
  return encryption === 'off' ? createLocalKeyProvider(join(keyDir, 'audit-keys.json'), { create: true }) : encryption.provider;
}

/** As in production, the site runs as a role of its own, not as the schema's owner: a login role per database. */
async function applicationRoleUrl(ownerUrl: string, secret: string): Promise<string> {
  const url = new URL(ownerUrl);
  const role = `${url.pathname.slice(1).replaceAll(/[^a-z0-9_]/g, '_')}_app`;
  // The same for every process of the site (they share the role), unknown outside the run.
  const password = createHash('sha256').update(`${secret}\0${role}`).digest('hex');
  const owner = connectDatabase(ownerUrl, { max: 1, applicationName: 'crashdesk-bench-setup' });
  try {
    // DDL takes no bind parameters; the name comes from the database's and the password is generated.
    const [exists] = await owner`select 1 from pg_roles where rolname = ${role}`;
    await owner.unsafe(`${exists ? 'alter' : 'create'} role ${role} login password '${password}'`);
  } finally {
    await owner.end({ timeout: 5 });
  }
  url.username = role;
  url.password = password;
  return url.toString();
}

async function start({ databaseUrl, poolSize, adminPassword, encryption, applicationName, listCache, adoptsConnections }: SiteServerStart) {
  // Errors only, and only the first few: at tens of thousands of lines a second, writing logs would
  // be what gets measured, but a run that fails on 500s should say why.
  const logger = createLogger('error', firstLines(ERROR_LINES_SHOWN));
  const registry = new Registry();
  const sql = connectDatabase(await applicationRoleUrl(databaseUrl, adminPassword), {
    max: poolSize,
    applicationName: applicationName ?? `crashdesk-${BENCH_SITE}`,
  });
  const ownerSql = connectDatabase(databaseUrl, { max: 1, applicationName: `crashdesk-${BENCH_SITE}-migrate` });
  const keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-bench-site-'));
  const siteEncryption = await encryptionSettings(encryption);
  const site = await startSite({
    site: BENCH_SITE,
    siteNumber: BENCH_SITE_NUMBER,
    sql,
    ownerSql,
    logger,
    metrics: createHttpMetrics(registry),
    tokenTtlSeconds: 8 * 60 * 60,
    idempotencyTtlSeconds: 24 * 60 * 60,
    adminPassword: { value: adminPassword, enforce: true },
    // startSite runs the key checks (and the first-start re-seal) before the site serves.
    encryption: siteEncryption,
    auditSigning: { key: await auditSigningKey(siteEncryption, keyDir), intervalMs: 60_000 },
    // One account and one address send every request of a run: the limits would be what is measured.
    rateLimits: { accountPerMinute: 0, addressPerMinute: 0 },
    listCache: listCache ?? { freshMs: 0, staleMs: 0 },
  });
  await ownerSql.end({ timeout: 5 });
  const app = createApp({ sites: [site], registry, logger });
  const server = adoptsConnections
    ? createAdaptorServer({ fetch: app.fetch })
    : serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => send({ type: 'listening', port: info.port }));
  if (adoptsConnections) send({ type: 'listening', port: 0 });

  const stop = async () => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await site.stop();
    await sql.end({ timeout: 5 });
    await rm(keyDir, { recursive: true, force: true });
    process.exit(0);
  };
  const inspector = new Session();
  inspector.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => inspector.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  process.on('message', (message: EventLoopQuery, socket?: Socket) => {
    if (message.type === 'connection' && socket) {
      server.emit('connection', socket);
      socket.resume();
    }
    if (message.type === 'event-loop') send({ type: 'event-loop', utilization: performance.eventLoopUtilization() });
    if (message.type === 'profile-start')
      void post('Profiler.enable')
        .then(() => post('Profiler.start'))
        .then(() => send({ type: 'profile-started' }));
    if (message.type === 'profile-stop')
      void post('Profiler.stop').then((result) => send({ type: 'profile', profile: JSON.stringify((result as { profile: unknown }).profile) }));
  });
  // The parent going away (even by a crash) ends the site too.
  process.once('disconnect', () => void stop());
}

process.once('message', (message: SiteServerStart) => {
  start(message).catch((error: unknown) => {
    send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
    process.disconnect?.();
  });
});
