import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createTestSite, type JsonResponse, newReport, type TestSite, USER_PASSWORD } from '../../test/support/site.js';
import type { Role } from './roles.js';

describe('accounts and login', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite();
  });
  afterAll(() => site?.stop());

  it('signs in with the right password and returns a token, its expiry and the user', async () => {
    const response = await site.call('POST', '/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(response.status).toBe(200);
    expect(response.body.token).toMatch(/^cdt_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(response.body.expiresAt)).toBeGreaterThan(Date.now());
    expect(response.body.user).toEqual({ username: 'admin', role: 'admin', site: 'london' });
  });

  it('answers 401 for a wrong password and for an unknown user, alike', async () => {
    const wrong = await site.call('POST', '/v1/auth/login', { body: { username: 'admin', password: 'not the password' } });
    const unknown = await site.call('POST', '/v1/auth/login', { body: { username: 'nobody', password: 'not the password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(wrong.headers.get('content-type')).toBe('application/problem+json');
  });

  it('stores only a hash of each token', async () => {
    const token = await site.login('admin', ADMIN_PASSWORD);
    const rows = await site.sql`select encode(token_hash, 'hex') as hash from auth_tokens`;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.hash).not.toContain(Buffer.from(token).toString('hex'));
  });

  it('lets an admin create accounts that can then sign in at this site', async () => {
    const admin = await site.login('admin', ADMIN_PASSWORD);
    const created = await site.call('POST', '/v1/users', { token: admin, body: { username: 'Carol.Agent', password: USER_PASSWORD, role: 'agent' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'carol.agent', role: 'agent', site: 'london' });
    expect(await site.login('carol.agent', USER_PASSWORD)).toMatch(/^cdt_/);
    const taken = await site.call('POST', '/v1/users', { token: admin, body: { username: 'carol.agent', password: USER_PASSWORD, role: 'agent' } });
    expect(taken.status).toBe(409);
  });

  it('refuses weak passwords, naming the field', async () => {
    const admin = await site.login('admin', ADMIN_PASSWORD);
    const short = await site.call('POST', '/v1/users', { token: admin, body: { username: 'dave', password: 'short', role: 'agent' } });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ path: 'password', message: 'must be at least 12 characters' }]);
    const named = await site.call('POST', '/v1/users', { token: admin, body: { username: 'dave', password: 'dave-is-my-password', role: 'agent' } });
    expect(named.status).toBe(400);
    expect(named.body.errors[0].path).toBe('password');
  });

  it('answers 401 to a missing, malformed, unknown, revoked or expired token', async () => {
    const path = '/v1/accidents?policyNumber=1';
    expect((await site.call('GET', path)).status).toBe(401);
    expect((await site.call('GET', path, { headers: { authorization: 'Basic YWRtaW46eA==' } })).status).toBe(401);
    expect((await site.call('GET', path, { token: 'cdt_' + 'x'.repeat(43) })).status).toBe(401);

    const revoked = await site.tokenFor('agent', 'leaver');
    expect((await site.call('GET', path, { token: revoked })).status).toBe(200);
    expect((await site.call('POST', '/v1/auth/logout', { token: revoked })).status).toBe(204);
    expect((await site.call('GET', path, { token: revoked })).status).toBe(401);

    const expired = await site.login('leaver', USER_PASSWORD);
    await site.sql`update auth_tokens set expires_at = now() - interval '1 second' where revoked_at is null and username = 'leaver'`;
    const answer = await site.call('GET', path, { token: expired });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('stops a disabled account at once', async () => {
    const token = await site.tokenFor('agent', 'suspended');
    await site.sql`update accounts set disabled_at = now() where username = 'suspended'`;
    expect((await site.call('GET', '/v1/accidents?policyNumber=1', { token })).status).toBe(401);
    expect((await site.call('POST', '/v1/auth/login', { body: { username: 'suspended', password: USER_PASSWORD } })).status).toBe(401);
  });

  describe('each route checks the role', () => {
    const allowed: Record<string, Role[]> = {
      'POST /v1/accidents': ['agent', 'supervisor'],
      'GET /v1/accidents?date': ['agent', 'supervisor'],
      'GET /v1/accidents?policyNumber': ['agent', 'supervisor'],
      'GET /v1/accidents/{id}': ['agent', 'supervisor'],
      'PATCH /v1/accidents/{id}': ['agent', 'supervisor'],
      'DELETE /v1/accidents/{id}': ['supervisor'],
      'POST /v1/intakes': ['agent', 'supervisor'],
      'GET /v1/intakes/{id}': ['agent', 'supervisor'],
      'POST /v1/users': ['admin'],
      'GET /v1/users': ['admin'],
      'GET /v1/users/{username}': ['admin'],
      'PATCH /v1/users/{username}': ['admin'],
      'POST /v1/auth/logout': ['agent', 'supervisor', 'auditor', 'admin'],
      'GET /v1/audit': ['auditor'],
      'GET /v1/replication': ['supervisor'],
    };
    // Open to everyone by design: signing in, and what probes, browsers and clients need before it.
    const unauthenticated = [
      'POST /v1/auth/login',
      'GET /healthz',
      'GET /readyz',
      'GET /openapi.json',
      'GET /docs',
      'GET /docs/init.js',
      'GET /docs/assets/{file}',
      'GET /',
    ];
    // Peer sites only, and only on the internal port (api/internal-app.ts): the public one does not serve them.
    const peerSigned = ['POST /internal/replication/batch', 'POST /internal/replication/register', 'GET /internal/replication/snapshot'];
    // The console's pages: signed in by its session cookie, never by a bearer token; which role
    // may open each is asserted in api/console/routes.test.ts.
    const consolePages = [
      'GET /login',
      'POST /login',
      'POST /logout',
      'GET /language',
      'GET /search',
      'GET /export',
      'GET /export.csv',
      'GET /assets/{file}',
      'GET /reports/new',
      'POST /reports/new',
      'GET /intakes/new',
      'POST /intakes/new',
      'GET /intakes/open',
      'GET /intakes/{id}',
      'GET /reports/{id}',
      'GET /reports/{id}/edit',
      'POST /reports/{id}/edit',
      'GET /reports/{id}/delete',
      'POST /reports/{id}/delete',
    ];
    const allRoles: Role[] = ['agent', 'supervisor', 'auditor', 'admin'];

    for (const [route, roles] of Object.entries(allowed)) {
      for (const role of allRoles) {
        const expected = roles.includes(role) ? 'allowed' : 403;
        it(`${route} as ${role}: ${expected}`, async () => {
          const token = await site.tokenFor(role);
          const owner = await site.tokenFor('agent', 'owner');
          const report = await site.call('POST', '/v1/accidents', { token: owner, body: newReport() });
          const id = report.body.id as string;
          const requests: Record<string, () => Promise<JsonResponse>> = {
            'POST /v1/accidents': () => site.call('POST', '/v1/accidents', { token, body: newReport() }),
            'GET /v1/accidents?date': () => site.call('GET', '/v1/accidents?date=2026-11-20', { token }),
            'GET /v1/accidents?policyNumber': () => site.call('GET', '/v1/accidents?policyNumber=123', { token }),
            'GET /v1/accidents/{id}': () => site.call('GET', `/v1/accidents/${id}`, { token }),
            'PATCH /v1/accidents/{id}': () => site.call('PATCH', `/v1/accidents/${id}`, { token, headers: { 'if-match': '"1"' }, body: { status: 'closed' } }),
            'DELETE /v1/accidents/{id}': () => site.call('DELETE', `/v1/accidents/${id}`, { token }),
            'POST /v1/intakes': () => site.call('POST', '/v1/intakes', { token, body: { transcript: 'Caller: hello' } }),
            'GET /v1/intakes/{id}': async () => {
              const intake = await site.call('POST', '/v1/intakes', { token: owner, body: { transcript: 'Caller: hello' } });
              return site.call('GET', `/v1/intakes/${intake.body.id}`, { token });
            },
            'POST /v1/users': () =>
              site.call('POST', '/v1/users', {
                token,
                body: { username: `u${Math.random().toString(36).slice(2, 10)}`, password: USER_PASSWORD, role: 'agent' },
              }),
            'GET /v1/users': () => site.call('GET', '/v1/users', { token }),
            'GET /v1/users/{username}': () => site.call('GET', '/v1/users/owner', { token }),
            'PATCH /v1/users/{username}': () => site.call('PATCH', '/v1/users/owner', { token, body: { role: 'agent' } }),
            // A token of its own, so signing out does not end the shared one.
            'POST /v1/auth/logout': async () =>
              site.call('POST', '/v1/auth/logout', {
                token: role === 'admin' ? await site.login('admin', ADMIN_PASSWORD) : await site.login(role, USER_PASSWORD),
              }),
            'GET /v1/audit': () => site.call('GET', '/v1/audit?limit=5', { token }),
            'GET /v1/replication': () => site.call('GET', '/v1/replication', { token }),
          };
          const response = await requests[route]!();
          if (expected === 403) {
            expect(response.status).toBe(403);
            expect(response.body.type).toContain('forbidden');
          } else {
            expect([200, 201, 202, 204]).toContain(response.status);
          }
        });
      }
    }

    it('covers every route the site serves, each either in the table or deliberately open', async () => {
      const served = new Set<string>();
      for (const route of site.running.app.routes) {
        const path = route.path.replace(/^\/london/, '').replace(/:([a-z]+)/gi, '{$1}') || '/';
        if (route.method === 'ALL' || path.endsWith('*')) continue; // middleware, not routes
        served.add(`${route.method} ${path}`);
      }
      const covered = new Set([...Object.keys(allowed).map((key) => key.replace(/\?.*$/, '')), ...unauthenticated, ...consolePages]);
      expect([...served].filter((route) => !covered.has(route))).toEqual([]);
      expect([...covered].filter((route) => !served.has(route))).toEqual([]);
    });

    it('asks for a token on every route in the table: 401 without one', async () => {
      for (const key of Object.keys(allowed)) {
        const [method, template] = key.split(' ') as [string, string];
        const path = template
          .replace('?date', '?date=2026-11-20')
          .replace('?policyNumber', '?policyNumber=1')
          .replace('{id}', '1')
          .replace('{username}', 'admin');
        const response = await site.call(method, path, { body: method === 'GET' || method === 'DELETE' ? undefined : {} });
        expect(response.status, key).toBe(401);
      }
    });

    it("serves no peer-signed route on the public port, to any role's token: 404", async () => {
      for (const key of peerSigned) {
        const [method, path] = key.split(' ') as [string, string];
        for (const role of allRoles) {
          const token = await site.tokenFor(role);
          const response = await site.call(method, path, { token, body: method === 'GET' ? undefined : { lastSeq: 0, reports: [] } });
          expect(response.status, `${key} as ${role}`).toBe(404);
        }
      }
    });
  });
});
