import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../http/problem.js';
import type { AppEnv } from '../http/env.js';
import { can, type Permission } from './roles.js';
import type { AuthStore } from './store.js';
import { hashToken, looksLikeToken } from './tokens.js';

const unauthorized = (detail: string) => new ProblemError(401, 'unauthorized', detail, { headers: { 'www-authenticate': 'Bearer realm="crashdesk"' } });

/** Resolves `Authorization: Bearer <token>` to the signed-in account, or answers 401. */
export function requireAuthentication(store: AuthStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw unauthorized('Sign in first: send Authorization: Bearer <token>.');
    const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header);
    const token = match?.[1];
    if (!token || !looksLikeToken(token)) throw unauthorized('The bearer token is malformed.');
    const user = await store.findSession(hashToken(token));
    if (!user) throw unauthorized('The token is unknown, expired or revoked; sign in again.');
    c.set('user', user);
    await next();
  };
}

/** Answers 403 unless the signed-in account's role grants the permission. */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user');
    if (!can(user.role, permission)) {
      throw new ProblemError(403, 'forbidden', `The role ${user.role} may not perform ${permission}.`);
    }
    await next();
  };
}
