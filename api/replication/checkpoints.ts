import type { Sql, TransactionSql } from 'postgres';
import { UTC_MICROS } from '../db/timestamps.js';

/**
 * `shipped`: the last outbox position this site delivered to the peer; `applied`: the last of the
 * peer's positions applied here; `backfilled`: a city's finished snapshot from HQ (position = the
 * reports it applied). For status and lag only, never for skipping (migration 005).
 */
export type CheckpointDirection = 'shipped' | 'applied' | 'backfilled';

export interface Checkpoint {
  readonly peer: string;
  readonly direction: CheckpointDirection;
  readonly position: number;
  /** When it was written, in UTC with microseconds. */
  readonly at: string;
}

export type CheckpointLookup = (peer: string, direction: CheckpointDirection) => Checkpoint | undefined;

/**
 * Records a position reached with `peer`, in the caller's transaction where there is one. Positions
 * only move forward: with several replicas shipping, batches arrive out of order, and an older one
 * must not pull the checkpoint back.
 */
export async function recordCheckpoint(db: Sql | TransactionSql, peer: string, direction: CheckpointDirection, position: number): Promise<void> {
  await db`
    insert into replication_checkpoints (peer, direction, position, at) values (${peer}, ${direction}, ${position}, now())
    on conflict (peer, direction) do update set position = greatest(replication_checkpoints.position, excluded.position), at = excluded.at`;
}

/** Whether `peer` has a checkpoint in `direction` at all (a city's finished backfill). */
export async function hasCheckpoint(db: Sql | TransactionSql, peer: string, direction: CheckpointDirection): Promise<boolean> {
  const [found] = await db`select 1 from replication_checkpoints where peer = ${peer} and direction = ${direction}`;
  return found !== undefined;
}

/** Every checkpoint of this site, for one status answer. */
export async function readCheckpoints(db: Sql | TransactionSql): Promise<CheckpointLookup> {
  const rows = await db<{ peer: string; direction: CheckpointDirection; position: string; at: string }[]>`
    select peer, direction, position::text as position, to_char(at at time zone 'UTC', ${UTC_MICROS}) as at from replication_checkpoints`;
  const checkpoints = rows.map((row) => ({ ...row, position: Number(row.position) }));
  return (peer, direction) => checkpoints.find((row) => row.peer === peer && row.direction === direction);
}
