import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from 'postgres';
import { policyIndexOf } from '../api/accidents/policy-index.js';
import type { FieldCodec } from '../api/crypto/field-codec.js';
import { BENCH_SITE, bulkRow, type DatasetShape } from './dataset.js';

const ROWS_PER_CHUNK = 2000;
const PROGRESS_EVERY_ROWS = 100_000;
// porsager's COPY stream never finishes if the server rejects a row, so the load is bounded in time
// and the row count is checked afterwards.
const LOAD_TIMEOUT_MS = 60 * 60 * 1000;

export interface LoadResult {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

/** COPY text format: backslash, tab and line breaks are the only characters that need escaping. */
const copyText = (value: string) => value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c);

/**
 * Streams the data set into `accidents` with one COPY, through the live indexes, building every
 * row as the store does: sensitive fields sealed by the site's codec, the policy looked up by the
 * codec's index of the normalised number.
 */
export async function bulkLoadAccidents(
  sql: Sql,
  shape: DatasetShape,
  codec: FieldCodec,
  onProgress: (rowsDone: number) => void = () => undefined,
): Promise<LoadResult> {
  async function* chunks(): AsyncGenerator<string> {
    for (let start = 0; start < shape.rows; start += ROWS_PER_CHUNK) {
      const lines: string[] = [];
      const end = Math.min(shape.rows, start + ROWS_PER_CHUNK);
      for (let row = start; row < end; row++) {
        const r = bulkRow(shape, row);
        const id = r.id.toString();
        const sealed = await codec.seal({ id, version: 1 }, r.fields);
        const policyIndex = policyIndexOf(codec, r.fields.policyNumber);
        const at = new Date(r.createdAtMs).toISOString();
        lines.push(
          [
            id,
            BENCH_SITE,
            '1',
            copyText(r.callReason),
            r.accidentDate,
            copyText(JSON.stringify(r.damages)),
            r.status,
            copyText(policyIndex),
            `\\\\x${sealed.toString('hex')}`,
            r.createdBy,
            at,
            r.createdBy,
            at,
          ].join('\t'),
        );
      }
      if (Math.floor(end / PROGRESS_EVERY_ROWS) > Math.floor(start / PROGRESS_EVERY_ROWS)) onProgress(end);
      yield `${lines.join('\n')}\n`;
    }
  }

  const started = performance.now();
  const copy = await sql`
    copy accidents (id, site, version, call_reason, accident_date, damages, status, policy_index, sealed,
                    created_by, created_at, updated_by, updated_at)
    from stdin`.writable();
  await pipeline(Readable.from(chunks()), copy, { signal: AbortSignal.timeout(LOAD_TIMEOUT_MS) }).catch((cause: unknown) => {
    throw new Error('bulk COPY into accidents failed or timed out (see the PostgreSQL log)', { cause });
  });
  const seconds = (performance.now() - started) / 1000;
  const [loaded] = await sql<{ count: string }[]>`select count(*)::text as count from accidents`;
  if (Number(loaded?.count) < shape.rows) throw new Error(`COPY finished with ${loaded?.count} rows in accidents, expected ${shape.rows}`);
  return { rows: shape.rows, seconds, rowsPerSecond: shape.rows / seconds };
}
