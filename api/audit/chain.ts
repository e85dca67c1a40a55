import { createHash } from 'node:crypto';
import { sortedKeys } from '../crypto/canonical-json.js';
import type { AuditOutcome } from './entry.js';

/** The predecessor of the first entry. */
export const GENESIS_HASH = Buffer.alloc(32);

// Changed (here and in audit_append()) if the encoding ever changes, so old and new entries are never read alike.
const ENCODING = 'crashdesk-audit/1';

/** Everything an entry's hash covers, exactly as it is stored. */
export interface ChainedFields {
  readonly seq: string;
  /** ISO 8601 in UTC with microseconds, as `UTC_MICROS` renders the stored timestamp. */
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly outcome: AuditOutcome;
  readonly requestId: string | null;
  readonly clientAddress: string | null;
  readonly details: unknown;
}

/**
 * The entry's fields in a canonical encoding: a JSON array in a fixed order, `details` with its
 * keys sorted at every depth (jsonb gives them back in an order of its own).
 */
export function entryBody(fields: Omit<ChainedFields, 'seq' | 'at'>): string {
  return JSON.stringify([fields.actor, fields.action, fields.resource, fields.outcome, fields.requestId, fields.clientAddress, sortedKeys(fields.details)]);
}

/**
 * SHA-256 over the previous hash and the entry: its body framed with the encoding's name, the seq
 * and the time (digits and ISO characters, which JSON needs no escape for). `audit_append()` in
 * migration 002 frames it the same way when it appends; this is what verification recomputes.
 */
export function entryHash(prevHash: Buffer, fields: ChainedFields): Buffer {
  const framed = `["${ENCODING}","${fields.seq}","${fields.at}",${entryBody(fields).slice(1)}`;
  return createHash('sha256').update(prevHash).update(framed, 'utf8').digest();
}

// C0 controls and DEL never belong in an audit field; NUL cannot even be stored.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;
// eslint-disable-next-line no-control-regex -- as above, without /g so that test() keeps no state
const HAS_CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * What a text field is stored as: without control characters, at most `max` characters, and
 * well-formed UTF-16, so the stored text is exactly the text that was hashed.
 */
export function storableText(value: string, max = 200): string {
  // Almost every field is storable as it is (every entry has several): no copy made for it.
  if (value.length <= max && value.isWellFormed() && !HAS_CONTROL.test(value)) return value;
  return value.replace(CONTROL, '?').slice(0, max).toWellFormed();
}

/**
 * `details` as it will come back from jsonb: only JSON values, every string storable. Hashing
 * this rather than the caller's object keeps the hash reproducible from the row.
 */
export function storableDetails(details: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const json = JSON.stringify(details ?? {}, (_key, value: unknown) => (typeof value === 'string' ? storableText(value, 2000) : value));
  return JSON.parse(json) as Record<string, unknown>;
}
