import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The CSP of HTML pages (the console and /docs): scripts and styles only from this origin, never
 * inline, so an injected `<script>` or `onclick=` does not run. Swagger UI's icons are data:
 * images; its "try it out" calls this origin.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** JSON, metrics and problem documents never need to load or run anything. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers on every response: no MIME sniffing, never framed, no Referer leaving the site (report
 * URLs carry ids and policy lookups), a CSP chosen by what the response is, and `no-store` unless
 * the response says how it may be cached (the console's versioned assets, the docs' static files):
 * an API answer holds personal data or a token, and no browser, proxy or CDN may keep it.
 */
export function securityHeaders(): MiddlewareHandler {
  const common = secureHeaders({ xFrameOptions: 'DENY', referrerPolicy: 'no-referrer' });
  return async (c, next) => {
    await common(c, next);
    const isPage = c.res.headers.get('content-type')?.startsWith('text/html') ?? false;
    c.res.headers.set('content-security-policy', isPage ? PAGE_CSP : API_CSP);
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  };
}

/**
 * CORS stays closed (no Access-Control-* headers, so browsers refuse cross-origin reads) unless
 * origins are configured. Tokens travel in the Authorization header, never in cookies, so
 * credentials are not allowed.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler | undefined {
  if (origins.length === 0) return undefined;
  return cors({
    origin: [...origins],
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
    exposeHeaders: ['etag', 'location', 'retry-after', 'idempotent-replayed'],
    maxAge: 600,
    credentials: false,
  });
}
