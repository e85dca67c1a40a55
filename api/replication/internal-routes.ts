import { Hono } from 'hono';
import type { AppEnv } from '../http/env.js';
import { badRequest, ProblemError } from '../http/problem.js';
import type { BatchApplier } from './apply.js';
import { SIGNATURE_HEADERS, verifySignature } from './signing.js';
import { BatchSchema, RegisterSchema, SnapshotQuerySchema, type SnapshotPage } from './schema.js';
import type { z } from 'zod';
import { limitBody } from '../http/body-limit.js';

export interface InternalRoutesDeps {
  readonly site: string;
  /** The key that signs requests from `sender`, or undefined when `sender` may not call this site. */
  readonly keyFor: (sender: string) => string | undefined;
  readonly applyBatch: BatchApplier;
  /** HQ only. */
  readonly register?: (city: string, url: string | undefined) => Promise<void>;
  readonly snapshot?: (after: string, limit: number) => Promise<SnapshotPage>;
}

type InternalEnv = AppEnv & { Variables: { sender: string; rawBody: string } };

// Batches of a few hundred full reports; far above the agents' 1 MiB.
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

const unauthorized = (detail: string) => new ProblemError(401, 'unauthorized', detail);

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw badRequest(
      'The replication request is invalid.',
      parsed.error.issues.slice(0, 20).map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return parsed.data;
}

/**
 * Routes only peer sites call, under `/{site}/internal/replication`. No bearer token opens them:
 * each request is signed with the key of the city it comes from or goes to (./signing.ts). They
 * are not in the agents' OpenAPI document; README's Replication section describes them.
 */
export function createInternalRoutes(deps: InternalRoutesDeps) {
  const app = new Hono<InternalEnv>();
  app.use('*', limitBody(MAX_BATCH_BYTES, 'The replication batch'));
  app.use('*', async (c, next) => {
    const sender = c.req.header(SIGNATURE_HEADERS.site) ?? '';
    const key = /^[a-z][a-z0-9-]{0,30}$/.test(sender) ? deps.keyFor(sender) : undefined;
    if (!key) throw unauthorized('Only a peer site, with a signed request, may call this route.');
    const url = new URL(c.req.url);
    const rawBody = c.req.method === 'GET' ? '' : await c.req.text();
    const check = verifySignature(
      key,
      c.req.method,
      url.pathname + url.search,
      rawBody,
      c.req.header(SIGNATURE_HEADERS.timestamp),
      c.req.header(SIGNATURE_HEADERS.signature),
    );
    if (!check.ok) throw unauthorized(`The request's signature is refused: ${check.reason}.`);
    c.set('sender', sender);
    c.set('rawBody', rawBody);
    await next();
  });

  const json = (raw: string): unknown => {
    try {
      return JSON.parse(raw);
    } catch {
      throw new ProblemError(400, 'malformed-json', 'The request body is not valid JSON.');
    }
  };

  app.post('/batch', async (c) => {
    const batch = parse(BatchSchema, json(c.get('rawBody')));
    return c.json(await deps.applyBatch(c.get('sender'), batch), 200);
  });

  app.post('/register', async (c) => {
    if (!deps.register) throw new ProblemError(404, 'not-found', 'Only hq registers cities.');
    const { url } = parse(RegisterSchema, json(c.get('rawBody') || '{}'));
    await deps.register(c.get('sender'), url);
    return c.body(null, 204);
  });

  app.get('/snapshot', async (c) => {
    if (!deps.snapshot) throw new ProblemError(404, 'not-found', 'Only hq serves snapshots.');
    const { after, limit } = parse(SnapshotQuerySchema, c.req.query());
    return c.json(await deps.snapshot(after, limit), 200);
  });

  return app;
}
