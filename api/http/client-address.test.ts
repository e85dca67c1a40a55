import { describe, expect, it } from 'vitest';
import { normaliseAddress, resolveClientAddress } from './client-address.js';

describe('client address', () => {
  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(resolveClientAddress('198.51.100.7', '203.0.113.1', 0)).toBe('198.51.100.7');
  });

  it('takes the entry the trusted proxies appended, not one the client wrote further left', () => {
    expect(resolveClientAddress('10.0.0.5', '203.0.113.66, 198.51.100.7', 1)).toBe('198.51.100.7');
    expect(resolveClientAddress('10.0.0.5', '203.0.113.66, 198.51.100.7, 10.0.0.9', 2)).toBe('198.51.100.7');
  });

  it('falls back to the leftmost entry when the chain is shorter than the trusted hops', () => {
    expect(resolveClientAddress('10.0.0.5', '198.51.100.7', 3)).toBe('198.51.100.7');
  });

  it('is unknown without a socket (an in-process request)', () => {
    expect(resolveClientAddress(undefined, undefined, 0)).toBeUndefined();
    expect(resolveClientAddress(undefined, '198.51.100.7', 0)).toBeUndefined();
  });

  it('falls back to the socket address when the forwarded entry is not an address', () => {
    expect(resolveClientAddress('10.0.0.5', 'not-an-ip', 1)).toBe('10.0.0.5');
    expect(resolveClientAddress('10.0.0.5', '', 1)).toBe('10.0.0.5');
    expect(resolveClientAddress('10.0.0.5', '198.51.100.7, ', 1)).toBe('10.0.0.5');
  });

  it('keys IPv4-mapped IPv6 as IPv4, and IPv6 by its /64 so one subscriber cannot rotate addresses', () => {
    expect(normaliseAddress('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(normaliseAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(normaliseAddress('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(normaliseAddress('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(normaliseAddress('::1')).toBe('0:0:0:0::/64');
  });
});
