/**
 * How long a sign-in lasts and how hard failed sign-ins are throttled. The defaults below are the
 * defaults of the matching environment variables (see api/config.ts and the README).
 */
export interface TokenPolicy {
  /** A token unused for this long expires; each use pushes its end this far out again. */
  readonly idleSeconds: number;
  /** No token outlives this, however often it is used. */
  readonly maxSeconds: number;
}

/**
 * Failed logins are counted three ways: per (client address, username) pair, the addresses that
 * failed one username, and the usernames that failed from one address. A shared address (a call
 * centre's NAT, hundreds of agents) is thereby throttled as a whole only when it sprays many
 * usernames, and one agent's typos never block a colleague at the same address.
 */
export interface ThrottlePolicy {
  /** Failed logins for one username from one address (within the window) before back-off starts for that pair. */
  readonly usernameFreeFailures: number;
  /** Addresses with failed logins for one username before back-off starts for the username everywhere. */
  readonly usernameFreeAddresses: number;
  /** Usernames with failed logins from one address (and no success there since) before the address backs off. */
  readonly clientFreeFailures: number;
  /** The longest a pair, username or address is ever blocked for at once. */
  readonly maxBlockSeconds: number;
  /** A pair, username or address with no failed login for this long starts afresh. */
  readonly failureWindowSeconds: number;
  /** CIDR blocks (`203.0.113.0/24`, `2001:db8::/48`) never throttled as a whole address: a call centre's own NAT. */
  readonly trustedNetworks: readonly string[];
}

export const defaultTokenPolicy: TokenPolicy = {
  // 30 minutes: OWASP's upper bound for idle sessions of applications holding personal data; an
  // agent between calls uses the console far more often than that.
  idleSeconds: 30 * 60,
  // An 8-hour shift: one sign-in per shift, and a token stolen mid-shift dies at its end.
  maxSeconds: 8 * 60 * 60,
};

export const defaultThrottlePolicy: ThrottlePolicy = {
  // Five typos in a row is a forgotten password, not a typo; after that each further guess doubles
  // the wait (2 s, 4 s, ... 512 s, then 15 min), which holds an online guesser at one address to a
  // handful of guesses an hour per account while a real agent is never blocked for more than 15 minutes.
  usernameFreeFailures: 5,
  // One guesser at one address is held by the pair's back-off and never blocks the account for its
  // owner elsewhere; ten addresses failing one account is a distributed guess, and the account backs off.
  usernameFreeAddresses: 10,
  // Thirty usernames failing from one address within the hour, none signing in afterwards: spraying
  // one password over many accounts. Agents who mistype and then sign in do not count.
  clientFreeFailures: 30,
  maxBlockSeconds: 15 * 60,
  // Longer than the longest block, so waiting out one block does not also reset the back-off.
  failureWindowSeconds: 60 * 60,
  trustedNetworks: [],
};

/**
 * Seconds a username or address is blocked after its `failures`-th counted failure: nothing while
 * within its free allowance, then 2^(failures - free) seconds, capped.
 */
export function blockSeconds(failures: number, freeFailures: number, maxBlockSeconds: number): number {
  if (failures <= freeFailures) return 0;
  return Math.min(2 ** Math.min(failures - freeFailures, 30), maxBlockSeconds);
}
