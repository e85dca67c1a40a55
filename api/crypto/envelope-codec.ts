import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { createDataKeyCache } from './data-key-cache.js';
import { type FieldCodec, PLAIN_FORMAT, type SensitiveFields } from './field-codec.js';
import { type KeyProvider, KeyProviderError } from './key-provider.js';

export interface EnvelopeCodecOptions {
  readonly sql: Sql;
  readonly provider: KeyProvider;
  /** Platform-wide: the same at every site, so replicated reports stay findable. */
  readonly blindIndexKey: Buffer;
  /** A site seals with one data key until it is this old or this used, then makes a new one. */
  readonly dataKeyMaxAgeMs?: number;
  readonly dataKeyMaxUses?: number;
  readonly cache?: { ttlMs: number; maxUses: number; maxEntries: number };
}

const ENVELOPE_FORMAT = 0x01;
// format (1) | data key id (4) | iv (12) | tag (16) | ciphertext
const HEADER = 1 + 4 + 12 + 16;

/**
 * AES-256-GCM under data keys from the key provider, with the report id as associated data so a
 * sealed value copied onto another row does not open. Rows written before encryption (format 0)
 * still open, and `keys:rewrap` re-seals them.
 */
export function createEnvelopeCodec(options: EnvelopeCodecOptions): FieldCodec & { readonly stats: () => object } {
  const { sql, provider } = options;
  const maxAgeMs = options.dataKeyMaxAgeMs ?? 24 * 60 * 60 * 1000;
  // Far below the 2^32 random-IV limit for one GCM key.
  const maxUses = options.dataKeyMaxUses ?? 1_000_000;
  const cache = createDataKeyCache(options.cache ?? { ttlMs: 5 * 60 * 1000, maxUses: 1_000_000, maxEntries: 1000 });
  let current: { id: number; key: Buffer; createdAt: number; uses: number } | undefined;
  let creating: Promise<NonNullable<typeof current>> | undefined;

  async function newDataKey() {
    const { plaintext, wrapped } = await provider.generateDataKey();
    const [row] = await sql<{ id: number }[]>`
      insert into data_keys (provider, wrapped) values (${provider.name}, ${wrapped}) returning id`;
    if (!row) throw new Error('inserting a data key returned no row');
    cache.put(row.id, plaintext);
    return { id: row.id, key: plaintext, createdAt: Date.now(), uses: 0 };
  }

  async function sealingKey() {
    if (current && current.uses < maxUses && Date.now() - current.createdAt < maxAgeMs) return current;
    creating ??= newDataKey().finally(() => (creating = undefined));
    current = await creating;
    return current;
  }

  async function dataKey(id: number): Promise<Buffer> {
    return cache.get(id, async () => {
      const [row] = await sql<{ wrapped: string }[]>`select wrapped from data_keys where id = ${id}`;
      if (!row) throw new KeyProviderError(`data key ${id} is missing from this site's database`);
      return provider.unwrap(row.wrapped);
    });
  }

  return {
    async seal(reportId, fields) {
      const key = await sealingKey();
      key.uses += 1;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key.key, iv);
      cipher.setAAD(Buffer.from(reportId));
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(fields)), cipher.final()]);
      const header = Buffer.alloc(HEADER);
      header[0] = ENVELOPE_FORMAT;
      header.writeUInt32BE(key.id, 1);
      iv.copy(header, 5);
      cipher.getAuthTag().copy(header, 17);
      return Buffer.concat([header, ciphertext]);
    },

    async open(reportId, sealed) {
      if (sealed[0] === PLAIN_FORMAT) return JSON.parse(sealed.subarray(1).toString('utf8')) as SensitiveFields;
      if (sealed[0] !== ENVELOPE_FORMAT || sealed.length < HEADER) {
        throw new Error(`report ${reportId} is sealed in an unknown format ${sealed[0]}`);
      }
      const keyId = sealed.readUInt32BE(1);
      // The common case (a cached key) takes no promise per report: a page opens 50 of them.
      const key = cache.hit(keyId) ?? (await dataKey(keyId));
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(5, 17));
        decipher.setAAD(Buffer.from(reportId));
        decipher.setAuthTag(sealed.subarray(17, HEADER));
        const plaintext = Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()]);
        return JSON.parse(plaintext.toString('utf8')) as SensitiveFields;
      } catch (cause) {
        throw new Error(`report ${reportId} failed authentication on decryption: altered, or sealed for another row`, { cause });
      }
    },

    policyIndex(normalised) {
      return createHmac('sha256', options.blindIndexKey).update(`policy:${normalised}`).digest('hex').slice(0, 32);
    },

    stats: () => ({ ...cache.stats(), sealingKey: current?.id }),
  };
}
