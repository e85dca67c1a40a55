import type { Sql } from 'postgres';
import type { AuditOutcome } from './entry.js';
import { UTC_MICROS } from '../db/timestamps.js';
import { entryHash, GENESIS_HASH } from './chain.js';

export type ChainVerdict =
  | {
      readonly intact: true;
      readonly entries: number;
      /** The newest entry: writing its seq and hash down elsewhere makes a later removal of the tail evident too. */
      readonly head: { readonly seq: string; readonly hash: string } | undefined;
    }
  | {
      readonly intact: false;
      /** Entries found intact before the break. */
      readonly entries: number;
      readonly brokenSeq: string;
      /** `altered`: the entry's hash does not match its content; `unlinked`: it does not follow the entry before it (one was removed, inserted or re-chained). */
      readonly reason: 'altered' | 'unlinked';
    };

interface ChainRow {
  seq: string;
  at: string;
  actor: string;
  action: string;
  resource: string;
  outcome: AuditOutcome;
  requestId: string | null;
  clientAddress: string | null;
  details: unknown;
  prevHash: Buffer;
  hash: Buffer;
}

/**
 * Walks the whole chain oldest first, `batchSize` rows at a time (keyset on seq, so memory stays
 * bounded and no long transaction is held), recomputing each hash and checking each link.
 * Appends that commit meanwhile are walked too: they only ever add to the end.
 */
export async function verifyAuditChain(sql: Sql, options: { batchSize?: number } = {}): Promise<ChainVerdict> {
  const batchSize = options.batchSize ?? 1000;
  let expectedPrev: Buffer = GENESIS_HASH;
  let entries = 0;
  let last: { seq: string; hash: Buffer } | undefined;

  for (;;) {
    const rows = await sql<ChainRow[]>`
      select seq::text as seq, to_char(at at time zone 'UTC', ${UTC_MICROS}) as at, actor, action, resource, outcome,
             request_id as "requestId", client_address as "clientAddress", details, prev_hash as "prevHash", hash
      from audit_log ${last ? sql`where seq > ${last.seq}` : sql``}
      order by audit_log.seq
      limit ${batchSize}`;
    for (const row of rows) {
      if (!row.prevHash.equals(expectedPrev)) return { intact: false, entries, brokenSeq: row.seq, reason: 'unlinked' };
      if (!entryHash(row.prevHash, row).equals(row.hash)) return { intact: false, entries, brokenSeq: row.seq, reason: 'altered' };
      expectedPrev = row.hash;
      last = { seq: row.seq, hash: row.hash };
      entries += 1;
    }
    if (rows.length < batchSize) break;
  }
  return { intact: true, entries, head: last && { seq: last.seq, hash: last.hash.toString('hex') } };
}
