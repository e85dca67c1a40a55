import type { Logger } from 'pino';
import type { Sql, TransactionSql } from 'postgres';
import { policyIndexOf } from '../accidents/policy-index.js';
import type { AuditRecorder } from '../audit/entry.js';
import type { ListCache, ListScope } from '../cache/list-cache.js';
import type { FieldCodec } from '../crypto/field-codec.js';
import { UTC_MICROS } from '../db/timestamps.js';
import { recordCheckpoint } from './checkpoints.js';
import { compareStamps, type VersionStamp } from './conflict.js';
import type { ReplicationMetrics } from './metrics.js';
import type { Batch, ReplicatedReport } from './schema.js';
import { parseState, REFUSAL_REASONS, type Refusal, refusalOf } from './trust.js';

export interface ApplyOutcome {
  /** Reports whose state this batch replaced or created. */
  readonly applied: string[];
  /** Reports where this site's state won over the incoming one. */
  readonly rejected: string[];
  /** Reports already at the incoming state (a redelivery), or, racing another batch, past it. */
  readonly unchanged: number;
  /** States this site would not take from the sender (./trust.ts); nothing of them was written. */
  readonly refused: Refusal[];
}

/** Who sent the states to whom: what the trust rules judge them by. */
export interface Provenance {
  readonly receiver: string;
  readonly sender: string;
}

/**
 * Applies replicated states inside `tx`, each by the conflict rule (./conflict.ts): a state
 * replaces this site's only if its stamp is greater; equal stamps change nothing, so a redelivered
 * batch is a no-op. Whichever state loses goes to `accident_history`, sealed by this site's codec.
 * Rows are locked in id order, so two batches touching the same reports cannot deadlock.
 */
