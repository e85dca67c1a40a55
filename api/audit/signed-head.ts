// What a signature of the audit chain covers, and how it is kept: as an entry of the chain itself.
import { z } from 'zod';
import type { KeyProvider } from '../crypto/key-provider.js';

/** The action of an entry that signs the chain's head; the signer appends it, the verifier checks every one. */
export const HEAD_SIGNED = 'audit.head_signed';

/** Who appends signatures: the api itself, not a person. */
export const HEAD_SIGNER = 'audit-signer';

/** The part of a key provider that signs and checks heads; its key never reaches the database. */
export type AuditSigningKey = Pick<KeyProvider, 'name' | 'hmac' | 'verifyHmac'>;

/**
 * The bytes signed: the site, and the seq and hash of its newest entry. That hash covers every
 * entry before it, so one signature vouches for the whole chain up to it.
 */
export function signedHeadMessage(site: string, head: { readonly seq: string; readonly hash: string }): Buffer {
  return Buffer.from(JSON.stringify(['crashdesk-audit-head/1', site, head.seq, head.hash]), 'utf8');
}

/** A signature entry's details: the head signed (hash in hex), the HMAC, and the key's name. */
export const signedHeadDetails = z.object({
  seq: z.string().regex(/^\d+$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  hmac: z.string().min(1),
  key: z.string(),
  /** `start`, `interval` or `shutdown`: when the api signed. */
  reason: z.string(),
});

export type SignedHeadDetails = z.infer<typeof signedHeadDetails>;
