import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The city's Redis, as a cache and a shared counter, never as a source of truth: a command fails
 * at once rather than queue while Redis is away (no offline queue, one try, a short timeout), so
 * a request falls back to PostgreSQL or to its own process instead of waiting; the client keeps
 * reconnecting in the background and is used again as soon as it is back.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
  let reported = false;
  redis.on('error', (error: Error) => {
    // Once per outage: a reconnect loop would otherwise log every attempt.
    if (!reported) logger.warn({ err: error }, 'the cache (Redis) is unreachable: reading from PostgreSQL and limiting within this process until it is back');
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) logger.info('the cache (Redis) is reachable again');
    reported = false;
  });
  return redis;
}
