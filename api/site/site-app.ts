import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AuditedReports } from '../accidents/audited.js';
import { createAccidentsRoutes } from '../accidents/routes.js';
import { requireAuthentication } from '../auth/middleware.js';
import { limitBody } from '../http/body-limit.js';
import type { RateLimits } from '../http/rate-limit.js';
import { requestIds } from '../http/request-id.js';
import type { CursorCodec } from '../http/cursor.js';
import { auditRequests } from '../audit/middleware.js';
import { createAuditRoutes } from '../audit/routes.js';
import type { AuditTrail } from '../audit/trail.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { createAuthRoutes } from '../auth/routes.js';
import { createConsoleRoutes } from '../console/routes.js';
import type { AuthStore } from '../auth/store.js';
import type { AppEnv } from '../http/env.js';
import { validationHook } from '../http/validation.js';
import { accessLog } from '../observability/access-log.js';
import type { HttpMetrics } from '../observability/http-metrics.js';
import { createReplicationStatusRoutes, type ReplicationStatus } from '../replication/status-routes.js';
import { createUsersRoutes } from '../users/routes.js';
import type { AuditedIntakes } from '../intake/audited.js';
import { createIntakeRoutes } from '../intake/routes.js';
import { createDocsRoutes } from './docs-page.js';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

export interface SiteAppDeps {
  readonly site: string;
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly auth: AuthStore;
  /** Reports, read and changed only through the audited service (both the API and the console). */
  readonly reports: AuditedReports;
  readonly cursors: CursorCodec;
  readonly throttle: LoginThrottle;
  readonly audit: AuditTrail;
  readonly readiness: () => Promise<Readiness>;
  readonly replication: { status(): Promise<ReplicationStatus> };
  /** Calls' transcripts and their drafts, through the audited service (both the API and the console). */
  readonly intakes: AuditedIntakes;
  /** Requests per client address and per account (api/http/rate-limit.ts); health, readiness and the documents are not limited. */
  readonly rateLimits: RateLimits;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Not open source: integrators use the API under their agreement with the platform's operator. The
 * identifier is an SPDX expression for a licence of one's own (OpenAPI 3.1; the library's types for
 * the document's configuration are 3.0's, which lack the field, hence no literal in place).
 */
const API_LICENSE = { name: 'Proprietary', identifier: 'LicenseRef-crashdesk-proprietary' };

/** Everything one site serves, under `/{site}`. No I/O happens here; it all arrives in `deps`. */
export function createSiteApp(deps: SiteAppDeps) {
  const { site } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).basePath(`/${site}`);

  app.use('*', requestIds(), deps.metrics.middleware(site), accessLog(deps.logger));
  // The address limit comes before anything that reads the body or the database, so a flood costs least.
  app.use('/v1/*', deps.rateLimits.perAddress);
  app.use('/v1/*', limitBody(MAX_BODY_BYTES));
  app.use('/v1/*', auditRequests(deps.audit));
  // Every /v1 route needs a signed-in caller, but signing in itself.
  const authenticate = requireAuthentication(deps.auth);
  const signIn = `/${site}/v1/auth/login`;
  const authenticateAllButSignIn: MiddlewareHandler<AppEnv> = (c, next) => (c.req.method === 'POST' && c.req.path === signIn ? next() : authenticate(c, next));
  app.use('/v1/*', authenticateAllButSignIn);
  app.use('/v1/*', deps.rateLimits.perAccount);

  app.route('/v1/auth', createAuthRoutes({ store: deps.auth, throttle: deps.throttle, audit: deps.audit }));
  app.route('/v1/users', createUsersRoutes({ site, store: deps.auth, throttle: deps.throttle, audit: deps.audit }));
  app.route('/v1/accidents', createAccidentsRoutes({ site, reports: deps.reports, cursors: deps.cursors }));
  app.route('/v1/intakes', createIntakeRoutes({ site, intakes: deps.intakes }));
  app.route('/v1/audit', createAuditRoutes({ audit: deps.audit, cursors: deps.cursors }));
  app.route('/v1/replication', createReplicationStatusRoutes({ status: () => deps.replication.status() }));

  // The agents' console: cookie sessions of its own, never accepted by the /v1 routes above.
  app.route(
    '/',
    createConsoleRoutes({
      site,
      auth: deps.auth,
      throttle: deps.throttle,
      reports: deps.reports,
      cursors: deps.cursors,
      audit: deps.audit,
      logger: deps.logger,
      intakes: deps.intakes,
    }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok', site }));
  app.get('/readyz', async (c) => {
    const { ready, checks } = await deps.readiness();
    return c.json({ status: ready ? 'ready' : 'not ready', site, checks }, ready ? 200 : 503);
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: `crashdesk API (${site})`,
      version: '1.0.0',
      description: 'Car-accident reports recorded by call-centre agents. Errors are RFC 9457 problem+json.',
      license: API_LICENSE,
    },
    servers: [{ url: '/', description: site }],
    tags: [
      { name: 'auth', description: 'Signing in for a bearer token, and signing out' },
      { name: 'users', description: "The site's accounts and their roles (admin)" },
      { name: 'accidents', description: 'Car-accident reports: record, open, find by policy number, list a day, change, delete' },
      { name: 'intakes', description: "Drafts of a report from a call's transcript, made in the background" },
      { name: 'audit', description: 'The hash-chained trail of every read and change (auditor)' },
      { name: 'replication', description: 'How far this site is behind its peers, and they behind it (supervisor)' },
    ],
  });
  app.route('/', createDocsRoutes(site, `crashdesk API (${site})`));

  return app;
}
