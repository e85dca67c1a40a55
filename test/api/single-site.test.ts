import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalKeyProvider } from '../../api/crypto/local-key-provider.js';
import { listMigrations } from '../../api/db/migrate.js';
import { decodeId } from '../../api/ids/snowflake.js';
import { type ApiProcess, postJson, startApiProcess } from '../support/api-process.js';
import { createTestDatabase, type SiteTestDatabase } from '../support/database.js';
import { singleSiteEnvironment } from '../support/single-site-env.js';
import { newReport } from '../support/site.js';

const ADMIN_PASSWORD = 'single-site-admin-password';

/** The shape a Kubernetes pod runs: one site, its own database URL, several replicas. */
describe('single-site mode', () => {
  let db: SiteTestDatabase;
  const replicas: ApiProcess[] = [];
  let keyDir: string;
  const env = () => ({
    CRASHDESK_SITE: 'london',
    CRASHDESK_SITE_NUMBER: '7',
    DATABASE_URL: db.appUrl,
    DATABASE_OWNER_URL: db.url,
    CRASHDESK_ADMIN_PASSWORD: ADMIN_PASSWORD,
    CRASHDESK_BLIND_INDEX_KEY: Buffer.alloc(32, 3).toString('base64'),
    CRASHDESK_LOCAL_KEY_FILE: join(keyDir, 'keys.json'),
  });

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-keys-'));
    await createLocalKeyProvider(join(keyDir, 'keys.json'), { create: true });
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
    await db.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  it('starts two replicas at once on an empty database, each ready, on different id worker slots', async () => {
    replicas.push(...(await Promise.all([startApiProcess(env()), startApiProcess(env())])));
    await Promise.all(replicas.map((replica) => replica.waitReady('london')));
    // Each shipped migration applied exactly once, whichever replica got there first.
    const migrations = await db.sql`select version from schema_migrations order by version`;
    expect(migrations.map((row) => row.version)).toEqual((await listMigrations()).map((migration) => migration.version));
    const leases = await db.sql`select worker_slot from id_worker_leases where expires_at > now()`;
    expect(leases.map((row) => row.worker_slot).sort()).toEqual([0, 1]);
  });

  it('serves only its own site, and mints ids carrying its site number', async () => {
    const [first] = replicas;
    const admin = await postJson(`${first!.base}/london/v1/auth/login`, { username: 'admin', password: ADMIN_PASSWORD });
    expect(admin.status).toBe(200);
    await postJson(`${first!.base}/london/v1/users`, { username: 'agent1', password: 'Correct-Horse-Battery-9', role: 'agent' }, admin.body.token);
    const agent = (await postJson(`${first!.base}/london/v1/auth/login`, { username: 'agent1', password: 'Correct-Horse-Battery-9' })).body.token;
    const created = await postJson(`${first!.base}/london/v1/accidents`, newReport(), agent);
    expect(created.status).toBe(201);
    expect(decodeId(BigInt(created.body.id)).siteNumber).toBe(7);
    expect((await fetch(`${first!.base}/hq/readyz`)).status).toBe(404);
    const metrics = await (await fetch(`${first!.base}/metrics`)).text();
    expect(metrics).toMatch(/process_cpu_seconds_total\{site="london"\}/);
  });

  it('lets a login made at one replica work at the other', async () => {
    const [first, second] = replicas;
    const token = (await postJson(`${first!.base}/london/v1/auth/login`, { username: 'agent1', password: 'Correct-Horse-Battery-9' })).body.token;
    const page = await fetch(`${second!.base}/london/v1/accidents?date=2026-11-20`, { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
  });

  it('refuses to serve a database that belongs to another site', async () => {
    const impostor = await startApiProcess({ ...env(), CRASHDESK_SITE: 'paris' });
    expect(await new Promise((resolve) => impostor.child.once('exit', resolve))).toBe(1);
    expect(impostor.output()).toContain('this database belongs to site "london" number 7');
  });

  it('fails fast, naming every missing setting', async () => {
    const bad = await startApiProcess({ CRASHDESK_SITE: 'london', DATABASE_URL: '', CRASHDESK_SITE_NUMBER: '' });
    expect(await new Promise((resolve) => bad.child.once('exit', resolve))).toBe(2);
    expect(bad.output()).toContain('DATABASE_URL');
    expect(bad.output()).toContain('CRASHDESK_SITE_NUMBER');
  });

  it('refuses to start without DATABASE_OWNER_URL, or with one that logs in as the same role, unless CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE=true', async () => {
    const { DATABASE_OWNER_URL: ownerUrl, ...withoutOwner } = env();
    for (const settings of [withoutOwner, { ...withoutOwner, DATABASE_URL: ownerUrl }, { ...env(), DATABASE_URL: ownerUrl }]) {
      const refused = await startApiProcess(settings);
      expect(await exitOrStillRunning(refused)).toBe(1);
      expect(refused.output()).toMatch(/DATABASE_OWNER_URL/);
      expect(refused.output()).toContain('CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE=true');
    }
  });

  it('releases its worker slot on SIGTERM', async () => {
    const replica = replicas.pop()!;
    expect(await replica.stop('SIGTERM')).toBe(0);
    const live = await db.sql`select worker_slot from id_worker_leases where expires_at > now()`;
    expect(live).toHaveLength(1);
  });
});

/** The exit code once the process exits within `ms`, or 'running'. */
async function exitOrStillRunning(api: ApiProcess, ms = 15_000): Promise<number | null | 'running'> {
  const exited = new Promise<number | null>((resolve) => (api.child.exitCode === null ? api.child.once('exit', resolve) : resolve(api.child.exitCode)));
  const result = await Promise.race([exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms))]);
  if (result === 'running') await api.stop('SIGKILL');
  return result;
}

