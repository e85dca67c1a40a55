/**
 * Unwrapped data keys held in memory for a bounded time and number of uses, so a page of 50
 * reports costs no round trip to the key provider, while a revoked master key stops being usable
 * soon. Evicted keys are dropped, not zeroed: the same buffer may still be in use (the sealing
 * key, an open in progress), and zeroing it would silently encrypt under an all-zero key.
 */
export interface DataKeyCacheOptions {
  readonly ttlMs: number;
  readonly maxUses: number;
  readonly maxEntries: number;
  readonly now?: () => number;
  /** Told of every lookup's result (the site's crashdesk_data_key_cache_lookups_total). */
  readonly onLookup?: (result: 'hit' | 'miss') => void;
}

interface Entry {
  readonly key: Buffer;
  readonly expiresAt: number;
  usesLeft: number;
}

export function createDataKeyCache(options: DataKeyCacheOptions) {
  const now = options.now ?? Date.now;
  const entries = new Map<number, Entry>();
  const loading = new Map<number, Promise<Buffer>>();
  let hits = 0;
  let misses = 0;

  return {
    /** The key if it is cached and fresh (counting a use), without waiting for anything. */
    hit(id: number): Buffer | undefined {
      const entry = entries.get(id);
      if (!entry || entry.expiresAt <= now() || entry.usesLeft <= 0) return undefined;
      entry.usesLeft -= 1;
      hits += 1;
      options.onLookup?.('hit');
      return entry.key;
    },

    /** The key, from memory while fresh, else from `load` (concurrent misses share one load). */
    async get(id: number, load: () => Promise<Buffer>): Promise<Buffer> {
      const entry = entries.get(id);
      if (entry && entry.expiresAt > now() && entry.usesLeft > 0) {
        entry.usesLeft -= 1;
        hits += 1;
        options.onLookup?.('hit');
        return entry.key;
      }
      if (entry) entries.delete(id);
      misses += 1;
      options.onLookup?.('miss');
      let pending = loading.get(id);
      if (!pending) {
        pending = load()
          .then((key) => {
            this.put(id, key);
            return key;
          })
          .finally(() => loading.delete(id));
        loading.set(id, pending);
      }
      return pending;
    },

    put(id: number, key: Buffer) {
      entries.set(id, { key, expiresAt: now() + options.ttlMs, usesLeft: options.maxUses });
      // Maps iterate in insertion order: the first entries are the oldest.
      for (const [oldest] of entries) {
        if (entries.size <= options.maxEntries) break;
        entries.delete(oldest);
      }
    },

    stats: () => ({ hits, misses, size: entries.size }),
  };
}
