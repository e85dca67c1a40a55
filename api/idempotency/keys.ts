import { createHash } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { canonicalJson } from '../crypto/canonical-json.js';

export type Claim = { readonly kind: 'claimed' } | { readonly kind: 'replay'; readonly accidentId: string } | { readonly kind: 'reused-with-other-body' };

export interface IdempotencyRequest {
  readonly username: string;
  readonly key: string;
  readonly requestHash: Buffer;
}

/** A hash of the parsed body, so whitespace or key order in the JSON do not count as "different". */
export function hashRequestBody(body: unknown): Buffer {
  return createHash('sha256').update(canonicalJson(body)).digest();
}

/**
 * Claims the key inside the creating transaction. A concurrent request with the same key blocks on
 * the primary key until this transaction ends, then sees its outcome: exactly one of them creates.
 * An expired key is reclaimed as if new.
 */
export async function claimIdempotencyKey(tx: TransactionSql, request: IdempotencyRequest, ttlSeconds: number): Promise<Claim> {
  const [claimed] = await tx`
    insert into idempotency_keys (username, key, request_hash, expires_at)
    values (${request.username}, ${request.key}, ${request.requestHash}, now() + make_interval(secs => ${ttlSeconds}))
    on conflict (username, key) do update set
      request_hash = excluded.request_hash, accident_id = null, created_at = now(), expires_at = excluded.expires_at
      where idempotency_keys.expires_at <= now()
    returning 1`;
  if (claimed) return { kind: 'claimed' };
  const [existing] = await tx<{ requestHash: Buffer; accidentId: string | null }[]>`
    select request_hash as "requestHash", accident_id::text as "accidentId"
    from idempotency_keys where username = ${request.username} and key = ${request.key}`;
  if (!existing || !existing.requestHash.equals(request.requestHash)) return { kind: 'reused-with-other-body' };
  if (!existing.accidentId) throw new Error('an idempotency key was committed without its report');
  return { kind: 'replay', accidentId: existing.accidentId };
}

export async function completeIdempotencyKey(tx: TransactionSql, request: IdempotencyRequest, accidentId: string): Promise<void> {
  await tx`update idempotency_keys set accident_id = ${accidentId}
           where username = ${request.username} and key = ${request.key}`;
}
