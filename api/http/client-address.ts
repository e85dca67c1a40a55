import { getConnInfo } from '@hono/node-server/conninfo';
import { isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

/**
 * The address a request came from, as far as this process can trust it. `X-Forwarded-For` is
 * believed only for as many hops as the operator says are its own proxies (the ingress); anything
 * further left could have been written by the client.
 */
export function resolveClientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trustedHops: number): string | undefined {
  const chain = [...(trustedHops > 0 && forwardedFor ? forwardedFor.split(',').map((entry) => entry.trim()) : []), ...(socketAddress ? [socketAddress] : [])];
  if (chain.length === 0) return undefined;
  const candidate = chain[Math.max(0, chain.length - 1 - trustedHops)];
  // A forwarded entry that is not an address must not make the caller unknown (and so unthrottled).
  return normaliseAddress(candidate ?? '') ?? normaliseAddress(socketAddress ?? '');
}

/**
 * One key per client for throttling: an IPv4-mapped IPv6 address becomes its IPv4 form, and an
 * IPv6 address its /64 network, because one subscriber usually holds a whole /64 and could
 * otherwise take a fresh address for every guess. Anything that is not an address is unknown.
 */
export function normaliseAddress(address: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  switch (isIP(address)) {
    case 4:
      return address;
    case 6:
      return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
    default:
      return undefined;
  }
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.map((group) => (group.includes('.') ? group : group.toLowerCase().replace(/^0+(?=.)/, '')));
}

function socketAddressOf(c: Context): string | undefined {
  // In-process requests (`app.request` in tests) have no Node request, so no address.
  const bindings = c.env as { incoming?: unknown; server?: { incoming?: unknown } } | undefined;
  if (!bindings?.incoming && !bindings?.server?.incoming) return undefined;
  return getConnInfo(c).remote.address;
}

/** Sets the `clientAddress` variable for throttling and the audit trail (undefined when unknown). */
export function clientAddress(trustedHops: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('clientAddress', resolveClientAddress(socketAddressOf(c), c.req.header('x-forwarded-for'), trustedHops));
    await next();
  };
}
