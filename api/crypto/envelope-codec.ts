import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { createDataKeyCache } from './data-key-cache.js';
import { type FieldCodec, PLAIN_FORMAT, type SealedRow } from './field-codec.js';
import { type KeyProvider, KeyProviderError } from './key-provider.js';

export interface EnvelopeCodecOptions {
  readonly sql: Sql;
  /** The site whose database this is (its `site_identity`): bound into everything it seals. */
  readonly site: string;
  readonly provider: KeyProvider;
  /** Platform-wide: the same at every site, so replicated reports stay findable. */
  readonly blindIndexKey: Buffer;
  /** A site seals with one data key until it is this old or this used, then makes a new one. */
  readonly dataKeyMaxAgeMs?: number;
  readonly dataKeyMaxUses?: number;
  readonly cache?: { ttlMs: number; maxUses: number; maxEntries: number };
  /** Told of every data key lookup's result (crypto/metrics.ts). */
  readonly onDataKeyLookup?: (result: 'hit' | 'miss') => void;
}

/** Format 1: the report id alone was the associated data. Read until the site has re-sealed. */
const REPORT_ID_FORMAT = 0x01;
/** Format 2: site, table, id and version are the associated data. */
export const ENVELOPE_FORMAT = 0x02;
// format (1) | data key id (4) | iv (12) | tag (16) | ciphertext
const HEADER = 1 + 4 + 12 + 16;

/** The key check naming a site that re-sealed every report (crypto/reseal.ts): older formats no longer open. */
export const RESEALED_CHECK = 'resealed';
// How long a site that has not re-sealed yet goes before asking again; `keys:rewrap` may finish meanwhile.
const RESEALED_RECHECK_MS = 10_000;

/**
 * AES-256-GCM under data keys from the key provider. The associated data names the format, the
 * site, the table, the report and the report's version, so sealed bytes copied to another row,
 * back over a later version, into another site's database or into another table do not open.
 * Reports sealed before (format 0, unencrypted; format 1, bound to the report id only) open
 * until the site has re-sealed them all (`keys:rewrap`), and are refused from then on.
 */
export function createEnvelopeCodec(options: EnvelopeCodecOptions): FieldCodec & { readonly stats: () => object } {
  const { sql, provider, site } = options;
  const maxAgeMs = options.dataKeyMaxAgeMs ?? 24 * 60 * 60 * 1000;
  // Far below the 2^32 random-IV limit for one GCM key.
  const maxUses = options.dataKeyMaxUses ?? 1_000_000;
  const cache = createDataKeyCache({ ...(options.cache ?? { ttlMs: 5 * 60 * 1000, maxUses: 1_000_000, maxEntries: 1000 }), onLookup: options.onDataKeyLookup });
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

  const associatedData = (row: SealedRow) =>
    Buffer.from(['crashdesk sealed fields', ENVELOPE_FORMAT, site, row.table ?? 'accidents', row.id, row.version].join('\0'));

  // Once seen, a re-sealed site stays re-sealed; until then the answer is asked again now and then.
  let resealed: { value: boolean; until: number } | undefined;
  let asking: Promise<boolean> | undefined;
  async function hasResealed(): Promise<boolean> {
    if (resealed && (resealed.value || Date.now() < resealed.until)) return resealed.value;
    asking ??= sql<{ name: string }[]>`select name from key_checks where name = ${RESEALED_CHECK}`
      .then((rows) => {
        resealed = { value: rows.length > 0, until: Date.now() + RESEALED_RECHECK_MS };
        return resealed.value;
      })
      .finally(() => (asking = undefined));
    return asking;
  }

  async function decrypt<T extends object>(row: SealedRow, sealed: Buffer, aad: Buffer): Promise<T> {
    const keyId = sealed.readUInt32BE(1);
    // The common case (a cached key) takes no promise per report: a page opens 50 of them.
    const key = cache.hit(keyId) ?? (await dataKey(keyId));
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(5, 17));
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(17, HEADER));
      const plaintext = Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()]);
      return JSON.parse(plaintext.toString('utf8')) as T;
    } catch (cause) {
      throw new Error(`report ${row.id} failed authentication on decryption: altered, or sealed for another row, version, site or table`, { cause });
    }
  }

  async function dataKey(id: number): Promise<Buffer> {
    return cache.get(id, async () => {
      const [row] = await sql<{ wrapped: string }[]>`select wrapped from data_keys where id = ${id}`;
      if (!row) throw new KeyProviderError(`data key ${id} is missing from this site's database`);
      return provider.unwrap(row.wrapped);
    });
  }

  return {
    async seal(row, fields) {
      const key = await sealingKey();
      key.uses += 1;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key.key, iv);
      cipher.setAAD(associatedData(row));
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(fields)), cipher.final()]);
      const header = Buffer.alloc(HEADER);
      header[0] = ENVELOPE_FORMAT;
      header.writeUInt32BE(key.id, 1);
      iv.copy(header, 5);
      cipher.getAuthTag().copy(header, 17);
      return Buffer.concat([header, ciphertext]);
    },

    async open<T extends object>(row: SealedRow, sealed: Buffer): Promise<T> {
      const format = sealed[0];
      if (format === ENVELOPE_FORMAT && sealed.length >= HEADER) return decrypt<T>(row, sealed, associatedData(row));
      if (format !== PLAIN_FORMAT && (format !== REPORT_ID_FORMAT || sealed.length < HEADER)) {
        throw new Error(`report ${row.id} is sealed in an unknown format ${format}`);
      }
      if (await hasResealed()) {
        throw new Error(
          `report ${row.id} is stored in format ${format}, which this site no longer opens: every report was re-sealed, so this value was written since, by hand or by an old version`,
        );
      }
      if (format === PLAIN_FORMAT) return JSON.parse(sealed.subarray(1).toString('utf8')) as T;
      return decrypt<T>(row, sealed, Buffer.from(row.id));
    },

    policyIndex(normalised) {
      return createHmac('sha256', options.blindIndexKey).update(`policy:${normalised}`).digest('hex').slice(0, 32);
    },

    stats: () => ({ ...cache.stats(), sealingKey: current?.id }),
  };
}
