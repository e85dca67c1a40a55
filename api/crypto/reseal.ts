import type { Sql } from 'postgres';
import { policyIndexOf } from '../accidents/policy-index.js';
import { ENVELOPE_FORMAT, RESEALED_CHECK } from './envelope-codec.js';
import type { FieldCodec } from './field-codec.js';
import { resealKeyCheck } from './key-checks.js';

/**
 * Re-seals every report not yet in the envelope codec's current format (format 0, written before
 * field encryption; format 1, bound to the report id alone) and re-indexes its policy number, a
 * batch at a time, while the site keeps serving: a row changed concurrently was re-sealed by that
 * change, so it is left alone rather than overwritten. The key check is re-sealed too. When no
 * report is left in an older format, the site records that it has re-sealed, and its codec opens
 * older formats no more. Returns how many reports it re-sealed.
 */
export async function resealReports(sql: Sql, codec: FieldCodec, batchSize = 500): Promise<number> {
  let resealed = 0;
  let afterId = '0';
  for (;;) {
    const rows = await sql<{ id: string; version: number; sealed: Buffer }[]>`
      select id::text as id, version, sealed from accidents
      where get_byte(sealed, 0) <> ${ENVELOPE_FORMAT} and id > ${afterId}
      order by accidents.id limit ${batchSize}`;
    if (rows.length === 0) break;
    for (const row of rows) {
      const fields = await codec.open(row, row.sealed);
      const result = await sql`
        update accidents set sealed = ${await codec.seal(row, fields)},
          policy_index = ${policyIndexOf(codec, fields.policyNumber)}
        where id = ${row.id} and sealed = ${row.sealed}`;
      resealed += result.count;
    }
    afterId = rows.at(-1)!.id;
  }
  await resealKeyCheck(sql, codec);
  // An older replica still running (a rolling upgrade) may have written one meanwhile: then not yet.
  await sql`
    insert into key_checks (name, value)
    select ${RESEALED_CHECK}, ${Buffer.of(ENVELOPE_FORMAT)}
    where not exists (select 1 from accidents where get_byte(sealed, 0) <> ${ENVELOPE_FORMAT})
    on conflict (name) do nothing`;
  return resealed;
}
