import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { type AuditRecorder, noAuditRecorder } from '../audit/entry.js';
import { limitBody } from '../http/body-limit.js';
import { ProblemError } from '../http/problem.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, jsonBody, jsonResponse, problemResponses } from '../http/openapi.js';
import { validationHook } from '../http/validation.js';
import type { LoginThrottle } from './login-throttle.js';
import { LoginRequestSchema, LoginResponseSchema } from './schema.js';
import type { AuthStore } from './store.js';
import { signIn } from './sign-in.js';
import { hashToken } from './tokens.js';

export interface AuthRoutesDeps {
  readonly store: AuthStore;
  readonly throttle: LoginThrottle;
  readonly audit?: AuditRecorder;
}

// A login body is two short strings; there is no reason to read a megabyte before answering.
const MAX_LOGIN_BODY_BYTES = 16 * 1024;

const login = createRoute({
  operationId: 'signIn',
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Exchange a username and password for a bearer token',
  description:
    'Repeated failures for one username from one client address, for one username from many addresses, or for many ' +
    'usernames from one address are answered with 429 and a Retry-After (seconds) that doubles with every further ' +
    'failure, up to a configured maximum.',
  // The one operation that needs no token: said outright, so that a generated client sends none.
  security: [],
  request: { body: jsonBody(LoginRequestSchema, { username: 'agent1', password: 'correct horse battery staple' }) },
  responses: {
    200: jsonResponse(LoginResponseSchema, 'Signed in', {
      token: 'cdt_3q2-7wz9Xk1mV8rP0aLsYb4nE6uJcH5g',
      expiresAt: '2026-11-20T17:41:07.512Z',
      user: { username: 'agent1', role: 'agent', site: 'london' },
    }),
    ...problemResponses(400, 401, 413, 415, 429),
  },
});

const logout = createRoute({
  operationId: 'signOut',
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'Revoke the bearer token of this request',
  security: bearerSecurity,
  responses: { 204: { description: 'Signed out' }, ...problemResponses(401) },
});

export function createAuthRoutes({ store, throttle, audit = noAuditRecorder }: AuthRoutesDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('/login', limitBody(MAX_LOGIN_BODY_BYTES, 'A login body'));
  app.openapi(login, async (c) => {
    const body = c.req.valid('json');
    const result = await signIn({ store, throttle, audit }, { username: body.username, password: body.password, clientAddress: c.get('clientAddress') });
    if (result.kind === 'throttled') {
      throw new ProblemError(429, 'too-many-attempts', `Too many failed logins; try again in ${result.retryAfterSeconds} seconds.`, {
        headers: { 'retry-after': String(result.retryAfterSeconds) },
      });
    }
    if (result.kind === 'invalid-credentials') throw new ProblemError(401, 'invalid-credentials', 'The username or password is wrong.');
    const { token, expiresAt, account } = result;
    return c.json(
      {
        token,
        expiresAt: expiresAt.toISOString(),
        user: { username: account.username, role: account.role, site: account.site },
      },
      200,
    );
  });

  app.openapi(logout, async (c) => {
    const token = c.req.header('authorization')?.slice('Bearer '.length) ?? '';
    await store.revokeToken(hashToken(token));
    const { username } = c.get('user');
    await audit.record({ actor: username, action: 'auth.logout', resource: username, outcome: 'success' });
    return c.body(null, 204);
  });

  return app;
}
