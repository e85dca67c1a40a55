import { createHmac } from 'node:crypto';
import type { Sql } from 'postgres';
import type { FieldCodec, SealedRow, SensitiveFields } from './field-codec.js';

const CANARY: SensitiveFields = { drivers: ['crashdesk key check'], policyNumber: 'key-check', location: 'key-check', cause: '', summary: '' };
const CANARY_ROW: SealedRow = { table: 'key_checks', id: 'key-check', version: 0 };

export class KeyCheckError extends Error {
  override readonly name = 'KeyCheckError';
}

/**
 * On first start, seals a known value and records a check value of the blind-index key; on every
 * later start, proves the configured keys are the ones the site's data was written with. Returns
 * true when this was the first start with these checks (the caller then re-seals older rows).
 */
export async function verifyKeys(sql: Sql, codec: FieldCodec, blindIndexKey: Buffer): Promise<boolean> {
  const indexCheck = createHmac('sha256', blindIndexKey).update('crashdesk blind index check').digest();
  const rows = await sql<{ name: string; value: Buffer }[]>`select name, value from key_checks`;
  const stored = new Map(rows.map((row) => [row.name, row.value]));

  const sealedCanary = stored.get('field-codec');
  if (sealedCanary) {
    const opened = await codec.open(CANARY_ROW, sealedCanary).catch((cause: unknown) => {
      const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
      throw new KeyCheckError(
        `the configured field-encryption key cannot open this site's data (key check failed: ${reason}); ` +
          'is this the key file or Vault transit key this site was started with?',
        { cause },
      );
    });
    if (JSON.stringify(opened) !== JSON.stringify(CANARY)) throw new KeyCheckError('the field-encryption key check opened to a wrong value');
  }
  const storedIndexCheck = stored.get('blind-index');
  if (storedIndexCheck && !storedIndexCheck.equals(indexCheck)) {
    throw new KeyCheckError(
      "the blind-index key (CRASHDESK_BLIND_INDEX_KEY) is not the one this site's policy numbers were indexed with; " +
        'every site must share one blind-index key',
    );
  }
  if (sealedCanary && storedIndexCheck) return false;

  await sql`
    insert into key_checks (name, value) values
      ('field-codec', ${await codec.seal(CANARY_ROW, CANARY)}), ('blind-index', ${indexCheck})
    on conflict (name) do nothing`;
  return true;
}

/** Seals the field-encryption check value again in the codec's current format (crypto/reseal.ts). */
export async function resealKeyCheck(sql: Sql, codec: FieldCodec): Promise<void> {
  const [row] = await sql<{ value: Buffer }[]>`select value from key_checks where name = 'field-codec'`;
  if (!row) return;
  const opened = await codec.open(CANARY_ROW, row.value);
  await sql`update key_checks set value = ${await codec.seal(CANARY_ROW, opened)} where name = 'field-codec' and value = ${row.value}`;
}
