// Compresses JSON and HTML answers of 1 KiB or more with Brotli or gzip, as the client accepts (a
// day's page of 50 reports is about 30 KiB of JSON, a few KiB once compressed). Small bodies go as
// they are: below about a kilobyte compression saves less than it costs. Streams (the CSV export)
// are left alone, as is anything already encoded or marked no-transform.
//
// BREACH needs an attacker to make the victim's browser send authenticated requests that reflect
// the attacker's input next to a secret: the console's cookie is SameSite=Strict (a cross-site
// request carries no session) and its CSRF token is masked afresh in every page (console/session.ts).
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
const COMPRESSIBLE = /^(application\/(json|problem\+json)|text\/html)\b/;

export type Encoding = 'br' | 'gzip';

/** The encoding to answer in for an Accept-Encoding header: br over gzip, neither when refused (q=0). */
export function negotiateEncoding(header: string | undefined): Encoding | undefined {
  if (!header) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    weights.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const weightOf = (encoding: Encoding) => weights.get(encoding) ?? weights.get('*') ?? 0;
  const best = (['br', 'gzip'] as const).filter((encoding) => weightOf(encoding) > 0).sort((a, b) => weightOf(b) - weightOf(a));
  return best[0];
}

export function compressResponses({ threshold = 1024 }: { readonly threshold?: number } = {}): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const response = c.res;
    // Headers and status first, the body last: reading `response.body` turns @hono/node-server's
    // light response (written to the socket in one go) into a fetch Response read back as a stream.
    const type = response.headers.get('content-type') ?? '';
    if (c.req.method === 'HEAD' || response.status === 204 || response.status === 304) return;
    if (!COMPRESSIBLE.test(type) || response.headers.has('content-encoding')) return;
    if (/\bno-transform\b/i.test(response.headers.get('cache-control') ?? '')) return;
    // Caches must keep one copy per encoding whether or not this answer is compressed.
    response.headers.append('vary', 'Accept-Encoding');
    const encoding = negotiateEncoding(c.req.header('accept-encoding'));
    if (!encoding) return;
    const body = Buffer.from(await response.arrayBuffer());
    const { status, headers } = response;
    // Replaced, not assigned over: assigning over makes Hono copy the old response's body as a stream.
    c.res = undefined;
    if (body.length < threshold) {
      c.res = new Response(body.length > 0 ? body : null, { status, headers });
      return;
    }
    // Quality 5 of 11: most of Brotli's gain for a fraction of its cost on a request's path.
    const compressed =
      encoding === 'br'
        ? await brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
        : await gzipped(body, { level: 6 });
    headers.set('content-encoding', encoding);
    headers.delete('content-length');
    c.res = new Response(compressed, { status, headers });
  };
}
