import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { requireAuthentication, requirePermission } from '../auth/middleware.js';
import { hashPassword, passwordProblem } from '../auth/passwords.js';
import { CreatedUserSchema, NewUserSchema } from '../auth/schema.js';
import type { AuthStore } from '../auth/store.js';
import { ProblemError } from '../http/problem.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, jsonBody, problemResponses } from '../http/openapi.js';
import { validationHook } from '../http/validation.js';

export interface UsersRoutesDeps {
  readonly site: string;
  readonly store: AuthStore;
}

const createUser = createRoute({
  method: 'post',
  path: '/',
  tags: ['users'],
  summary: 'Create an account at this site (admin)',
  security: bearerSecurity,
  request: { body: jsonBody(NewUserSchema) },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: CreatedUserSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415),
  },
});

export function createUsersRoutes({ site, store }: UsersRoutesDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', requireAuthentication(store), requirePermission('users:manage'));

  app.openapi(createUser, async (c) => {
    const { username, password, role } = c.req.valid('json');
    const weakness = passwordProblem(password, username);
    if (weakness) {
      throw new ProblemError(400, 'validation', `Invalid request body: password.`, {
        errors: [{ path: 'password', message: weakness }],
      });
    }
    const actor = c.get('user').username;
    const account = await store.createAccount({ username, role, site, passwordHash: await hashPassword(password) }, actor);
    if (!account) throw new ProblemError(409, 'username-taken', `The username ${username} is already taken at ${site}.`);
    c.header('location', `/${site}/v1/users/${account.username}`);
    return c.json(
      { username: account.username, role: account.role, site: account.site, createdAt: account.createdAt.toISOString() },
      201,
    );
  });

  return app;
}
