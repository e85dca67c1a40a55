import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, postJson, startApiProcess } from '../support/api-process.js';
import { newReport, USER_PASSWORD } from '../support/site.js';

/** The local platform as `npm start` runs it: embedded PostgreSQL, hq + london + manchester. */
describe('the local platform', () => {
  let dataDir: string;
  let api: ApiProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'crashdesk-platform-'));
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    await api?.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  let adminPassword: string;
  let reportId: string;

  it('starts every site on a fresh data directory, ready within 30 s, announcing a generated admin password once', async () => {
    api = await startApiProcess({ CRASHDESK_DATA_DIR: dataDir, CRASHDESK_ADMIN_PASSWORD: '' });
    await api.waitReady('london', 30_000);
    for (const site of ['hq', 'manchester']) await api.waitReady(site, 5_000);
    const announced = /Sign in as "admin" with password: (\S+)/.exec(api.output());
    expect(announced?.[1]).toBeDefined();
    adminPassword = announced![1]!;
    for (const site of ['hq', 'london', 'manchester']) expect(api.output()).toContain(`${api.base}/${site}/`);
    expect((await stat(join(dataDir, 'platform.json'))).mode & 0o077).toBe(0);
    expect(await readFile(join(dataDir, 'platform.json'), 'utf8')).toContain(adminPassword);
  });

  it('records a report through HTTP and answers /metrics with site labels', async () => {
    const admin = (await postJson(`${api!.base}/london/v1/auth/login`, { username: 'admin', password: adminPassword })).body.token;
    expect((await postJson(`${api!.base}/london/v1/users`, { username: 'agent1', password: USER_PASSWORD, role: 'agent' }, admin)).status).toBe(201);
    const agent = (await postJson(`${api!.base}/london/v1/auth/login`, { username: 'agent1', password: USER_PASSWORD })).body.token;
    const created = await postJson(`${api!.base}/london/v1/accidents`, newReport({ policyNumber: 'KEEP-ME-1' }), agent);
    expect(created.status).toBe(201);
    reportId = created.body.id;
    const metrics = await (await fetch(`${api!.base}/metrics`)).text();
    expect(metrics).toMatch(/http_request_duration_seconds_count\{site="london",method="POST",route="\/v1\/accidents",status="201"\} 1/);
  });

  it('finishes a request in flight when told to stop, then exits 0 and stops PostgreSQL', async () => {
    const inFlight = postJson(`${api!.base}/london/v1/auth/login`, { username: 'agent1', password: USER_PASSWORD });
    await new Promise((resolve) => setTimeout(resolve, 15));
    const exit = api!.stop('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await exit).toBe(0);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('keeps every report and account across a restart on the same data directory', async () => {
    api = await startApiProcess({ CRASHDESK_DATA_DIR: dataDir, CRASHDESK_ADMIN_PASSWORD: '' });
    await api.waitReady('london', 30_000);
    expect(api.output()).not.toContain('Sign in as');
    const agent = await postJson(`${api.base}/london/v1/auth/login`, { username: 'agent1', password: USER_PASSWORD });
    expect(agent.status).toBe(200);
    const read = await fetch(`${api.base}/london/v1/accidents/${reportId}`, { headers: { authorization: `Bearer ${agent.body.token}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { policyNumber: string }).policyNumber).toBe('KEEP-ME-1');
    expect((await postJson(`${api.base}/hq/v1/auth/login`, { username: 'admin', password: adminPassword })).status).toBe(200);
    expect(await api.stop('SIGINT')).toBe(0);
  });

  it('refuses a site list without hq, with a clear message and exit code 2', async () => {
    const bad = await startApiProcess({ CRASHDESK_DATA_DIR: dataDir, CRASHDESK_SITES: 'london,paris' });
    expect(await new Promise((resolve) => bad.child.once('exit', resolve))).toBe(2);
    expect(bad.output()).toContain('CRASHDESK_SITES must include hq');
  });
});
