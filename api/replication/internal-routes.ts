import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../http/env.js';
import { badRequest, ProblemError } from '../http/problem.js';
import type { BatchApplier } from './apply.js';
import { BatchSchema, RegisterSchema, SnapshotQuerySchema, type SnapshotPage } from './schema.js';
import { MAX_SKEW_MS, readClaim, type SignatureClaim, signatureMatches } from './signing.js';

export interface InternalRoutesDeps {
  readonly site: string;
  /**
   * The key `sender` signs with at `keyVersion` for this route, or undefined when it may not call
   * it (not a peer, revoked, an old key past its grace, or a city HQ does not know yet calling
   * anything but registration).
   */
  readonly keyFor: (sender: string, keyVersion: number, route: InternalRoute) => Promise<string | undefined>;
  /** Records an accepted signature until `expiresAt`; false when it was seen before (a replay). */
  readonly firstSighting: (signature: string, expiresAt: Date) => Promise<boolean>;
  readonly applyBatch: BatchApplier;
  /** HQ only. */
  readonly register?: (city: string, url: string | undefined) => Promise<void>;
  readonly snapshot?: (after: string, limit: number) => Promise<SnapshotPage>;
}

export type InternalRoute = 'batch' | 'register' | 'snapshot';

type InternalEnv = AppEnv & { Variables: { claim: SignatureClaim; rawBody: string } };

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

/** Reads a body of the declared length, hashing it as it streams; never more than the declared length. */
async function readHashed(body: ReadableStream<Uint8Array> | null, declared: number): Promise<{ text: string; hash: string }> {
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (body) {
    for await (const chunk of body) {
      received += chunk.byteLength;
      if (received > declared) throw new ProblemError(400, 'length-mismatch', 'The body is longer than its Content-Length.');
      hash.update(chunk);
      chunks.push(chunk);
    }
  }
  if (received !== declared) throw new ProblemError(400, 'length-mismatch', 'The body is shorter than its Content-Length.');
  return { text: Buffer.concat(chunks).toString('utf8'), hash: hash.digest('hex') };
}

const routeOf = (path: string): InternalRoute | undefined => /\/internal\/replication\/(batch|register|snapshot)$/.exec(path)?.[1] as InternalRoute | undefined;

/**
 * Routes only peer sites call, under `/{site}/internal/replication`, on the internal port (never
 * behind the Ingress). No bearer token opens them: each request is signed with the key of the city
 * it comes from or goes to (./signing.ts). Everything that can be refused without the body is
 * refused first: the headers' shape and age, the sender and its key, the declared length. The
 * body is hashed as it streams, and a signature seen before within the window is a replay.
 */
export function createInternalRoutes(deps: InternalRoutesDeps) {
  const app = new Hono<InternalEnv>();
  app.use('*', async (c, next) => {
    const checked = readClaim((name) => c.req.header(name));
    if (!checked.ok) throw unauthorized(`The request's signature is refused: ${checked.reason}.`);
    const { claim } = checked;
    const route = routeOf(c.req.path);
    if (!route) throw new ProblemError(404, 'not-found', 'No such replication route.');
    let declared = 0;
    if (c.req.method !== 'GET') {
      const length = c.req.header('content-length');
      if (length === undefined || !/^\d{1,10}$/.test(length))
        throw new ProblemError(411, 'length-required', 'Send Content-Length: a replication request states its size.');
      declared = Number(length);
      if (declared > MAX_BATCH_BYTES)
        throw new ProblemError(413, 'body-too-large', `The replication batch is larger than ${MAX_BATCH_BYTES / (1024 * 1024)} MiB.`);
    }
    const key = await deps.keyFor(claim.sender, claim.keyVersion, route);
    if (!key) throw unauthorized('Only a peer site, with a signed request, may call this route.');
    const { text, hash } = await readHashed(c.req.method === 'GET' ? null : c.req.raw.body, declared);
    const url = new URL(c.req.url);
    if (!signatureMatches(key, claim, c.req.method, url.pathname + url.search, hash))
      throw unauthorized("The request's signature is refused: the signature does not match.");
    // Only a signature that matched is remembered: nobody can fill the table with made-up ones.
    if (!(await deps.firstSighting(claim.signature, new Date(Number(claim.timestamp) + MAX_SKEW_MS)))) {
      throw unauthorized("The request's signature is refused: it was used before (a replay).");
    }
    c.set('claim', claim);
    c.set('rawBody', text);
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
    return c.json(await deps.applyBatch(c.get('claim').sender, batch), 200);
  });

  app.post('/register', async (c) => {
    if (!deps.register) throw new ProblemError(404, 'not-found', 'Only hq registers cities.');
    const { url } = parse(RegisterSchema, json(c.get('rawBody') || '{}'));
    await deps.register(c.get('claim').sender, url);
    return c.body(null, 204);
  });

  app.get('/snapshot', async (c) => {
    if (!deps.snapshot) throw new ProblemError(404, 'not-found', 'Only hq serves snapshots.');
    const { after, limit } = parse(SnapshotQuerySchema, c.req.query());
    return c.json(await deps.snapshot(after, limit), 200);
  });

  return app;
}
