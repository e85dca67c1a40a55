import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/env.js';
import type { AuditTrail } from './trail.js';

/**
 * For every API request: entries recorded while handling it carry its request id and client
 * address, and a signed-in caller's request refused with 403 is recorded as `denied`.
 * Requests without a valid token (401) have no actor and are left to the access log.
 */
export function auditRequests(audit: Pick<AuditTrail, 'record' | 'withOrigin'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = () => ({ requestId: c.get('requestId'), clientAddress: c.get('clientAddress') });
    await audit.withOrigin(origin, next);
    // Set only once authentication succeeded; the type says otherwise, so read it as optional.
    const user = c.get('user') as AppEnv['Variables']['user'] | undefined;
    if (c.res.status !== 403 || !user) return;
    await audit.withOrigin(origin, () =>
      audit.record({
        actor: user.username,
        action: 'access.denied',
        // The path names what was asked for (a report id, an account); the query string never
        // appears, as it may hold a policy number.
        resource: `${c.req.method} ${c.req.path}`,
        outcome: 'denied',
        details: { role: user.role },
      }),
    );
  };
}
