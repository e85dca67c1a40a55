/** The fields of a report that identify people or places; only a codec ever sees them at rest. */
export interface SensitiveFields {
  readonly drivers: readonly string[];
  readonly policyNumber: string;
  readonly location: string;
  readonly cause: string;
  readonly summary: string;
}

/**
 * How sensitive fields are stored. The store only ever holds `seal`'s output and the policy
 * index, so swapping the plain codec for an encrypting one changes no query and no route.
 */
export interface FieldCodec {
  /** `reportId` binds the sealed bytes to their row (associated data for an AEAD codec). */
  seal(reportId: string, fields: SensitiveFields): Promise<Buffer>;
  open(reportId: string, sealed: Buffer): Promise<SensitiveFields>;
  /** A deterministic lookup key for an already-normalised policy number. */
  policyIndex(normalisedPolicyNumber: string): string;
}

// The first byte of every sealed value names its format, so rows written by different codecs can
// coexist while a site is migrated from one to the other.
export const PLAIN_FORMAT = 0x00;

/**
 * Stores fields as JSON, unencrypted: for tests and benchmarks where encryption is not the subject,
 * and the format of reports written before a site sealed them (the envelope codec still reads it).
 */
export function createPlainFieldCodec(): FieldCodec {
  return {
    async seal(_reportId, fields) {
      return Buffer.concat([Buffer.of(PLAIN_FORMAT), Buffer.from(JSON.stringify(fields))]);
    },
    async open(reportId, sealed) {
      if (sealed[0] !== PLAIN_FORMAT) {
        throw new Error(`report ${reportId} was sealed in format ${sealed[0]}, which the plain codec cannot open`);
      }
      return JSON.parse(sealed.subarray(1).toString('utf8')) as SensitiveFields;
    },
    policyIndex: (normalised) => normalised,
  };
}
