import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { ProblemError } from '../http/problem.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, jsonBody, problemResponses } from '../http/openapi.js';
import { validationHook } from '../http/validation.js';
import { requireAuthentication } from './middleware.js';
import { decoyHash, verifyPassword } from './passwords.js';
import { LoginRequestSchema, LoginResponseSchema } from './schema.js';
import type { AuthStore } from './store.js';
import { hashToken, newToken } from './tokens.js';

export interface AuthRoutesDeps {
  readonly store: AuthStore;
  readonly tokenTtlSeconds: number;
}

const login = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Exchange a username and password for a bearer token',
  request: { body: jsonBody(LoginRequestSchema) },
  responses: {
    200: { description: 'Signed in', content: { 'application/json': { schema: LoginResponseSchema } } },
    ...problemResponses(400, 401, 413, 415, 429),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'Revoke the bearer token of this request',
  security: bearerSecurity,
  responses: { 204: { description: 'Signed out' }, ...problemResponses(401) },
});

export function createAuthRoutes({ store, tokenTtlSeconds }: AuthRoutesDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(login, async (c) => {
    const { username, password } = c.req.valid('json');
    const account = await store.findAccount(username.trim().toLowerCase());
    // Verify even for unknown users so timing does not reveal which usernames exist.
    const valid = await verifyPassword(password, account?.passwordHash ?? (await decoyHash()));
    if (!account || !valid || account.disabledAt) {
      throw new ProblemError(401, 'invalid-credentials', 'The username or password is wrong.');
    }
    const token = newToken();
    const expiresAt = await store.insertToken(hashToken(token), account.username, tokenTtlSeconds);
    return c.json(
      {
        token,
        expiresAt: expiresAt.toISOString(),
        user: { username: account.username, role: account.role, site: account.site },
      },
      200,
    );
  });

  app.use('/logout', requireAuthentication(store));
  app.openapi(logout, async (c) => {
    const token = c.req.header('authorization')?.slice('Bearer '.length) ?? '';
    await store.revokeToken(hashToken(token));
    return c.body(null, 204);
  });

  return app;
}
