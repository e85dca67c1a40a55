import type { Context, MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitSettings } from '../config.js';
import { perRegistry } from '../observability/per-registry.js';
import type { AppEnv } from './env.js';
import { ProblemError } from './problem.js';

export type RateLimitName = 'account' | 'address';

export interface RateLimits {
  /** Before authentication: every `/v1` request from one client address, whichever account (if any) signs it. */
  readonly perAddress: MiddlewareHandler<AppEnv>;
  /** After authentication: every request of one signed-in account, from wherever it comes. */
  readonly perAccount: MiddlewareHandler<AppEnv>;
}

export interface RateLimitsOptions {
  /** The city's Redis, so that every replica of the site counts against the same limits; without it, each process counts alone. */
  readonly redis?: Redis;
  readonly settings: RateLimitSettings;
  readonly site: string;
  readonly registry: Registry;
  readonly logger: Logger;
}

/** As config.ts's defaults: generous, so that only a runaway client or script meets them. */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = { accountPerMinute: 3000, addressPerMinute: 30_000 };

const LIMITS: readonly RateLimitName[] = ['account', 'address'];
const WINDOW_SECONDS = 60;
// As the login throttle does: a request whose address is unknown must not go unlimited.
const UNKNOWN_ADDRESS = '?';

export const rateLimitMetricsOf = perRegistry((registry: Registry) => ({
  limited: new Counter({
    name: 'crashdesk_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit: account (one signed-in account) or address (one client address, every account behind it)',
    labelNames: ['site', 'limit'] as const,
    registers: [registry],
  }),
  errors: new Counter({
    name: 'crashdesk_rate_limit_errors_total',
    help: 'Rate-limit counts Redis failed to keep (unreachable or slow); the request was counted within its own process instead',
    labelNames: ['site'] as const,
    registers: [registry],
  }),
}));

type MemoryOptions = ConstructorParameters<typeof RateLimiterMemory>[0];

/**
 * The Redis limiter hands a request to its insurance only when Redis failed, so a use of the
 * insurance is exactly the failure to count; the library offers no other hook that sees it.
 */
class CountedInsurance extends RateLimiterMemory {
  constructor(
    options: MemoryOptions,
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, points, options);
  }
}

/**
 * Requests per minute per client address and per account (fixed windows), answered 429 with
 * Retry-After once spent. With Redis, the counts are shared by every replica of the site; while
 * Redis is down or slow each process counts for itself (the insurance limiter), so a client may get
 * up to one limit per replica for that while, but never an error.
 */
export function createRateLimits(options: RateLimitsOptions): RateLimits {
  const { redis, site, logger } = options;
  const { limited, errors } = rateLimitMetricsOf(options.registry);
  for (const limit of LIMITS) limited.inc({ site, limit }, 0);
  errors.inc({ site }, 0);

  // One flag for both limits: one outage, one warning (the Redis client logs the connection itself).
  let countingLocally = false;
  let fallbacks = 0;
  function redisFailed() {
    fallbacks += 1;
    errors.inc({ site });
    if (countingLocally) return;
    countingLocally = true;
    logger.warn('rate limits are counted within this process: Redis did not answer, so each replica allows the full limit until it is back');
  }

  function limiterFor(limit: RateLimitName, points: number): RateLimiterAbstract {
    const keyPrefix = `crashdesk:${site}:rl:${limit}`;
    const memory = { keyPrefix, points, duration: WINDOW_SECONDS };
    if (!redis) return new RateLimiterMemory(memory);
    return new RateLimiterRedis({
      ...memory,
      storeClient: redis,
      // ioredis, not the `redis` package; and no command sent while disconnected, straight to the insurance.
      useRedisPackage: false,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new CountedInsurance(memory, redisFailed),
    });
  }

  function limitBy(limit: RateLimitName, points: number, keyOf: (c: Context<AppEnv>) => string | undefined): MiddlewareHandler<AppEnv> {
    if (points === 0) return (_c, next) => next();
    const limiter = limiterFor(limit, points);
    return async (c, next) => {
      const key = keyOf(c);
      if (key === undefined) return next();
      const fallbacksBefore = fallbacks;
      const refusal = await limiter.consume(key).then(
        () => undefined,
        (rejection: unknown) => {
          if (rejection instanceof RateLimiterRes) return rejection;
          // The insurance is in memory and cannot fail: anything else is a bug, not an outage.
          throw new Error(`rate limiting by ${limit} failed`, { cause: rejection });
        },
      );
      if (countingLocally && fallbacks === fallbacksBefore) {
        countingLocally = false;
        logger.info('rate limits are shared through Redis again');
      }
      if (!refusal) return next();
      limited.inc({ site, limit });
      const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      throw new ProblemError(429, 'rate-limited', `${refusalDetail(limit, points)}; retry in ${retryAfterSeconds} seconds.`, {
        headers: { 'retry-after': String(retryAfterSeconds) },
      });
    };
  }

  return {
    perAddress: limitBy('address', options.settings.addressPerMinute, (c) => c.get('clientAddress') ?? UNKNOWN_ADDRESS),
    // Signing in has no account yet; its address is limited, and failed logins have a throttle of their own.
    perAccount: limitBy('account', options.settings.accountPerMinute, (c) => (c.get('user') as AppEnv['Variables']['user'] | undefined)?.username),
  };
}

function refusalDetail(limit: RateLimitName, points: number): string {
  return limit === 'account'
    ? `This account has made more than ${points} requests within a minute`
    : `More than ${points} requests within a minute came from this client address`;
}
