import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Requests between sites are signed with a key per city. HQ holds the platform's replication
 * secret and derives each city's key from it; a city holds only its own derived key. So a city
 * that joins later needs no change at HQ, and a leaked city key speaks only for that city. A key
 * has a version: rotating a city's key (HQ's registry, ./registry.ts) moves it to the next one.
 *
 *   cityKey(v) = hex(HMAC-SHA256(platformSecret, "crashdesk-replication/" + v + ":" + city))
 */
export function deriveCityKey(platformSecret: string, city: string, keyVersion = 1): string {
  return createHmac('sha256', platformSecret).update(`crashdesk-replication/${keyVersion}:${city}`).digest('hex');
}

export const SIGNATURE_HEADERS = {
  site: 'x-crashdesk-site',
  keyVersion: 'x-crashdesk-key-version',
  timestamp: 'x-crashdesk-timestamp',
  signature: 'x-crashdesk-signature',
} as const;

/** How far a request's timestamp may be from the receiver's clock; a signature seen within it is refused as a replay. */
export const MAX_SKEW_MS = 5 * 60 * 1000;

/** A city's key: the secret and the version it was derived as. */
export interface SigningKey {
  readonly key: string;
  readonly version: number;
}

export const sha256Hex = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

function mac(key: string, method: string, path: string, timestamp: string, bodyHash: string): string {
  return createHmac('sha256', key).update(`${method.toUpperCase()}\n${path}\n${timestamp}\n${bodyHash}`).digest('hex');
}

/** Headers that let the receiver check who sent `body` to `path`, with which key, and when. */
export function signRequest(signing: SigningKey, sender: string, method: string, path: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  return {
    [SIGNATURE_HEADERS.site]: sender,
    [SIGNATURE_HEADERS.keyVersion]: String(signing.version),
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.signature]: mac(signing.key, method, path, timestamp, sha256Hex(body)),
  };
}

/** What the headers claim, checked for shape before anything else of the request is read. */
export interface SignatureClaim {
  readonly sender: string;
  readonly keyVersion: number;
  readonly timestamp: string;
  readonly signature: string;
}

export type ClaimCheck = { readonly ok: true; readonly claim: SignatureClaim } | { readonly ok: false; readonly reason: string };

export function readClaim(header: (name: string) => string | undefined, now = Date.now()): ClaimCheck {
  const sender = header(SIGNATURE_HEADERS.site) ?? '';
  const keyVersion = header(SIGNATURE_HEADERS.keyVersion) ?? '1';
  const timestamp = header(SIGNATURE_HEADERS.timestamp) ?? '';
  const signature = header(SIGNATURE_HEADERS.signature) ?? '';
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(sender)) return { ok: false, reason: 'the request names no site' };
  if (!/^[1-9]\d{0,5}$/.test(keyVersion)) return { ok: false, reason: 'the key version is malformed' };
  if (!/^\d{1,15}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > MAX_SKEW_MS) {
    return { ok: false, reason: 'the signature timestamp is missing or too far from this clock' };
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'the request is not signed' };
  return { ok: true, claim: { sender, keyVersion: Number(keyVersion), timestamp, signature } };
}

/** Whether the claim's signature is the key's over this request, given the body's SHA-256 (hex). */
export function signatureMatches(key: string, claim: SignatureClaim, method: string, path: string, bodyHash: string): boolean {
  const expected = Buffer.from(mac(key, method, path, claim.timestamp, bodyHash), 'hex');
  return timingSafeEqual(expected, Buffer.from(claim.signature, 'hex'));
}
