import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { clientAddress } from './http/client-address.js';
import { createErrorHandler, notFoundHandler } from './http/error-handler.js';
import { compressResponses } from './http/compression.js';
import { corsFor, securityHeaders } from './http/security-headers.js';
import type { RunningSite } from './site/start-site.js';

export interface AppDeps {
  readonly sites: readonly Pick<RunningSite, 'site' | 'app'>[];
  readonly registry: Registry;
  readonly logger: Logger;
  /** Browser origins allowed by CORS (none: closed). */
  readonly corsOrigins?: readonly string[];
  /** Proxies in front of this process whose X-Forwarded-For entries are believed (see http/client-address.ts). */
  readonly trustProxyHops?: number;
}

/** The process's HTTP surface: every site under its own prefix, plus `/metrics`. */
export function createApp({ sites, registry, logger, corsOrigins = [], trustProxyHops = 0 }: AppDeps) {
  // Not strict about a trailing slash: the console's documented address is `/{site}/`.
  const app = new Hono({ strict: false });
  app.onError(createErrorHandler(logger));
  app.notFound(notFoundHandler);
  app.use('*', securityHeaders());
  app.use('*', compressResponses());
  const allowOrigins = corsFor(corsOrigins);
  if (allowOrigins) app.use('*', allowOrigins);
  app.use('*', clientAddress(trustProxyHops));

  app.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  app.get('/', (c) => c.json({ sites: sites.map(({ site }) => ({ site, console: `/${site}/`, api: `/${site}/v1` })) }));
  for (const { app: siteApp } of sites) app.route('/', siteApp);

  return app;
}
