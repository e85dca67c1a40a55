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
}

export class KeyProviderError extends Error {
  override readonly name = 'KeyProviderError';
}
