import { BlockList, isIPv4 } from 'node:net';
import type { Sql, TransactionSql } from 'postgres';
import { blockSeconds, type ThrottlePolicy } from './policy.js';

/**
 * `pair`: one username from one address, every failure counted. `username`: the addresses that
 * failed one username. `client`: the usernames that failed from one address.
 */
export type ThrottleScope = 'pair' | 'username' | 'client';

/** What a login attempt is counted against; without a known client address it counts as one unknown address. */
export interface ThrottleKeys {
  readonly username: string;
  readonly client: string | undefined;
}

export type ThrottleVerdict = { readonly blocked: false } | { readonly blocked: true; readonly scope: ThrottleScope; readonly retryAfterSeconds: number };

interface CountRow {
  scope: ThrottleScope;
  key: string;
  failures: number;
  stale: boolean;
  blockedForSeconds: number;
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

// Client addresses are normalised (http/client-address.ts) and never hold a space, so the first
// space of a pair's key ends the address.
const UNKNOWN_CLIENT = '?';
const pairKey = ({ username, client }: ThrottleKeys) => `${client ?? UNKNOWN_CLIENT} ${username}`;

/** Parses `203.0.113.0/24` or `2001:db8::/48` into a block list; throws naming the bad entry. */
export function trustedNetworkList(networks: readonly string[]): BlockList {
  const list = new BlockList();
  for (const network of networks) {
    const [address = '', prefix = ''] = network.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    try {
      list.addSubnet(address, Number(prefix), type);
    } catch (cause) {
      throw new Error(`${network} is not a network (address/prefix)`, { cause });
    }
  }
  return list;
}

/** Whether a normalised client address (IPv4, or an IPv6 /64 as `a:b:c:d::/64`) lies in a trusted network. */
function isTrusted(list: BlockList, client: string): boolean {
  return isIPv4(client) ? list.check(client, 'ipv4') : list.check(client.replace(/\/64$/, ''), 'ipv6');
}

/**
 * Exponential back-off on failed logins, per (address, username) pair, per username across
 * addresses and per address across usernames (see ThrottlePolicy), in the site's database so that
 * every replica enforces the same counts.
 */
export function createLoginThrottle(sql: Sql, policy: ThrottlePolicy, options: { readonly onThrottled?: (scope: ThrottleScope) => void } = {}) {
  const trusted = trustedNetworkList(policy.trustedNetworks);
  const freeFailures: Record<ThrottleScope, number> = {
    pair: policy.usernameFreeFailures,
    username: policy.usernameFreeAddresses,
    client: policy.clientFreeFailures,
  };
  /** The rows an attempt counts against: a trusted network's address is never throttled as a whole. */
  const keysOf = (keys: ThrottleKeys) => [
    { scope: 'pair' as const, key: pairKey(keys) },
    { scope: 'username' as const, key: keys.username },
    ...(keys.client && !isTrusted(trusted, keys.client) ? [{ scope: 'client' as const, key: keys.client }] : []),
  ];

  /** Takes one back from a username's or an address's count, lifting its block once within the allowance. */
  async function uncount(tx: TransactionSql, scope: 'username' | 'client', key: string) {
    await tx`
      update login_throttle set
        failures = greatest(failures - 1, 0),
        blocked_until = case when failures - 1 > ${freeFailures[scope]} then blocked_until end
      where scope = ${scope} and key = ${key}`;
  }

  return {
    /**
     * Called before the password is checked. When any of its rows is blocked nothing is counted (so
     * hammering a blocked account does not extend its block) and the caller answers 429. Otherwise
     * the attempt is counted as a failure up front, under row locks, so parallel guesses are counted
     * one by one; `succeeded` takes it back. The pair counts every failure; the username and the
     * address count the pair once, on its first failure in the window.
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
        if (blocked) {
          options.onThrottled?.(blocked.scope);
          return { blocked: true, scope: blocked.scope, retryAfterSeconds: blocked.blockedForSeconds };
        }
        const pair = rows.find((row) => row.scope === 'pair');
        const newPair = !pair || pair.stale || pair.failures === 0;
        for (const row of rows) {
          const counted = row.scope === 'pair' || newPair;
          // A username or address whose pairs are still failing stays fresh, counted or not.
          const failures = row.stale ? 1 : row.failures + (counted ? 1 : 0);
          const block = counted ? blockSeconds(failures, freeFailures[row.scope], policy.maxBlockSeconds) : 0;
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
     * A success clears its pair and takes the pair back from the username's and the address's
     * counts, and nothing else: clearing the address would let someone with one valid account
     * reset it between guesses at others, and clearing the username would reset a guess spread
     * over other addresses.
     */
    async succeeded(keys: ThrottleKeys): Promise<void> {
      await sql.begin(async (tx) => {
        const [pair] = await tx<{ counted: boolean }[]>`
          delete from login_throttle where scope = 'pair' and key = ${pairKey(keys)}
          returning failures > 0 and last_failure_at >= now() - make_interval(secs => ${policy.failureWindowSeconds}) as counted`;
        if (!pair?.counted) return;
        for (const row of keysOf(keys)) if (row.scope !== 'pair') await uncount(tx, row.scope, row.key);
      });
    },

    /** After an admin resets the password, its owner may sign in at once, from anywhere. */
    async clearUsername(username: string): Promise<void> {
      await sql`
        delete from login_throttle
        where (scope = 'username' and key = ${username}) or (scope = 'pair' and substr(key, strpos(key, ' ') + 1) = ${username})`;
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
