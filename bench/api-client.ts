import { randomBytes } from 'node:crypto';
import { BENCH_SITE } from './dataset.js';

const REQUEST_TIMEOUT_MS = 30_000;

/** One request to the site under test; anything but the expected status is an error with the body. */
export async function callApi<T>(
  baseUrl: string,
  request: { readonly method: string; readonly path: string; readonly token?: string; readonly body?: unknown; readonly expect: number },
): Promise<T> {
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: {
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== request.expect) {
    throw new Error(`${request.method} ${request.path} answered ${response.status}, expected ${request.expect}: ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

const login = async (baseUrl: string, username: string, password: string) =>
  (
    await callApi<{ token: string }>(baseUrl, {
      method: 'POST',
      path: `/${BENCH_SITE}/v1/auth/login`,
      body: { username, password },
      expect: 200,
    })
  ).token;

/** Signs in as admin, creates an agent account through the API and returns the agent's token. */
export async function agentToken(baseUrl: string, adminPassword: string): Promise<{ username: string; token: string }> {
  const adminToken = await login(baseUrl, 'admin', adminPassword);
  const username = 'bench-agent';
  const password = randomBytes(18).toString('base64url');
  await callApi(baseUrl, {
    method: 'POST',
    path: `/${BENCH_SITE}/v1/users`,
    token: adminToken,
    body: { username, password, role: 'agent' },
    expect: 201,
  });
  return { username, token: await login(baseUrl, username, password) };
}
