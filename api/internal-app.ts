import { Hono } from 'hono';
import type { Logger } from 'pino';
import { createErrorHandler, notFoundHandler } from './http/error-handler.js';
import { securityHeaders } from './http/security-headers.js';
import type { RunningSite } from './site/start-site.js';

/**
 * What the internal port serves: every site's replication routes under
 * `/{site}/internal/replication`, and nothing else. The Ingress routes only the public port, so an
 * agent's browser (or anyone on the internet) never reaches these; the NetworkPolicy admits only
 * peer sites, and with mutual TLS a peer proves itself before a request is read.
 */
export function createInternalApp({ sites, logger }: { readonly sites: readonly Pick<RunningSite, 'site' | 'internalRoutes'>[]; readonly logger: Logger }) {
  const app = new Hono();
  app.onError(createErrorHandler(logger));
  app.notFound(notFoundHandler);
  app.use('*', securityHeaders());
  for (const { site, internalRoutes } of sites) app.route(`/${site}/internal/replication`, internalRoutes);
  return app;
}
