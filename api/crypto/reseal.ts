import type { Sql } from 'postgres';
import { policyIndexOf } from '../accidents/policy-index.js';
import type { FieldCodec } from './field-codec.js';

/**
 * Re-seals reports written before field encryption (format byte 0) and re-indexes their policy
 * numbers, a batch at a time, while the site keeps serving: a row changed concurrently is left for
 * the next pass rather than overwritten.
 */
export async function resealPlaintextReports(sql: Sql, codec: FieldCodec, batchSize = 500): Promise<number> {
  let resealed = 0;
  let afterId = '0';
  for (;;) {
    const rows = await sql<{ id: string; sealed: Buffer }[]>`
      select id::text as id, sealed from accidents
      where get_byte(sealed, 0) = 0 and id > ${afterId}
      order by id limit ${batchSize}`;
    if (rows.length === 0) return resealed;
    for (const row of rows) {
      const fields = await codec.open(row.id, row.sealed);
      const result = await sql`
        update accidents set sealed = ${await codec.seal(row.id, fields)},
          policy_index = ${policyIndexOf(codec, fields.policyNumber)}
        where id = ${row.id} and sealed = ${row.sealed}`;
      resealed += result.count;
    }
    afterId = rows.at(-1)!.id;
  }
}
