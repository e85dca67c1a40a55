import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';

const FILES = {
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
} as const;
type AssetName = keyof typeof FILES;

interface Asset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly version: string;
}

/**
 * The console's one stylesheet and one script, read on first use and kept in memory. Pages link
 * them with `?v=<hash of the content>`, so a browser may keep them for a year and still never
 * runs an old script after a deploy.
 */
export function createConsoleAssets() {
  const loaded = new Map<AssetName, Promise<Asset>>();
  const load = (name: AssetName) => {
    if (!loaded.has(name)) {
      loaded.set(
        name,
        readFile(new URL(`./assets/${name}`, import.meta.url)).then((body) => ({
          body: new Uint8Array(body),
          version: createHash('sha256').update(body).digest('hex').slice(0, 12),
        })),
      );
    }
    return loaded.get(name)!;
  };

  const routes = new Hono();
  routes.get('/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (!Object.hasOwn(FILES, file)) return c.notFound();
    const asset = await load(file as AssetName);
    const current = c.req.query('v') === asset.version;
    return c.body(asset.body, 200, {
      'content-type': FILES[file as AssetName],
      'cache-control': current ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: `"${asset.version}"`,
    });
  });

  return {
    routes,
    async versions(): Promise<{ css: string; js: string }> {
      const [css, js] = await Promise.all([load('console.css'), load('console.js')]);
      return { css: css.version, js: js.version };
    },
  };
}