export async function applyStates(
  tx: TransactionSql,
  codec: FieldCodec,
  incoming: readonly unknown[],
  provenance: Provenance,
  /** Receives the cached lists (api/cache) the applied states left and entered, to invalidate once committed. */
  touched: ListScope[] = [],
): Promise<ApplyOutcome> {
  // One state per report: the greatest, should a batch carry several.
  const refused: Refusal[] = [];
  const byId = new Map<string, ReplicatedReport>();
  for (const raw of incoming) {
    const parsed = parseState(raw);
    if ('refusal' in parsed) {
      refused.push(parsed.refusal);
      continue;
    }
    const { state } = parsed;
    const seen = byId.get(state.id);
    if (!seen || compareStamps(state, seen) > 0) byId.set(state.id, state);
  }
  const ids = [...byId.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const currentRows =
    ids.length === 0
      ? []
      : await tx<(VersionStamp & { id: string; accidentDate: string; policyIndex: string })[]>`
    select id::text as id, version, coalesce(origin_site, site) as "originSite",
           to_char(updated_at at time zone 'UTC', ${UTC_MICROS}) as "updatedAt",
           accident_date::text as "accidentDate", policy_index as "policyIndex"
    from accidents where id = any(${ids}::bigint[]) order by accidents.id for update`;
  const current = new Map(currentRows.map((row) => [row.id, row]));
  const judge = { ...provenance, currentVersion: (id: string) => current.get(id)?.version, now: Date.now() };

  const applied: string[] = [];
  const rejected: string[] = [];
  let unchanged = 0;
  for (const id of ids) {
    const state = byId.get(id)!;
    const refusal = refusalOf(state, judge);
    if (refusal) {
      refused.push({ id, reason: refusal });
      continue;
    }
    const mine = current.get(id);
    const order = mine ? compareStamps(state, mine) : 1;
    if (order === 0) {
      unchanged += 1;
      continue;
    }
    const sealed = await codec.seal(state, state.fields);
    // Timestamps go in as text: the driver would round a timestamptz parameter through a JS Date
    // and drop the microseconds that the conflict rule compares.
    const rejectIncoming = async () => {
      rejected.push(id);
      await tx`
        insert into accident_history (report_id, version, origin_site, outcome, call_reason, accident_date, damages, status, sealed, updated_by, updated_at, deleted_at)
        values (${id}, ${state.version}, ${state.originSite}, 'rejected', ${state.callReason}, ${state.accidentDate}, ${tx.json(state.damages)},
                ${state.status}, ${sealed}, ${state.updatedBy}, ${state.updatedAt}::text::timestamptz, ${state.deletedAt}::text::timestamptz)
        on conflict do nothing`;
    };
    if (order < 0) {
      await rejectIncoming();
      continue;
    }
    if (mine) {
      await tx`
        insert into accident_history (report_id, version, origin_site, outcome, call_reason, accident_date, damages, status, sealed, updated_by, updated_at, deleted_at)
        select id, version, coalesce(origin_site, site), 'superseded', call_reason, accident_date, damages, status, sealed, updated_by, updated_at, deleted_at
        from accidents where id = ${id}
        on conflict do nothing`;
    }
    const policyIndex = policyIndexOf(codec, state.fields.policyNumber);
    // The rule again in SQL (site names in byte order, as in JS): a row this transaction could not
    // lock because it did not exist yet may have been inserted meanwhile by another batch (a
    // backfill page and a batch from HQ carrying the same new report); the greater state stays.
    const [written] = await tx`
      insert into accidents (id, site, version, origin_site, call_reason, accident_date, damages, status, policy_index, sealed,
                             created_by, created_at, updated_by, updated_at, deleted_by, deleted_at)
      values (${id}, ${state.site}, ${state.version}, ${state.originSite}, ${state.callReason}, ${state.accidentDate}, ${tx.json(state.damages)},
              ${state.status}, ${policyIndex}, ${sealed}, ${state.createdBy}, ${state.createdAt}::text::timestamptz, ${state.updatedBy}, ${state.updatedAt}::text::timestamptz,
              ${state.deletedBy}, ${state.deletedAt}::text::timestamptz)
      on conflict (id) do update set
        version = excluded.version, origin_site = excluded.origin_site, call_reason = excluded.call_reason,
        accident_date = excluded.accident_date, damages = excluded.damages, status = excluded.status,
        policy_index = excluded.policy_index, sealed = excluded.sealed, updated_by = excluded.updated_by,
        updated_at = excluded.updated_at, deleted_by = excluded.deleted_by, deleted_at = excluded.deleted_at
      where (accidents.version, accidents.updated_at, coalesce(accidents.origin_site, accidents.site) collate "C")
          < (excluded.version, excluded.updated_at, excluded.origin_site collate "C")
      returning id`;
    // Not written: another batch inserted this report first with a state at least as great (the
    // same report from HQ twice, snapshot and outbox); an older copy from the same lineage, not a
    // concurrent change, so nothing for history.
    if (written) {
      applied.push(id);
      touched.push(`day:${state.accidentDate}`, `policy:${policyIndex}`);
      if (mine) touched.push(`day:${mine.accidentDate}`, `policy:${mine.policyIndex}`);
    } else unchanged += 1;
  }
  return { applied, rejected, unchanged, refused };
}

export interface BatchApplierOptions {
  readonly sql: Sql;
  readonly codec: FieldCodec;
  readonly audit: AuditRecorder;
  readonly site: string;
  readonly metrics: ReplicationMetrics;
  readonly logger: Logger;
  /** Invalidated after each batch commits, for the lists its states changed. */
  readonly lists?: ListCache;
  /** HQ: passes on, in the batch's own transaction, what it changed; then wakes its shippers. */
  readonly fanOut?: {
    queue(tx: TransactionSql, source: string, outcome: ApplyOutcome): Promise<void>;
    committed(): void;
  };
}

export type BatchApplier = (source: string, batch: Batch) => Promise<{ applied: number; rejected: number; unchanged: number; refused: Refusal[] }>;

/** A peer's batch, as the internal route receives it: applied, audited and checkpointed in one transaction. */
export function createBatchApplier({ sql, codec, audit, site, metrics, logger, fanOut, lists }: BatchApplierOptions): BatchApplier {
  return async (source, batch) => {
    const touched: ListScope[] = [];
    const outcome = await sql.begin(async (tx) => {
      const result = await applyStates(tx, codec, batch.reports, { receiver: site, sender: source }, touched);
      // One entry per batch that changed something, not per report: the trail's lock is per site.
      // Taken before the outbox's peers lock, in the order a local change takes them, so the two
      // cannot deadlock behind a city registering.
      if (result.applied.length + result.rejected.length > 0) {
        await audit.record(
          {
            actor: `replication:${source}`,
            action: 'report.replicate',
            resource: 'reports',
            outcome: 'success',
            details: { lastSeq: batch.lastSeq, applied: result.applied, rejected: result.rejected, unchanged: result.unchanged },
          },
          tx,
        );
      }
      if (result.refused.length > 0) {
        await audit.record(
          {
            actor: `replication:${source}`,
            action: 'report.replicate',
            resource: 'reports',
            outcome: 'denied',
            details: { lastSeq: batch.lastSeq, refused: result.refused },
          },
          tx,
        );
      }
      await fanOut?.queue(tx, source, result);
      await recordCheckpoint(tx, source, 'applied', batch.lastSeq);
      return result;
    });
    await lists?.invalidate(touched);
    metrics.applied.inc({ site, peer: source }, outcome.applied.length);
    // Every reason from 0, so that a panel or an alert on refusals sees 0 rather than nothing.
    for (const reason of REFUSAL_REASONS)
      metrics.refused.inc({ site, peer: source, reason }, outcome.refused.filter((refusal) => refusal.reason === reason).length);
    if (outcome.refused.length > 0) logger.warn({ peer: source, refused: outcome.refused }, 'refused replicated states that the sender may not send');
    fanOut?.committed();
    return { applied: outcome.applied.length, rejected: outcome.rejected.length, unchanged: outcome.unchanged, refused: outcome.refused };
  };
}
