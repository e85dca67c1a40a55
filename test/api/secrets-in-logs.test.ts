import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, postJson, startApiProcess } from '../support/api-process.js';
import { singleSiteEnvironment } from '../support/single-site-env.js';
import { newReport } from '../support/site.js';

const ADMIN_PASSWORD = 'Admin-Marker-Passphrase-7Q';
const AGENT_PASSWORD = 'Agent-Marker-Passphrase-4K';
const WRONG_PASSWORD = 'Wrong-Marker-Passphrase-9Z';
const RESET_PASSWORD = 'Reset-Marker-Passphrase-2W';
const BODY_MARKER = 'Body-Marker-5J8X';
const POLICY_MARKER = 'POL-MARKER-3141';

/** Every request runs against a real process at debug level; its whole output and every answer are then searched. */
describe('secrets never reach logs or error bodies', () => {
  let site: Awaited<ReturnType<typeof singleSiteEnvironment>>;
  let api: ApiProcess;
  const bodies: string[] = [];
  const secrets: string[] = [ADMIN_PASSWORD, AGENT_PASSWORD, WRONG_PASSWORD, RESET_PASSWORD, BODY_MARKER, POLICY_MARKER];

  async function send(method: string, path: string, init: { token?: string; body?: string; headers?: Record<string, string> } = {}) {
    const response = await fetch(`${api.base}/london${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers },
      body: init.body,
    });
    const text = await response.text();
    if (response.status >= 400) bodies.push(text);
    return { status: response.status, text };
  }

  beforeAll(async () => {
    site = await singleSiteEnvironment(ADMIN_PASSWORD);
    api = await startApiProcess({ ...site.env, LOG_LEVEL: 'debug' });
    await api.waitReady('london');

    const admin = (await postJson(`${api.base}/london/v1/auth/login`, { username: 'admin', password: ADMIN_PASSWORD })).body.token as string;
    secrets.push(admin);
    await postJson(`${api.base}/london/v1/users`, { username: 'marked', password: AGENT_PASSWORD, role: 'agent' }, admin);
    expect((await send('POST', '/v1/auth/login', { body: JSON.stringify({ username: 'marked', password: WRONG_PASSWORD }) })).status).toBe(401);
    const agent = (await postJson(`${api.base}/london/v1/auth/login`, { username: 'marked', password: AGENT_PASSWORD })).body.token as string;
    secrets.push(agent);

    expect((await send('POST', '/v1/accidents', { token: agent, body: JSON.stringify(newReport({ policyNumber: POLICY_MARKER })) })).status).toBe(201);
    expect((await send('GET', `/v1/accidents?policyNumber=${POLICY_MARKER}`, { token: agent })).status).toBe(200);
    const invalid = [
      send('POST', '/v1/accidents', {
        token: agent,
        body: JSON.stringify({ ...newReport(), callReason: 42, summary: BODY_MARKER, drivers: [BODY_MARKER, ''] }),
      }),
      send('POST', '/v1/accidents', { token: agent, body: `{"summary":"${BODY_MARKER}",` }),
      send('POST', '/v1/users', { token: admin, body: JSON.stringify({ username: 'other', password: BODY_MARKER, role: BODY_MARKER }) }),
      send('PATCH', '/v1/users/marked', { token: admin, body: JSON.stringify({ password: `${BODY_MARKER}-marked` }) }),
      send('POST', '/v1/auth/login', { body: JSON.stringify({ username: 'marked', password: WRONG_PASSWORD, extra: BODY_MARKER }) }),
      send('GET', '/v1/accidents?date=2026-11-20', { headers: { authorization: `Bearer ${agent}x` } }),
      send('GET', '/v1/accidents?date=2026-11-20', { headers: { authorization: `Bearer ${BODY_MARKER}` } }),
      send('GET', '/v1/users', { token: agent }),
    ];
    for (const answer of await Promise.all(invalid)) expect(answer.status).toBeGreaterThanOrEqual(400);
    expect((await send('PATCH', '/v1/users/marked', { token: admin, body: JSON.stringify({ password: RESET_PASSWORD }) })).status).toBe(200);
    expect((await send('POST', '/v1/auth/logout', { token: admin })).status).toBe(204);
    // Let the last log lines reach the pipe.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  afterAll(async () => {
    await api?.stop('SIGKILL');
    await site?.cleanup();
  });

  it('logged every request (at debug level), so there was every chance to leak', () => {
    const requests = api
      .output()
      .split('\n')
      .filter((line) => line.includes('"msg":"request"'));
    expect(requests.length).toBeGreaterThanOrEqual(15);
    expect(requests.some((line) => line.includes('"status":401'))).toBe(true);
  });

  it('never prints a password, a bearer token, a policy number or a marker from a rejected body', () => {
    const output = api.output();
    for (const secret of secrets) expect(output).not.toContain(secret);
  });

  it('never echoes a password, a token or a rejected value in an error body', () => {
    expect(bodies.length).toBeGreaterThanOrEqual(9);
    for (const body of bodies) for (const secret of secrets) expect(body).not.toContain(secret);
  });
});
