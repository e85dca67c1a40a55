import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalKeyProvider } from '../../api/crypto/local-key-provider.js';
import { listMigrations } from '../../api/db/migrate.js';
import { decodeId } from '../../api/ids/snowflake.js';
import { type ApiProcess, postJson, startApiProcess } from '../support/api-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { newReport } from '../support/site.js';

const ADMIN_PASSWORD = 'single-site-admin-password';

/** The shape a Kubernetes pod runs: one site, its own database URL, several replicas. */
describe('single-site mode', () => {
  let db: TestDatabase;
  const replicas: ApiProcess[] = [];
  let keyDir: string;
  const env = () => ({
    CRASHDESK_SITE: 'london',
    CRASHDESK_SITE_NUMBER: '7',
    DATABASE_URL: db.url,
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

  it('releases its worker slot on SIGTERM', async () => {
    const replica = replicas.pop()!;
    expect(await replica.stop('SIGTERM')).toBe(0);
    const live = await db.sql`select worker_slot from id_worker_leases where expires_at > now()`;
    expect(live).toHaveLength(1);
  });
});
