import { describe, expect, it } from 'vitest';
import { blockSeconds, defaultThrottlePolicy } from './policy.js';

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
