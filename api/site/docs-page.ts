import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

// Swagger UI's files come from the swagger-ui-dist package and are served by the site itself, so
// the docs work without internet access and the CSP stays at 'self'.
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;

/**
 * The interactive API documentation. Swagger UI's usual page starts it with an inline script,
 * which the console's CSP forbids; here the start-up is a script file of its own, so the page
 * works under `script-src 'self'` without a nonce or 'unsafe-inline'.
 */
export function createDocsRoutes(site: string, title: string) {
  const app = new Hono();
  const init = `/${site}/docs/init.js`;
  const assets = `/${site}/docs/assets`;
  const cache = new Map<string, Promise<Buffer>>();

  app.get('/docs', (c) =>
    c.html(
      '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
        '<meta name="viewport" content="width=device-width, initial-scale=1">' +
        `<title>${escapeHtml(title)}</title>` +
        `<link rel="stylesheet" href="${assets}/swagger-ui.css">` +
        '</head><body><div id="swagger-ui"></div>' +
        `<script src="${assets}/swagger-ui-bundle.js"></script>` +
        `<script src="${init}"></script>` +
        '</body></html>',
    ),
  );
  app.get('/docs/init.js', (c) =>
    c.body(`window.ui = SwaggerUIBundle({ url: ${JSON.stringify(`/${site}/openapi.json`)}, dom_id: '#swagger-ui' });\n`, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    }),
  );
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (!Object.hasOwn(ASSETS, file)) return c.notFound();
    if (!cache.has(file)) cache.set(file, readFile(join(SWAGGER_UI_DIR, file)));
    const body = await cache.get(file)!;
    return c.body(new Uint8Array(body), 200, {
      'content-type': ASSETS[file as keyof typeof ASSETS],
      'cache-control': 'public, max-age=86400',
    });
  });
  return app;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
