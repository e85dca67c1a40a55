import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, postJson, startApiProcess } from '../support/api-process.js';
import { newReport, USER_PASSWORD } from '../support/site.js';

const ADMIN_PASSWORD = 'platform-replication-admin';

/** The local platform replicates between its sites over loopback HTTP to its own port. */
describe('replication in the local platform', () => {
  let dataDir: string;
  let api: ApiProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'crashdesk-platform-replication-'));
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    await api?.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const agentAt = async (site: string) => {
    const admin = (await postJson(`${api!.base}/${site}/v1/auth/login`, { username: 'admin', password: ADMIN_PASSWORD })).body.token;
    await postJson(`${api!.base}/${site}/v1/users`, { username: 'agent1', password: USER_PASSWORD, role: 'agent' }, admin);
    return (await postJson(`${api!.base}/${site}/v1/auth/login`, { username: 'agent1', password: USER_PASSWORD })).body.token as string;
  };
  const readUntil = async (site: string, id: string, token: string, accept: (report: any) => boolean): Promise<any> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const response = await fetch(`${api!.base}/${site}/v1/accidents/${id}`, { headers: { authorization: `Bearer ${token}` } });
      if (response.status === 200) {
        const report = await response.json();
        if (accept(report)) return report;
      }
      if (Date.now() > deadline) throw new Error(`report ${id} did not reach ${site} as expected within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  let id: string;

  it('carries a report recorded at one city to the other, and an update made there back', async () => {
    api = await startApiProcess({ CRASHDESK_DATA_DIR: dataDir, CRASHDESK_ADMIN_PASSWORD: ADMIN_PASSWORD, CRASHDESK_SITES: 'hq,london,manchester' });
    await api.waitReady('london', 60_000);
    const [london, manchester] = await Promise.all([agentAt('london'), agentAt('manchester')]);
    const created = await postJson(`${api.base}/london/v1/accidents`, newReport({ summary: 'from london' }), london);
    expect(created.status).toBe(201);
    id = created.body.id;
    const there = await readUntil('manchester', id, manchester, () => true);
    expect(there).toEqual(created.body);
    const patched = await fetch(`${api.base}/manchester/v1/accidents/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${manchester}`, 'content-type': 'application/json', 'if-match': '"1"' },
      body: JSON.stringify({ status: 'closed' }),
    });
    expect(patched.status).toBe(200);
    expect((await readUntil('london', id, london, (report) => report.version === 2)).status).toBe('closed');
  }, 90_000);

  it('backfills a site added to CRASHDESK_SITES on a later start', async () => {
    expect(await api!.stop('SIGTERM')).toBe(0);
    api = await startApiProcess({ CRASHDESK_DATA_DIR: dataDir, CRASHDESK_ADMIN_PASSWORD: ADMIN_PASSWORD, CRASHDESK_SITES: 'hq,london,manchester,leeds' });
    await api.waitReady('leeds', 60_000);
    const leeds = await agentAt('leeds');
    expect((await readUntil('leeds', id, leeds, () => true)).status).toBe('closed');
  }, 90_000);
});
