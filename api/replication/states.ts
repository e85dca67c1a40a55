import type { Sql, TransactionSql } from 'postgres';
import type { FieldCodec } from '../crypto/field-codec.js';
import { UTC_MICROS } from '../db/timestamps.js';
import type { ReplicatedReport } from './schema.js';

interface StateRow {
  id: string;
  site: string;
  version: number;
  originSite: string;
  callReason: string;
  accidentDate: string;
  damages: string[];
  status: ReplicatedReport['status'];
  sealed: Buffer;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  deletedBy: string | null;
  deletedAt: string | null;
}

/** The columns of a report as replication reads them (timestamps at full precision, as text). */
export function stateColumns(db: Sql | TransactionSql) {
  return db`
    id::text as id, site, version, coalesce(origin_site, site) as "originSite", call_reason as "callReason",
    accident_date::text as "accidentDate", damages, status, sealed, created_by as "createdBy",
    to_char(created_at at time zone 'UTC', ${UTC_MICROS}) as "createdAt", updated_by as "updatedBy",
    to_char(updated_at at time zone 'UTC', ${UTC_MICROS}) as "updatedAt", deleted_by as "deletedBy",
    to_char(deleted_at at time zone 'UTC', ${UTC_MICROS}) as "deletedAt"`;
}

async function toState(codec: FieldCodec, row: StateRow): Promise<ReplicatedReport> {
  const { sealed, ...rest } = row;
  const fields = await codec.open(row, sealed);
  return {
    ...rest,
    fields: { drivers: [...fields.drivers], policyNumber: fields.policyNumber, location: fields.location, cause: fields.cause, summary: fields.summary },
  };
}

/** The current state of each named report, soft-deleted ones included, opened for shipping. */
export async function readStates(db: Sql | TransactionSql, codec: FieldCodec, ids: readonly string[]): Promise<ReplicatedReport[]> {
  if (ids.length === 0) return [];
  const rows = await db<StateRow[]>`select ${stateColumns(db)} from accidents where id = any(${ids}::bigint[]) order by accidents.id`;
  return Promise.all(rows.map((row) => toState(codec, row)));
}

/** One keyset page of every report (deleted ones too), by id: the backfill's snapshot. */
export async function readStatePage(db: Sql, codec: FieldCodec, afterId: string, limit: number): Promise<ReplicatedReport[]> {
  const rows = await db<StateRow[]>`
    select ${stateColumns(db)} from accidents where id > ${afterId} order by accidents.id limit ${limit}`;
  return Promise.all(rows.map((row) => toState(codec, row)));
}
