import { createHash } from 'node:crypto';
import type { AuditOutcome } from './audit-log.js';

/** How `at` is rendered for hashing: `to_char(at at time zone 'UTC', AT_FORMAT)`, microseconds included. */
export const AT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';

/** The predecessor of the first entry. */
export const GENESIS_HASH = Buffer.alloc(32);

// Bumped if the encoding ever changes, so old and new entries can never be read alike.
const ENCODING = 'crashdesk-audit/1';

/** Everything an entry's hash covers, exactly as it is stored. */
export interface ChainedFields {
  readonly seq: string;
  /** ISO 8601 in UTC with microseconds, as `AT_FORMAT` renders the stored timestamp. */
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
 * SHA-256 over the previous hash and a canonical encoding of the entry: a JSON array in a fixed
 * order, `details` with its keys sorted at every depth (as jsonb returns them in its own order).
 */
export function entryHash(prevHash: Buffer, fields: ChainedFields): Buffer {
  const encoded = JSON.stringify([
    ENCODING,
    fields.seq,
    fields.at,
    fields.actor,
    fields.action,
    fields.resource,
    fields.outcome,
    fields.requestId,
    fields.clientAddress,
    canonical(fields.details),
  ]);
  return createHash('sha256').update(prevHash).update(encoded, 'utf8').digest();
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, canonical(inner)]),
    );
  }
  return value;
}

// C0 controls and DEL never belong in an audit field; NUL cannot even be stored.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * What a text field is stored as: without control characters, at most `max` characters, and
 * well-formed UTF-16, so the stored text is exactly the text that was hashed.
 */
export function storableText(value: string, max = 200): string {
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
