import type { Redis } from 'ioredis';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';

/**
 * What a cached list depends on, as `day:2026-03-14` or `policy:<blind index>`. A write bumps the
 * generation of every scope it touches; entries of an older generation are never found again.
 */
export type ListScope = `day:${string}` | `policy:${string}`;

/** How a cached value is written to Redis and read back (the in-process tier keeps the value itself). */
export interface ValueCodec<T> {
  encode(value: T): string;
  decode(text: string): T;
}

export interface ListCacheSettings {
  /** An entry younger than this is served as it is. */
  readonly freshMs: number;
  /** Then, for this much longer, it is still served while one request refreshes it. */
  readonly staleMs: number;
}

export interface ListCache {
  /** The value for `key` in `scope`: cached, or `load`ed once however many ask at the same time. */
  get<T>(scope: ListScope, key: string, load: () => Promise<T>, codec: ValueCodec<T>): Promise<T>;
  /** After a write commits: nothing cached for these scopes is served again. */
  invalidate(scopes: Iterable<ListScope>): Promise<void>;
  /** Without Redis: listens for the other processes' invalidations (until then, nothing is cached). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Entry {
  readonly storedAt: number;
  readonly value: unknown;
}

/** Where entries live: Redis, shared by the site's replicas, or one process's memory. */
interface Tier {
  /** Whether entries may be served (the in-process tier: only while it hears the other processes). */
  readonly usable: () => boolean;
  read(scope: ListScope, key: string, codec: ValueCodec<unknown>): Promise<{ generation: string; entry: Entry | undefined }>;
  write(scope: ListScope, generation: string, key: string, entry: Entry, ttlMs: number, codec: ValueCodec<unknown>): Promise<void>;
  bump(scopes: readonly ListScope[]): Promise<void>;
}

export const listCacheMetricsOf = perRegistry((registry: Registry) => ({
  requests: new Counter({
    name: 'crashdesk_list_cache_requests_total',
    help: 'Day pages and policy lookups asked of the cache, by result: fresh, stale (served while refreshed), miss (loaded), bypass (the cache failed; read from PostgreSQL)',
    labelNames: ['site', 'tier', 'result'] as const,
    registers: [registry],
  }),
  errors: new Counter({
    name: 'crashdesk_list_cache_errors_total',
    help: 'Cache commands that failed (Redis unreachable or slow); the request was answered from PostgreSQL',
    labelNames: ['site', 'tier'] as const,
    registers: [registry],
  }),
}));

export interface ListCacheOptions {
  /** The city's Redis; without it, the cache is this process's alone. */
  readonly redis?: Redis;
  /**
   * Without Redis: the site's database, through which the processes of one site (a Deployment's
   * replicas) tell each other what they invalidated (NOTIFY), so none serves a list another changed.
   */
  readonly sql?: Sql;
  readonly site: string;
  readonly settings: ListCacheSettings;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Bound of the in-process tier. */
  readonly maxEntries?: number;
}

/**
 * Day pages and policy lookups, cached as the store's rows (sealed fields as stored, opened in the
 * process after the cache). Concurrent misses of one entry make one load (single flight); an entry
 * past fresh but within stale is served while one background load replaces it; a write's bump makes
 * every older entry of its scopes unreachable at once, for every replica sharing the Redis.
 *
 * Redis failing is never an error for a request: it is answered from PostgreSQL (counted, logged
 * once per outage by the client). An invalidation that failed may leave entries of the old
 * generation in Redis, so after any failure this process reads around the cache for fresh + stale,
 * the longest such an entry could still be served.
 */
export function createListCache(options: ListCacheOptions): ListCache {
  const { site, settings, logger } = options;
  const tierName = options.redis ? 'redis' : 'memory';
  const memory = options.redis ? undefined : memoryTier(options.maxEntries ?? 2000);
  const tier = options.redis ? redisTier(options.redis, site) : memory!;
  let listening: { unlisten(): Promise<void> } | undefined;
  const { requests, errors } = listCacheMetricsOf(options.registry);
  for (const result of ['fresh', 'stale', 'miss', 'bypass']) requests.inc({ site, tier: tierName, result }, 0);
  errors.inc({ site, tier: tierName }, 0);
  const inflight = new Map<string, Promise<unknown>>();
  let bypassUntil = 0;
  const ttlMs = settings.freshMs + settings.staleMs;

  function failed(error: unknown, what: string) {
    errors.inc({ site, tier: tierName });
    bypassUntil = Date.now() + ttlMs;
    logger.debug({ err: error }, `the list cache could not ${what}`);
  }

  /** One load per entry at a time; the result is written under the generation read before it. */
  function loadOnce<T>(scope: ListScope, generation: string, key: string, load: () => Promise<T>, codec: ValueCodec<T>): Promise<T> {
    const flight = `${scope}\n${generation}\n${key}`;
    const running = inflight.get(flight) as Promise<T> | undefined;
    if (running) return running;
    const loading = (async () => {
      try {
        const value = await load();
        await tier
          .write(scope, generation, key, { storedAt: Date.now(), value }, ttlMs, codec as ValueCodec<unknown>)
          .catch((error: unknown) => failed(error, 'store an entry'));
        return value;
      } finally {
        inflight.delete(flight);
      }
    })();
    inflight.set(flight, loading);
    return loading;
  }

  return {
    async get(scope, key, load, codec) {
      if (ttlMs === 0 || Date.now() < bypassUntil || !tier.usable()) {
        requests.inc({ site, tier: tierName, result: 'bypass' });
        return load();
      }
      let found: Awaited<ReturnType<Tier['read']>>;
      try {
        found = await tier.read(scope, key, codec);
      } catch (error) {
        failed(error, 'be read');
        requests.inc({ site, tier: tierName, result: 'bypass' });
        return load();
      }
      const age = found.entry ? Date.now() - found.entry.storedAt : Number.POSITIVE_INFINITY;
      if (found.entry && age < settings.freshMs) {
        requests.inc({ site, tier: tierName, result: 'fresh' });
        return found.entry.value as Awaited<ReturnType<typeof load>>;
      }
      if (found.entry && age < ttlMs) {
        requests.inc({ site, tier: tierName, result: 'stale' });
        loadOnce(scope, found.generation, key, load, codec).catch((error: unknown) => logger.warn({ err: error }, 'refreshing a cached list failed'));
        return found.entry.value as Awaited<ReturnType<typeof load>>;
      }
      requests.inc({ site, tier: tierName, result: 'miss' });
      return loadOnce(scope, found.generation, key, load, codec);
    },

    async invalidate(scopes) {
      const unique = [...new Set(scopes)];
      if (unique.length === 0) return;
      await tier.bump(unique).catch((error: unknown) => failed(error, 'be invalidated'));
      if (memory && options.sql) await announce(options.sql, unique).catch((error: unknown) => failed(error, 'tell the other processes'));
    },

    async start() {
      if (!memory) return;
      if (!options.sql) {
        memory.listening(true);
        return;
      }
      // onlisten runs on every (re)connection: what was announced while it was down is unknown.
      listening = await options.sql.listen(
        LISTS_CHANNEL,
        (payload) => void memory.bump(payload.split('\n') as ListScope[]),
        () => {
          memory.forgetAll();
          memory.listening(true);
        },
      );
    },

    async stop() {
      await listening?.unlisten();
      listening = undefined;
    },
  };
}

const LISTS_CHANNEL = 'crashdesk_lists';
// NOTIFY payloads stop at 8000 bytes; scopes are under 100 characters.
const ANNOUNCEMENT_BYTES = 7000;

/** After the commit (a NOTIFY inside it would cost every change a round trip even with Redis). */
async function announce(sql: Sql, scopes: readonly ListScope[]): Promise<void> {
  let chunk: ListScope[] = [];
  let size = 0;
  const flush = async () => {
    if (chunk.length > 0) await sql`select pg_notify(${LISTS_CHANNEL}, ${chunk.join('\n')})`;
    chunk = [];
    size = 0;
  };
  for (const scope of scopes) {
    if (size + scope.length + 1 > ANNOUNCEMENT_BYTES) await flush();
    chunk.push(scope);
    size += scope.length + 1;
  }
  await flush();
}

// Generations outlive every entry by far; they expire only so that scopes nobody asks for go away.
const GENERATION_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * One round trip per read: the scope's generation and the entry under it, in one script. Keys
 * are derived inside it, which a Redis Cluster would refuse; the city's cache is one instance.
 */
const READ_SCRIPT = `
local generation = redis.call('GET', KEYS[1]) or '0'
return { generation, redis.call('GET', ARGV[1] .. generation .. ARGV[2]) }`;

function redisTier(redis: Redis, site: string): Tier {
  const prefix = `crashdesk:${site}:list:`;
  const generationKey = (scope: ListScope) => `${prefix}gen:${scope}`;
  const entryKey = (scope: ListScope, generation: string, key: string) => `${prefix}${scope}:${generation}:${key}`;
  return {
    usable: () => true,
    async read(scope, key, codec) {
      const [generation, text] = (await redis.eval(READ_SCRIPT, 1, generationKey(scope), `${prefix}${scope}:`, `:${key}`)) as [string, string | null];
      if (text === null) return { generation, entry: undefined };
      const separator = text.indexOf('\n');
      return { generation, entry: { storedAt: Number(text.slice(0, separator)), value: codec.decode(text.slice(separator + 1)) } };
    },
    async write(scope, generation, key, entry, ttlMs, codec) {
      await redis.set(entryKey(scope, generation, key), `${entry.storedAt}\n${codec.encode(entry.value)}`, 'PX', ttlMs);
    },
    async bump(scopes) {
      const pipeline = redis.multi();
      for (const scope of scopes) pipeline.incr(generationKey(scope)).pexpire(generationKey(scope), GENERATION_TTL_MS);
      const results = await pipeline.exec();
      const failure = results?.find(([error]) => error);
      if (!results || failure) throw new Error('bumping list cache generations failed', { cause: failure?.[0] });
    },
  };
}

function memoryTier(maxEntries: number): Tier & { listening(on: boolean): void; forgetAll(): void } {
  const generations = new Map<ListScope, number>();
  const entries = new Map<string, Entry & { expiresAt: number }>();
  // Bumped when the generations are forgotten, so that no generation ever repeats.
  let epoch = 0;
  const generationOf = (scope: ListScope) => `${epoch}.${generations.get(scope) ?? 0}`;
  const entryKey = (scope: ListScope, generation: string, key: string) => `${scope}\n${generation}\n${key}`;
  let heard = false;
  const forgetAll = () => {
    generations.clear();
    entries.clear();
    epoch += 1;
  };
  return {
    usable: () => heard,
    listening(on) {
      heard = on;
    },
    forgetAll,
    async read(scope, key) {
      const generation = generationOf(scope);
      const name = entryKey(scope, generation, key);
      const entry = entries.get(name);
      if (!entry || entry.expiresAt <= Date.now()) {
        entries.delete(name);
        return { generation, entry: undefined };
      }
      return { generation, entry };
    },
    async write(scope, generation, key, entry, ttlMs) {
      // An entry loaded under a generation a write has since bumped is of no use to anyone.
      if (generationOf(scope) !== generation) return;
      const name = entryKey(scope, generation, key);
      entries.delete(name);
      entries.set(name, { ...entry, expiresAt: Date.now() + ttlMs });
      // Maps keep insertion order: the first is the least recently written.
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    async bump(scopes) {
      // One generation per scope ever written (every policy number): forget them all now and then.
      if (generations.size > 100_000) forgetAll();
      // Entries of older generations are unreachable from here on; the bound drops them in time, so a
      // write pays for its scopes alone, not for a walk over every entry.
      for (const scope of scopes) generations.set(scope, (generations.get(scope) ?? 0) + 1);
    },
  };
}
