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

export interface ThrottlePolicy {
  /** Failed logins per username (within the window) before back-off starts. */
  readonly usernameFreeFailures: number;
  /** Failed logins per client address (within the window) before back-off starts. */
  readonly clientFreeFailures: number;
  /** The longest a username or address is ever blocked for at once. */
  readonly maxBlockSeconds: number;
  /** A username or address with no failed login for this long starts afresh. */
  readonly failureWindowSeconds: number;
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
  // the wait (2 s, 4 s, ... 512 s, then 15 min), which holds an online guesser to a handful of
  // guesses an hour per account while a real agent is never blocked for more than 15 minutes.
  usernameFreeFailures: 5,
  // A call centre puts hundreds of agents behind one NAT address, so the address allowance is
  // wider; it still stops one machine from spraying a password across many usernames.
  clientFreeFailures: 30,
  maxBlockSeconds: 15 * 60,
  // Longer than the longest block, so waiting out one block does not also reset the back-off.
  failureWindowSeconds: 60 * 60,
};

/**
 * Seconds a username or address is blocked after its `failures`-th counted failure: nothing while
 * within its free allowance, then 2^(failures - free) seconds, capped.
 */
export function blockSeconds(failures: number, freeFailures: number, maxBlockSeconds: number): number {
  if (failures <= freeFailures) return 0;
  return Math.min(2 ** Math.min(failures - freeFailures, 30), maxBlockSeconds);
}
