// Signed-in sessions held for a few seconds in the process, so most requests skip the token lookup.
// Every revocation (sign-out, a new password, a disabled account, a changed role) is announced on a
// PostgreSQL channel from inside its own transaction; every replica listens and forgets at once. A
// lookup that raced with a revocation is not kept (the epoch moved while it ran), and a replica whose
// listening connection dropped forgets everything, since it may have missed announcements meanwhile.
import type { AuthenticatedUser } from '../http/env.js';

/** Announced with `t:<token hash hex>` (one token) or `u:<username>` (all of an account's). */
export const SESSION_CHANNEL = 'crashdesk_sessions';

interface Entry {
  readonly user: AuthenticatedUser;
  readonly until: number;
}

export interface SessionCache {
  /** The cached account for a token hash, or undefined (then look it up, via `remember`). */
  get(tokenHash: Buffer): AuthenticatedUser | undefined;
  /** The epoch to pass to `remember`, read before the lookup starts. */
  epoch(): number;
  /** Keeps a lookup's answer until `expiresAt` or the cache's lifetime, unless a revocation came in since `epoch`. */
  remember(tokenHash: Buffer, user: AuthenticatedUser, expiresAt: Date, epoch: number): void;
  /** Applies an announcement from SESSION_CHANNEL. */
  forget(announcement: string): void;
  /** Forgets every session (the listening connection was re-established). */
  clear(): void;
}

export function createSessionCache(options: { readonly ttlMs: number; readonly maxEntries: number; readonly now?: () => number }): SessionCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let epoch = 0;

  return {
    get(tokenHash) {
      const key = tokenHash.toString('hex');
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.until <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.user;
    },
    epoch: () => epoch,
    remember(tokenHash, user, expiresAt, startedAt) {
      if (startedAt !== epoch || options.ttlMs <= 0) return;
      // Oldest first out: a Map iterates in insertion order.
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(tokenHash.toString('hex'), { user, until: Math.min(now() + options.ttlMs, expiresAt.getTime()) });
    },
    forget(announcement) {
      epoch += 1;
      if (announcement.startsWith('t:')) entries.delete(announcement.slice(2));
      else if (announcement.startsWith('u:')) {
        const username = announcement.slice(2);
        for (const [key, entry] of entries) if (entry.user.username === username) entries.delete(key);
      } else entries.clear();
    },
    clear() {
      epoch += 1;
      entries.clear();
    },
  };
}
