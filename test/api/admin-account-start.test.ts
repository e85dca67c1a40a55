import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, postJson, startApiProcess } from '../support/api-process.js';
import { singleSiteEnvironment } from '../support/single-site-env.js';

const PASSWORD = 'admin-from-a-kubernetes-secret';
const ROTATED = 'rotated-admin-from-the-secret';

/** What a pod's start does to the `admin` account, as the operator runs it: one site, its password from a Secret. */
describe('the admin account at single-site start-up', () => {
  let environment: Awaited<ReturnType<typeof singleSiteEnvironment>>;
  let api: ApiProcess | undefined;
  beforeAll(async () => {
    environment = await singleSiteEnvironment(PASSWORD);
  });
  afterAll(async () => {
    await api?.stop('SIGKILL');
    await environment?.cleanup();
  });

  async function start(env: Record<string, string>) {
    await api?.stop();
    api = await startApiProcess(env);
    await api.waitReady('london', 60_000);
    return api;
  }
  const startUpEntries = () =>
    environment.db.sql<{ action: string; resource: string; details: Record<string, unknown> }[]>`
      select action, resource, details from audit_log where actor = 'crashdesk' order by seq`;

  it('never prints a generated password, and without CRASHDESK_ADMIN_PASSWORD makes no admin account', async () => {
    const { CRASHDESK_ADMIN_PASSWORD: _unset, ...withoutPassword } = environment.env;
    const started = await start(withoutPassword);
    expect(started.output()).not.toMatch(/Sign in as|with password/);
    expect(await environment.db.sql`select username from accounts`).toEqual([]);
    expect(started.output()).toContain('set CRASHDESK_ADMIN_PASSWORD');
  });

  it('creates the account from CRASHDESK_ADMIN_PASSWORD, on the audit trail, and prints nothing of it', async () => {
    const started = await start(environment.env);
    expect(started.output()).not.toContain(PASSWORD);
    expect((await postJson(`${started.base}/london/v1/auth/login`, { username: 'admin', password: PASSWORD })).status).toBe(200);
    expect(await startUpEntries()).toEqual([{ action: 'user.create', resource: 'admin', details: { role: 'admin', by: 'start-up' } }]);
  });

  it('leaves a disabled admin disabled at start, and audits the password the Secret rotated', async () => {
    await environment.db.sql`update accounts set disabled_at = now() where username = 'admin'`;
    const started = await start({ ...environment.env, CRASHDESK_ADMIN_PASSWORD: ROTATED });
    const [admin] = await environment.db.sql`select disabled_at is not null as disabled from accounts where username = 'admin'`;
    expect(admin?.disabled).toBe(true);
    expect((await postJson(`${started.base}/london/v1/auth/login`, { username: 'admin', password: ROTATED })).status).toBe(401);
    expect((await startUpEntries()).map((entry) => entry.action)).toEqual(['user.create', 'user.password_reset']);
  });
});
