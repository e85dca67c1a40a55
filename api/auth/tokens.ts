import { createHash, randomBytes } from 'node:crypto';

// The prefix makes a leaked token recognisable to secret scanners and in support tickets.
const TOKEN_PREFIX = 'cdt_';

/** A random 256-bit bearer token. Only its hash is ever stored. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function looksLikeToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && value.length === TOKEN_PREFIX.length + 43;
}
