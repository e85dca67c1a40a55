import { Hono } from 'hono';
import { SWAGGER_UI_ORIGIN } from '../http/security-headers.js';

// Swagger UI 5 from the CDN the page's CSP allows (see http/security-headers.ts).
const SWAGGER_UI = `${SWAGGER_UI_ORIGIN}/npm/swagger-ui-dist@5`;

/**
 * The interactive API documentation. Swagger UI's usual page starts it with an inline script,
 * which the console's CSP forbids; here the start-up is a script file of its own, so the page
 * works under `script-src 'self'` without a nonce or 'unsafe-inline'.
 */
export function createDocsRoutes(site: string, title: string) {
  const app = new Hono();
  const init = `/${site}/docs/init.js`;

  app.get('/docs', (c) =>
    c.html(
      '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
        '<meta name="viewport" content="width=device-width, initial-scale=1">' +
        `<title>${escapeHtml(title)}</title>` +
        `<link rel="stylesheet" href="${SWAGGER_UI}/swagger-ui.css" crossorigin="anonymous">` +
        '</head><body><div id="swagger-ui"></div>' +
        `<script src="${SWAGGER_UI}/swagger-ui-bundle.js" crossorigin="anonymous"></script>` +
        `<script src="${init}"></script>` +
        '</body></html>',
    ),
  );
  app.get('/docs/init.js', (c) =>
    c.body(
      `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(`/${site}/openapi.json`)}, dom_id: '#swagger-ui' });\n`,
      200,
      { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' },
    ),
  );
  return app;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
