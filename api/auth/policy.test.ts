import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { blockSeconds, defaultThrottlePolicy, defaultTokenPolicy, siteAuthOptions } from './policy.js';

describe('login back-off', () => {
  it('blocks nobody within the free allowance', () => {
    for (let failures = 0; failures <= 5; failures += 1) expect(blockSeconds(failures, 5, 900)).toBe(0);
  });

  it('doubles the block with every further failure: 2, 4, 8, ... seconds', () => {
    expect([6, 7, 8, 9, 10].map((failures) => blockSeconds(failures, 5, 900))).toEqual([2, 4, 8, 16, 32]);
  });

  it('never blocks for longer than the maximum, however many failures', () => {
    expect(blockSeconds(15, 5, 900)).toBe(900);
    expect(blockSeconds(1_000_000, 5, 900)).toBe(900);
  });

  it('forgets failures over a window longer than the longest block, so waiting out a block does not reset the back-off', () => {
    expect(defaultThrottlePolicy.failureWindowSeconds).toBeGreaterThan(defaultThrottlePolicy.maxBlockSeconds);
  });
});

describe('auth settings from the environment', () => {
  it('defaults to an 8-hour absolute lifetime, a 30-minute idle timeout and the default back-off', () => {
    expect(siteAuthOptions(loadConfig({}))).toEqual({
      tokenTtlSeconds: defaultTokenPolicy.maxSeconds,
      tokenIdleSeconds: defaultTokenPolicy.idleSeconds,
      loginThrottle: defaultThrottlePolicy,
    });
  });

  it('reads every setting, and refuses a value that is not a positive whole number, naming it', () => {
    const env = {
      CRASHDESK_TOKEN_TTL_SECONDS: '600',
      CRASHDESK_TOKEN_IDLE_SECONDS: '60',
      CRASHDESK_LOGIN_USERNAME_FREE_FAILURES: '3',
      CRASHDESK_LOGIN_CLIENT_FREE_FAILURES: '10',
      CRASHDESK_LOGIN_MAX_BLOCK_SECONDS: '120',
      CRASHDESK_LOGIN_FAILURE_WINDOW_SECONDS: '300',
    };
    expect(siteAuthOptions(loadConfig(env))).toEqual({
      tokenTtlSeconds: 600,
      tokenIdleSeconds: 60,
      loginThrottle: { usernameFreeFailures: 3, clientFreeFailures: 10, maxBlockSeconds: 120, failureWindowSeconds: 300 },
    });
    expect(() => loadConfig({ CRASHDESK_LOGIN_MAX_BLOCK_SECONDS: '0' })).toThrow(/CRASHDESK_LOGIN_MAX_BLOCK_SECONDS/);
    expect(() => loadConfig({ CRASHDESK_TOKEN_IDLE_SECONDS: 'soon' })).toThrow(/CRASHDESK_TOKEN_IDLE_SECONDS/);
  });
});
