import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareStamps, type VersionStamp } from './conflict.js';
import { backoffDelay } from './backoff.js';
import { deriveCityKey, readClaim, sha256Hex, signatureMatches, signRequest } from './signing.js';

const stamp = fc.record({
  version: fc.integer({ min: 1, max: 5 }),
  updatedAt: fc.constantFrom('2026-11-21T10:00:00.000000Z', '2026-11-21T10:00:00.000001Z', '2026-11-21T10:00:01.000000Z'),
  originSite: fc.constantFrom('hq', 'leeds', 'london'),
});

describe('compareStamps', () => {
  it('orders by version, then timestamp, then origin site', () => {
    const a: VersionStamp = { version: 2, updatedAt: '2026-11-21T10:00:00.000000Z', originSite: 'zurich' };
    expect(compareStamps({ ...a, version: 3, originSite: 'aberdeen' }, a)).toBe(1);
    expect(compareStamps({ ...a, updatedAt: '2026-11-21T10:00:00.000001Z', originSite: 'aberdeen' }, a)).toBe(1);
    expect(compareStamps({ ...a, originSite: 'aberdeen' }, a)).toBe(-1);
    expect(compareStamps(a, { ...a })).toBe(0);
  });

  it('is a total order, so the winner of any set of states does not depend on arrival order', () => {
    fc.assert(
      fc.property(fc.array(stamp, { minLength: 1, maxLength: 8 }), (stamps) => {
        const winner = (list: VersionStamp[]) => list.reduce((best, next) => (compareStamps(next, best) > 0 ? next : best));
        expect(winner(stamps)).toEqual(winner([...stamps].reverse()));
      }),
    );
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with jitter, and is never zero', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0.999)).toBe(199);
    expect(backoffDelay(5, 100, 10_000, () => 0.999)).toBe(3196);
    expect(backoffDelay(50, 100, 10_000, () => 0.999)).toBe(9990);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(50);
  });
});

describe('request signing', () => {
  const key = deriveCityKey('platform-secret-of-at-least-32-characters', 'london');

  it('derives a different key per city and per key version', () => {
    expect(key).not.toBe(deriveCityKey('platform-secret-of-at-least-32-characters', 'leeds'));
    expect(key).not.toBe(deriveCityKey('platform-secret-of-at-least-32-characters', 'london', 2));
    // Version 1 is the key every city held before keys had versions.
    expect(key).toBe(deriveCityKey('platform-secret-of-at-least-32-characters', 'london', 1));
  });

  it('accepts the signed request and refuses any change of path, body, key or an old timestamp', () => {
    const headers = signRequest({ key, version: 1 }, 'london', 'POST', '/hq/internal/replication/batch', '{"a":1}', 1_000_000);
    const check = (k: string, path: string, body: string, now = 1_000_000) => {
      const claim = readClaim((name) => headers[name], now);
      return claim.ok && signatureMatches(k, claim.claim, 'POST', path, sha256Hex(body));
    };
    expect(check(key, '/hq/internal/replication/batch', '{"a":1}')).toBe(true);
    expect(check(key, '/hq/internal/replication/snapshot', '{"a":1}')).toBe(false);
    expect(check(key, '/hq/internal/replication/batch', '{"a":2}')).toBe(false);
    expect(check(deriveCityKey('platform-secret-of-at-least-32-characters', 'leeds'), '/hq/internal/replication/batch', '{"a":1}')).toBe(false);
    expect(check(key, '/hq/internal/replication/batch', '{"a":1}', 1_000_000 + 6 * 60 * 1000)).toBe(false);
  });
});