interface LogLine {
  readonly msg: string;
  readonly seq?: string;
  readonly hash?: string;
  readonly hmac?: string;
  readonly reason?: string;
}

const signedHeadLogs = (api: ApiProcess): LogLine[] =>
  api
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.msg === 'signed the audit chain head');

describe('a single site with one database role', () => {
  it('starts when CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE=true allows it, warning that the owner alone guards the audit trail', async () => {
    const site = await singleSiteEnvironment(ADMIN_PASSWORD);
    const { DATABASE_OWNER_URL: ownerUrl, ...withoutOwner } = site.env;
    const api = await startApiProcess({ ...withoutOwner, DATABASE_URL: ownerUrl!, CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE: 'true' });
    try {
      await api.waitReady('london');
      expect(api.output()).toContain('CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE');
    } finally {
      await api.stop();
      await site.cleanup();
    }
  });
});

describe('signing the audit chain head', () => {
  type Entry = { seq: string; action: string; signed: string | null };
  const newest = async (site: Awaited<ReturnType<typeof singleSiteEnvironment>>) =>
    (
      await site.db.sql<Entry[]>`
      select seq::text as seq, action, details->>'seq' as signed from audit_log order by audit_log.seq desc limit 2`
    ).reverse();
  const signsTheEntryBefore = ([before, last]: Entry[]) =>
    last?.action === 'audit.head_signed' && last.signed === before?.seq && before.action !== 'audit.head_signed';

  it('signs the head every CRASHDESK_AUDIT_SIGN_INTERVAL_MS, each signature a chain entry and a log line', async () => {
    const site = await singleSiteEnvironment(ADMIN_PASSWORD);
    const api = await startApiProcess({ ...site.env, LOG_LEVEL: 'info', CRASHDESK_AUDIT_SIGN_INTERVAL_MS: '300' });
    try {
      await api.waitReady('london');
      // A login is an entry; within a few intervals the entry after it signs it.
      expect((await postJson(`${api.base}/london/v1/auth/login`, { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
      let signed = false;
      for (let waited = 0; waited < 5000 && !signed; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        signed = signsTheEntryBefore(await newest(site));
      }
      expect(signed).toBe(true);
      const [login] = await newest(site);
      // The log line leaves the process after the commit it reports: it may reach the pipe a moment later.
      await expect
        .poll(() => signedHeadLogs(api), { timeout: 5000 })
        .toContainEqual(expect.objectContaining({ seq: login!.seq, reason: 'interval', hmac: expect.stringMatching(/^local:v1:/) }));
    } finally {
      await api.stop('SIGKILL');
      await site.cleanup();
    }
  });

  it('signs the last entries at SIGTERM before the process ends', async () => {
    const site = await singleSiteEnvironment(ADMIN_PASSWORD);
    // The longest interval allowed, so only the shutdown can sign what the login adds (with a short one
    // the interval may sign it first and the test would prove nothing about shutdown).
    const api = await startApiProcess({ ...site.env, LOG_LEVEL: 'info', CRASHDESK_AUDIT_SIGN_INTERVAL_MS: '60000' });
    try {
      await api.waitReady('london');
      const [, atStart] = await newest(site);
      await postJson(`${api.base}/london/v1/auth/login`, { username: 'admin', password: 'not the password' });
      expect(await api.stop('SIGTERM')).toBe(0);
      const [lastLogin, lastSignature] = await newest(site);
      expect(BigInt(lastLogin!.seq)).toBeGreaterThan(BigInt(atStart?.seq ?? '0'));
      expect(signsTheEntryBefore([lastLogin!, lastSignature!])).toBe(true);
      expect(signedHeadLogs(api)).toContainEqual(expect.objectContaining({ seq: lastLogin!.seq, reason: 'shutdown' }));
    } finally {
      await api.stop('SIGKILL');
      await site.cleanup();
    }
  });

  it('refuses an interval longer than a minute', async () => {
    const site = await singleSiteEnvironment(ADMIN_PASSWORD);
    try {
      const api = await startApiProcess({ ...site.env, CRASHDESK_AUDIT_SIGN_INTERVAL_MS: '60001' });
      expect(await exitOrStillRunning(api)).toBe(2);
      expect(api.output()).toContain('CRASHDESK_AUDIT_SIGN_INTERVAL_MS');
    } finally {
      await site.cleanup();
    }
  });
});
