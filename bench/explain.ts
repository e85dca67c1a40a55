import type { Sql } from 'postgres';
import { policyIndexOf } from '../api/accidents/policy-index.js';
import type { FieldCodec } from '../api/crypto/field-codec.js';

export interface ExplainedQuery {
  readonly title: string;
  readonly plan: string;
}

// The store's select list as constant text, for the generic plans below.
const COLUMNS_TEXT = `id::text as id, site, version, call_reason as "callReason", accident_date::text as "accidentDate",
  damages, status, sealed, created_by as "createdBy", created_at as "createdAt", updated_at as "updatedAt"`;

const planText = (rows: readonly Record<string, unknown>[]) => rows.map((row) => String(row['QUERY PLAN'])).join('\n');

/**
 * The plans of the store's lookup and page queries, run with real values (as a custom plan), plus
 * the generic plan PostgreSQL may switch a prepared statement to after five executions: porsager
 * prepares every query, so that is the plan the API can end up running.
 */
export async function explainQueries(sql: Sql, codec: FieldCodec, sample: { readonly policyNumber: string; readonly date: string }): Promise<ExplainedQuery[]> {
  const columns = sql`
    id::text as id, site, version, call_reason as "callReason", accident_date::text as "accidentDate",
    damages, status, sealed, created_by as "createdBy", created_at as "createdAt", updated_at as "updatedAt"`;
  const policyIndex = policyIndexOf(codec, sample.policyNumber);
  const [middle] = await sql<{ id: string }[]>`
    select id::text as id from accidents where accident_date = ${sample.date} and deleted_at is null
    order by accidents.id desc offset 1000 limit 1`;

  const explained: ExplainedQuery[] = [
    {
      title: `Policy lookup (policy_index = '${policyIndex}')`,
      plan: planText(
        await sql`
        explain (analyze, buffers)
        select ${columns} from accidents
        where policy_index = ${policyIndex} and deleted_at is null
        order by accidents.id desc`,
      ),
    },
    {
      title: `Date page, first page (accident_date = '${sample.date}', limit 50 + 1)`,
      plan: planText(
        await sql`
        explain (analyze, buffers)
        select ${columns} from accidents
        where accident_date = ${sample.date} and deleted_at is null
        order by accidents.id desc
        limit ${51}`,
      ),
    },
  ];
  if (middle) {
    explained.push({
      title: `Date page after a cursor 1,000 rows into the day (id < ${middle.id})`,
      plan: planText(
        await sql`
        explain (analyze, buffers)
        select ${columns} from accidents
        where accident_date = ${sample.date} and deleted_at is null and id < ${middle.id}
        order by accidents.id desc
        limit ${51}`,
      ),
    });
  }
  // Constant text with placeholders, no input: EXPLAIN (GENERIC_PLAN) needs the simple protocol.
  explained.push(
    {
      title: 'Policy lookup, generic plan (what a cached prepared statement may use)',
      plan: planText(
        await sql.unsafe(
          `explain (generic_plan) select ${COLUMNS_TEXT} from accidents where policy_index = $1 and deleted_at is null order by accidents.id desc`,
        ),
      ),
    },
    {
      title: 'Date page, generic plan',
      plan: planText(
        await sql.unsafe(
          `explain (generic_plan) select ${COLUMNS_TEXT} from accidents where accident_date = $1 and deleted_at is null order by accidents.id desc limit $2`,
        ),
      ),
    },
  );
  return explained;
}
