import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Requests between sites are signed with a key per city. HQ holds the platform's replication
 * secret and derives each city's key from it; a city holds only its own derived key. So a city
 * that joins later needs no change at HQ, and a leaked city key speaks only for that city.
 *
 *   cityKey = hex(HMAC-SHA256(platformSecret, "crashdesk-replication/1:" + city))
 */
export function deriveCityKey(platformSecret: string, city: string): string {
  return createHmac('sha256', platformSecret).update(`crashdesk-replication/1:${city}`).digest('hex');
}

export const SIGNATURE_HEADERS = { site: 'x-crashdesk-site', timestamp: 'x-crashdesk-timestamp', signature: 'x-crashdesk-signature' } as const;

/** How far a request's timestamp may be from the receiver's clock. */
export const MAX_SKEW_MS = 5 * 60 * 1000;

function mac(key: string, method: string, path: string, timestamp: string, body: string): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', key).update(`${method.toUpperCase()}\n${path}\n${timestamp}\n${bodyHash}`).digest('hex');
}

/** Headers that let the receiver check who sent `body` to `path`, and when. */
export function signRequest(key: string, sender: string, method: string, path: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  return {
    [SIGNATURE_HEADERS.site]: sender,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.signature]: mac(key, method, path, timestamp, body),
  };
}

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * A replayed request inside the skew window is accepted: every internal route is idempotent, so
 * a replay changes nothing (a redelivered batch is exactly that).
 */
export function verifySignature(
  key: string,
  method: string,
  path: string,
  body: string,
  timestamp: string | undefined,
  signature: string | undefined,
  now = Date.now(),
): SignatureCheck {
  if (!timestamp || !signature) return { ok: false, reason: 'the request is not signed' };
  const at = Number(timestamp);
  if (!Number.isSafeInteger(at) || Math.abs(now - at) > MAX_SKEW_MS)
    return { ok: false, reason: 'the signature timestamp is missing or too far from this clock' };
  const expected = Buffer.from(mac(key, method, path, timestamp, body), 'hex');
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the signature does not match' };
  return { ok: true };
}
