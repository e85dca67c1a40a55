import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createErrorHandler, notFoundHandler } from './http/error-handler.js';
import type { RunningSite } from './site/start-site.js';

export interface AppDeps {
  readonly sites: readonly Pick<RunningSite, 'site' | 'app'>[];
  readonly registry: Registry;
  readonly logger: Logger;
}

/** The process's HTTP surface: every site under its own prefix, plus `/metrics`. */
export function createApp({ sites, registry, logger }: AppDeps) {
  const app = new Hono();
  app.onError(createErrorHandler(logger));
  app.notFound(notFoundHandler);

  app.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  app.get('/', (c) => c.json({ sites: sites.map(({ site }) => ({ site, console: `/${site}/`, api: `/${site}/v1` })) }));
  for (const { app: siteApp } of sites) app.route('/', siteApp);

  return app;
}
