import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Histogram, type Registry } from 'prom-client';

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

export function createHttpMetrics(registry: Registry) {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by site, method, route template and status',
    labelNames: ['site', 'method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  /** Labels use the route template (`/v1/accidents/:id`), never the raw path, to bound cardinality. */
  function middleware(site: string): MiddlewareHandler {
    const prefix = `/${site}`;
    return async (c, next) => {
      const stop = duration.startTimer();
      try {
        await next();
      } finally {
        const template = routePath(c, -1);
        const route = template === '/*' || template.endsWith('*') ? 'unmatched' : template.slice(prefix.length) || '/';
        stop({ site, method: c.req.method, route, status: String(c.res.status) });
      }
    };
  }

  // The registry travels with the metrics so that other series of a site (replication) join it.
  return { duration, middleware, registry };
}
