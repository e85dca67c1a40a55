import type { TransactionSql } from 'postgres';
import type { ChangeListener } from '../accidents/store.js';

// Changes at HQ take it shared, registering a city takes it exclusive: once a registration commits,
// every change committing after it has queued a row for the new city, and every change that
// committed before it is in the snapshot the city reads next. Nothing falls between the two.
export const PEERS_LOCK = 7_263_512_393;

export const HQ = 'hq';

/** NOTIFY'd by every transaction that queues something: delivered at commit, it wakes idle shippers. */
export const OUTBOX_CHANNEL = 'crashdesk_replication_outbox';

/** Queues `reportIds` for every peer this site ships to, but `except` (where the change came from). */
export async function enqueue(tx: TransactionSql, site: string, reportIds: readonly string[], except?: string): Promise<void> {
  if (reportIds.length === 0) return;
  if (site !== HQ) {
    // Cities ship only to HQ, and only their own changes: HQ fans out.
    if (except === HQ) return;
    await tx`insert into replication_outbox (target, report_id) select ${HQ}, unnest(${reportIds}::bigint[])`;
    await notify(tx);
    return;
  }
  await tx`select pg_advisory_xact_lock_shared(${PEERS_LOCK})`;
  await tx`
    insert into replication_outbox (target, report_id)
    select peer.site, report.id from replication_peers peer cross join unnest(${reportIds}::bigint[]) as report(id)
    where peer.site is distinct from ${except ?? null}::text and peer.status = 'active'
    order by peer.site, report.id`;
  await notify(tx);
}

// PostgreSQL folds identical notifications of one transaction into one, and sends none on rollback.
const notify = (tx: TransactionSql) => tx`select pg_notify(${OUTBOX_CHANNEL}, '')`;

/** Queues `reportIds` for exactly one peer (HQ answering a city whose state lost). */
export async function enqueueFor(tx: TransactionSql, target: string, reportIds: readonly string[]): Promise<void> {
  if (reportIds.length === 0) return;
  await tx`insert into replication_outbox (target, report_id) select ${target}, unnest(${reportIds}::bigint[])`;
  await notify(tx);
}

/** The outbox's seam in the accidents store: a local change queues itself in its own transaction. */
export function outboxListener(site: string): ChangeListener {
  return (tx, change) => enqueue(tx, site, [change.report.id]);
}
