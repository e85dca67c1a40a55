/** The fields of a report that identify people or places; only a codec ever sees them at rest. */
export interface SensitiveFields {
  readonly drivers: readonly string[];
  readonly policyNumber: string;
  readonly location: string;
  readonly cause: string;
  readonly summary: string;
}

/** The tables that hold sealed fields: a report's row, a key check (crypto/key-checks.ts), or an intake's transcript and draft. */
export type SealedTable = 'accidents' | 'key_checks' | 'intakes';

/**
 * Where sealed fields belong: bound into the sealed bytes (associated data for an AEAD codec), so
 * they open only there. A report's row passes itself: its id and the version the fields are of,
 * so an earlier version's bytes copied back over a later one do not open. `table` is `accidents`
 * unless said; `accident_history` keeps past states exactly as they were sealed for `accidents`.
 */
export interface SealedRow {
  readonly id: string;
  readonly version: number;
  readonly table?: SealedTable;
}

/**
 * How sensitive fields are stored. The store only ever holds `seal`'s output and the policy
 * index, so swapping the plain codec for an encrypting one changes no query and no route.
 */
export interface FieldCodec {
  /** A report's sensitive fields unless `T` says otherwise (an intake seals its transcript and its draft). */
  seal<T extends object = SensitiveFields>(row: SealedRow, fields: T): Promise<Buffer>;
  open<T extends object = SensitiveFields>(row: SealedRow, sealed: Buffer): Promise<T>;
  /** A deterministic lookup key for an already-normalised policy number. */
  policyIndex(normalisedPolicyNumber: string): string;
}

// The first byte of every sealed value names its format, so rows written by different codecs can
// coexist while a site is migrated from one to the other.
export const PLAIN_FORMAT = 0x00;

/**
 * Stores fields as JSON, unencrypted and unbound: for tests and benchmarks where encryption is not
 * the subject, and the format of reports written before a site sealed them (the envelope codec
 * reads it until the site has re-sealed).
 */
export function createPlainFieldCodec(): FieldCodec {
  return {
    async seal(_row, fields) {
      return Buffer.concat([Buffer.of(PLAIN_FORMAT), Buffer.from(JSON.stringify(fields))]);
    },
    async open<T extends object>(row: SealedRow, sealed: Buffer): Promise<T> {
      if (sealed[0] !== PLAIN_FORMAT) {
        throw new Error(`report ${row.id} was sealed in format ${sealed[0]}, which the plain codec cannot open`);
      }
      return JSON.parse(sealed.subarray(1).toString('utf8')) as T;
    },
    policyIndex: (normalised) => normalised,
  };
}
