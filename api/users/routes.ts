import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { TransactionSql } from 'postgres';
import { type AuditEntry, type AuditRecorder, noAuditRecorder } from '../audit/entry.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { requirePermission } from '../auth/middleware.js';
import { hashPassword, passwordProblem } from '../auth/passwords.js';
import { AccountListSchema, AccountPatchSchema, AccountSchema, CreatedUserSchema, NewUserSchema, UsernameParamSchema } from '../auth/schema.js';
import type { Account, AuthStore } from '../auth/store.js';
import { notFound, ProblemError } from '../http/problem.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, jsonBody, jsonResponse as json, problemResponses } from '../http/openapi.js';
import { validationHook } from '../http/validation.js';

export interface UsersRoutesDeps {
  readonly site: string;
  readonly store: AuthStore;
  readonly throttle: LoginThrottle;
  readonly audit?: AuditRecorder;
}

// The document's examples. The password is an example of the policy's length, never a real one.
const accountExample = {
  username: 'agent1',
  role: 'agent',
  site: 'london',
  disabled: false,
  createdAt: '2026-11-02T08:15:00.000Z',
  updatedAt: '2026-11-02T08:15:00.000Z',
} as const;

const createUser = createRoute({
  operationId: 'createUser',
  method: 'post',
  path: '/',
  tags: ['users'],
  summary: 'Create an account at this site (admin)',
  security: bearerSecurity,
  request: { body: jsonBody(NewUserSchema, { username: 'agent1', password: 'correct horse battery staple', role: 'agent' }) },
  responses: {
    201: json(CreatedUserSchema, 'Created', {
      username: accountExample.username,
      role: accountExample.role,
      site: accountExample.site,
      createdAt: accountExample.createdAt,
    }),
    ...problemResponses(400, 401, 403, 409, 413, 415),
  },
});

const listUsers = createRoute({
  operationId: 'listUsers',
  method: 'get',
  path: '/',
  tags: ['users'],
  summary: "List this site's accounts (admin)",
  security: bearerSecurity,
  responses: { 200: json(AccountListSchema, 'Every account, by name; never a password hash', { items: [accountExample] }), ...problemResponses(401, 403) },
});

const getUser = createRoute({
  operationId: 'getUser',
  method: 'get',
  path: '/{username}',
  tags: ['users'],
  summary: 'Show one account (admin)',
  security: bearerSecurity,
  request: { params: UsernameParamSchema },
  responses: { 200: json(AccountSchema, 'The account', accountExample), ...problemResponses(400, 401, 403, 404) },
});

const patchUser = createRoute({
  operationId: 'updateUser',
  method: 'patch',
  path: '/{username}',
  tags: ['users'],
  summary: "Reset an account's password, change its role, disable or enable it (admin)",
  security: bearerSecurity,
  request: { params: UsernameParamSchema, body: jsonBody(AccountPatchSchema, { role: 'supervisor' }) },
  responses: {
    200: json(AccountSchema, 'The changed account', { ...accountExample, role: 'supervisor', updatedAt: '2026-11-21T14:00:00.000Z' }),
    ...problemResponses(400, 401, 403, 404, 413, 415),
  },
});

const toAccount = (account: Account) => ({
  username: account.username,
  role: account.role,
  site: account.site,
  disabled: account.disabledAt !== null,
  createdAt: account.createdAt.toISOString(),
  updatedAt: account.updatedAt.toISOString(),
});

function checkPassword(password: string, username: string) {
  const weakness = passwordProblem(password, username);
  if (weakness) throw new ProblemError(400, 'validation', 'Invalid request body: password.', { errors: [{ path: 'password', message: weakness }] });
}

export function createUsersRoutes({ site, store, throttle, audit = noAuditRecorder }: UsersRoutesDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', requirePermission('users:manage'));

  /** One audit entry per account change, written in the change's own transaction. Never a password. */
  const record = (c: Context<AppEnv>, tx: TransactionSql, entry: Pick<AuditEntry, 'action' | 'resource' | 'details'>) =>
    audit.record({ ...entry, actor: c.get('user').username, outcome: 'success' }, tx);

  app.openapi(createUser, async (c) => {
    const { username, password, role } = c.req.valid('json');
    checkPassword(password, username);
    const actor = c.get('user').username;
    const account = await store.createAccount({ username, role, site, passwordHash: await hashPassword(password) }, actor, (tx, created) =>
      record(c, tx, { action: 'user.create', resource: created.username, details: { role: created.role } }),
    );
    if (!account) throw new ProblemError(409, 'username-taken', `The username ${username} is already taken at ${site}.`);
    c.header('location', `/${site}/v1/users/${account.username}`);
    return c.json({ username: account.username, role: account.role, site: account.site, createdAt: account.createdAt.toISOString() }, 201);
  });

  app.openapi(listUsers, async (c) => c.json({ items: (await store.listAccounts()).map(toAccount) }, 200));

  app.openapi(getUser, async (c) => {
    const { username } = c.req.valid('param');
    const account = await store.findAccount(username);
    if (!account) throw notFound(`There is no account ${username} at ${site}.`);
    return c.json(toAccount(account), 200);
  });

  app.openapi(patchUser, async (c) => {
    const { username } = c.req.valid('param');
    const { password, role, disabled } = c.req.valid('json');
    const actor = c.get('user').username;
    // An admin locking themselves out (or demoting themselves) is always a mistake, and with the
    // last admin it would leave the site without one; another admin must do it.
    if (username === actor && (disabled === true || (role !== undefined && role !== 'admin'))) {
      throw new ProblemError(403, 'own-account', 'An admin cannot disable or demote their own account; ask another admin.');
    }
    if (password !== undefined) checkPassword(password, username);
    const passwordHash = password === undefined ? undefined : await hashPassword(password);

    const account = await store.updateAccount(username, { passwordHash, role, disabled }, actor, async (tx, { before, after }) => {
      if (passwordHash !== undefined) await record(c, tx, { action: 'user.password_reset', resource: username });
      if (after.role !== before.role) await record(c, tx, { action: 'user.role_change', resource: username, details: { from: before.role, to: after.role } });
      if ((after.disabledAt === null) !== (before.disabledAt === null)) {
        await record(c, tx, { action: after.disabledAt ? 'user.disable' : 'user.enable', resource: username });
      }
    });
    if (!account) throw notFound(`There is no account ${username} at ${site}.`);
    // Its owner, who now has the new password, must not be left waiting out an attacker's back-off.
    if (passwordHash !== undefined) await throttle.clearUsername(username);
    return c.json(toAccount(account), 200);
  });

  return app;
}
