/**
 * Where data keys come from. Each report's sensitive fields are encrypted under a data key; the
 * data key is stored only wrapped (encrypted) by the provider's master key, which never leaves it.
 */
export interface KeyProvider {
  /** Names the provider and key in error messages and `data_keys.provider`; never secret. */
  readonly name: string;
  /** A fresh 256-bit data key and its wrapped form. */
  generateDataKey(): Promise<{ plaintext: Buffer; wrapped: string }>;
  unwrap(wrapped: string): Promise<Buffer>;
  /** The same data key wrapped by the newest master key version (for rotation). */
  rewrap(wrapped: string): Promise<string>;
  /** Whether `wrapped` is already under the newest master key version. */
  isCurrent(wrapped: string): Promise<boolean>;
  /**
   * HMAC-SHA-256 of `message` under a key the database never sees (Vault transit `hmac`, or a key
   * derived from the local master key): what signs the audit chain's head. The result names the
   * key version it was made with, so it still verifies after a rotation.
   */
  hmac(message: Buffer): Promise<string>;
  /** Whether `hmac` is this provider's HMAC of `message` (false for anything malformed). */
  verifyHmac(message: Buffer, hmac: string): Promise<boolean>;
}

export class KeyProviderError extends Error {
  override readonly name = 'KeyProviderError';
}
