import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

/**
 * An `X-Request-Id` a client may choose (a call-centre system tying its retries together, a
 * tracing id): short, plain letters, digits, `-` and `_`, starting with a letter or digit. It is
 * written into every log line and audit entry of the request, so anything longer or stranger is
 * not copied anywhere: the request gets an id of its own instead.
 */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Sets the `requestId` variable (and the response header) from a well-formed client id, else a random UUID. */
export function requestIds(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const offered = c.req.header('x-request-id');
    const id = offered !== undefined && CLIENT_REQUEST_ID.test(offered) ? offered : randomUUID();
    c.set('requestId', id);
    c.header('x-request-id', id);
    await next();
  };
}
