import type { Sql } from 'postgres';
import { blockSeconds, type ThrottlePolicy } from './policy.js';

type Scope = 'username' | 'client';

/** What a login attempt is counted against; without a known client address only the username counts. */
export interface ThrottleKeys {
  readonly username: string;
  readonly client: string | undefined;
}

export type ThrottleVerdict = { readonly blocked: false } | { readonly blocked: true; readonly scope: Scope; readonly retryAfterSeconds: number };

interface CountRow {
  scope: Scope;
  key: string;
  failures: number;
  stale: boolean;
  blockedForSeconds: number;
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

/**
 * Exponential back-off on failed logins, per username and per client address, in the site's
 * database so that every replica enforces the same counts.
 */
export function createLoginThrottle(sql: Sql, policy: ThrottlePolicy) {
  const freeFailures = (scope: Scope) => (scope === 'username' ? policy.usernameFreeFailures : policy.clientFreeFailures);
  const keysOf = ({ username, client }: ThrottleKeys) => [
    { scope: 'username' as const, key: username },
    ...(client ? [{ scope: 'client' as const, key: client }] : []),
  ];

  return {
    /**
     * Called before the password is checked. When a key is blocked nothing is counted (so hammering
     * a blocked account does not extend its block) and the caller answers 429. Otherwise the
     * attempt is counted as a failure up front, under a row lock, so parallel guesses are counted
     * one by one; `succeeded` takes it back.
     */
    async begin(keys: ThrottleKeys): Promise<ThrottleVerdict> {
      return sql.begin(async (tx) => {
        // The no-op update locks existing rows and returns them, so one statement both creates and locks.
        const rows = await tx<CountRow[]>`
          insert into login_throttle ${tx(keysOf(keys))}
          on conflict (scope, key) do update set key = excluded.key
          returning scope, key, failures,
            (last_failure_at is null or last_failure_at < now() - make_interval(secs => ${policy.failureWindowSeconds})) as stale,
            greatest(ceil(extract(epoch from blocked_until - now())), 0)::int as "blockedForSeconds"`;
        const blocked = rows.filter((row) => row.blockedForSeconds > 0).sort((a, b) => b.blockedForSeconds - a.blockedForSeconds)[0];
        if (blocked) return { blocked: true, scope: blocked.scope, retryAfterSeconds: blocked.blockedForSeconds };
        for (const row of rows) {
          const failures = row.stale ? 1 : row.failures + 1;
          const block = blockSeconds(failures, freeFailures(row.scope), policy.maxBlockSeconds);
          await tx`
            update login_throttle set
              failures = ${failures},
              last_failure_at = now(),
              blocked_until = ${block > 0 ? tx`now() + make_interval(secs => ${block})` : null}
            where scope = ${row.scope} and key = ${row.key}`;
        }
        return { blocked: false };
      });
    },

    /**
     * A success clears the username's count. The address only gets this attempt back: clearing it
     * would let someone with one valid account reset their address between guesses at others.
     */
    async succeeded({ username, client }: ThrottleKeys): Promise<void> {
      await sql`delete from login_throttle where scope = 'username' and key = ${username}`;
      if (!client) return;
      await sql`
        update login_throttle set
          failures = greatest(failures - 1, 0),
          blocked_until = case when failures - 1 > ${policy.clientFreeFailures} then blocked_until end
        where scope = 'client' and key = ${client}`;
    },

    /** After an admin resets the password, its owner may sign in at once. */
    async clearUsername(username: string): Promise<void> {
      await sql`delete from login_throttle where scope = 'username' and key = ${username}`;
    },

    /** Rows that no longer block anything and would start afresh anyway. */
    async purgeStale(): Promise<number> {
      const result = await sql`
        delete from login_throttle
        where (last_failure_at is null or last_failure_at < now() - make_interval(secs => ${policy.failureWindowSeconds}))
          and (blocked_until is null or blocked_until < now())`;
      return result.count;
    },
  };
}
