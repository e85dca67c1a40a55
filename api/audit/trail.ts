import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { Sql, TransactionSql } from 'postgres';
import type { AuditEntry, AuditRecorder, ChangeAuditor } from './entry.js';
import { type ChainedFields, entryBody, storableDetails, storableText } from './chain.js';
import type { AuditMetrics } from './metrics.js';

/** Where a request came from; filled into every entry recorded while handling it. */
export interface RequestOrigin {
  readonly requestId?: string;
  readonly clientAddress?: string;
}

/** An entry as the route returns it: what its hash covers, and the hashes in hex. */
export interface AuditRecord extends Omit<ChainedFields, 'details'> {
  readonly details: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

interface AuditRow extends Omit<AuditRecord, 'at' | 'prevHash' | 'hash'> {
  at: Date;
  prevHash: Buffer;
  hash: Buffer;
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;

/**
 * The site's append-only, hash-chained audit trail. Each append is one call of `audit_append()`
 * (migration 002; `audit_append_all()`, migration 011, for a batch), which takes a
 * transaction-scoped advisory lock, reads the newest hash and inserts the entries chained to it.
 * Without `tx` that statement is its own transaction, so the lock is held for the insert and its
 * commit only; with `tx` it is held until the caller's transaction ends, and the entry commits or
 * rolls back with the change it describes.
 *
 * Record as the transaction's last step, so that it never waits for another lock while holding
 * this one (which could deadlock). Requires READ COMMITTED (the default), so that the newest hash
 * is read after the lock was granted; the unique `prev_hash` refuses a fork should that not hold.
 */
export function createAuditTrail(sql: Sql, options: { readonly metrics?: AuditMetrics } = {}) {
  // Resolved when an entry is recorded, not when the request starts: middleware further in may set them.
  const origins = new AsyncLocalStorage<() => RequestOrigin>();

  type Content = ReturnType<typeof contentOf>;

  /** Reads the request's origin now: by flush time the context of the request is gone. */
  function contentOf(entry: AuditEntry) {
    const origin = origins.getStore()?.();
    const requestId = entry.requestId ?? origin?.requestId;
    const clientAddress = entry.clientAddress ?? origin?.clientAddress;
    return {
      actor: storableText(entry.actor, 64),
      action: storableText(entry.action, 64),
      resource: storableText(entry.resource),
      outcome: entry.outcome,
      requestId: requestId === undefined ? null : storableText(requestId),
      clientAddress: clientAddress === undefined ? null : storableText(clientAddress, 64),
      details: storableDetails(entry.details),
    };
  }

  async function append(db: Sql | TransactionSql, content: Content): Promise<void> {
    await db`
      select audit_append(${content.actor}::text, ${content.action}::text, ${content.resource}::text, ${content.outcome}::text,
                          ${content.requestId}::text, ${content.clientAddress}::text,
                          ${db.json(content.details as Parameters<typeof db.json>[0])}::jsonb, ${entryBody(content)}::text)`;
  }

  /** Many entries in one call (its own transaction): one round trip, one lock, one insert, one commit. */
  async function appendAll(contents: readonly Content[]): Promise<void> {
    const entries = contents.map((content) => ({
      actor: content.actor,
      action: content.action,
      resource: content.resource,
      outcome: content.outcome,
      request_id: content.requestId,
      client_address: content.clientAddress,
      details: content.details,
      body: entryBody(content),
    }));
    await sql`select audit_append_all(${sql.json(entries as unknown as Parameters<typeof sql.json>[0])}::jsonb)`;
  }

  // Group commit for entries recorded outside a transaction (reads, logins): while one batch is
  // being appended, the entries that arrive queue up and go in the next batch, one statement under
  // one lock and one commit. An idle site appends at once; a busy one stops paying a commit (and
  // the round trips of a transaction) per request while holding the chain's lock. Every caller
  // still waits until its own entry is durable.
  const queue: { content: Content; done: (error?: unknown) => void }[] = [];
  let draining = false;
  const MAX_BATCH = 200;

  async function drain() {
    draining = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        await appendAll(batch.map((item) => item.content));
        for (const item of batch) item.done();
      } catch (error) {
        for (const item of batch) item.done(error);
      }
    }
    draining = false;
  }

  function appendSoon(content: Content): Promise<void> {
    return new Promise((resolve, reject) => {
      queue.push({
        content,
        done: (error) =>
          error === undefined ? resolve() : reject(error instanceof Error ? error : new Error('appending audit entries failed', { cause: error })),
      });
      if (!draining) void drain();
    });
  }

  // The chainer: links committed staged entries (a report change's, staged in its transaction) into
  // the chain, many under one lock. A caller that just committed asks for a run that starts after
  // its commit: a run under way may have looked before it, so such a caller waits for the next one.
  const CHAIN_BATCH = 500;
  let chaining: Promise<void> | undefined;
  let nextChaining: Promise<void> | undefined;

  async function chainAll(): Promise<void> {
    for (;;) {
      const [row] = await sql<{ chained: number }[]>`select audit_chain_staged(${CHAIN_BATCH}) as chained`;
      if ((row?.chained ?? 0) < CHAIN_BATCH) return;
    }
  }

  function chainStaged(): Promise<void> {
    if (!chaining) {
      chaining = chainAll().finally(() => (chaining = undefined));
      return chaining;
    }
    nextChaining ??= chaining
      .catch(() => undefined)
      .then(() => {
        nextChaining = undefined;
        return chainStaged();
      });
    return nextChaining;
  }

  const trail = {
    /**
     * Stages `entry` in `tx`, the transaction of the change it describes, without the chain's lock:
     * it commits or rolls back with the change, and `chainStaged()` after the commit links it.
     */
    async stage(entry: AuditEntry, tx: TransactionSql): Promise<void> {
      const started = performance.now();
      try {
        const content = contentOf(entry);
        await tx`
          select audit_stage(${content.actor}::text, ${content.action}::text, ${content.resource}::text, ${content.outcome}::text,
                             ${content.requestId}::text, ${content.clientAddress}::text,
                             ${tx.json(content.details as Parameters<typeof tx.json>[0])}::jsonb, ${entryBody(content)}::text)`;
        options.metrics?.appended('ok', (performance.now() - started) / 1000);
      } catch (cause) {
        options.metrics?.appended('error', (performance.now() - started) / 1000);
        throw new Error(`staging the audit entry ${entry.action} failed`, { cause });
      }
    },

    /**
     * Chains every staged entry committed before the call. A failure leaves them staged (they are
     * durable) for the next call; the site's periodic run and its start and stop call it too.
     */
    chainStaged,

    async record(entry: AuditEntry, tx?: TransactionSql): Promise<void> {
      const started = performance.now();
      try {
        const content = contentOf(entry);
        await (tx ? append(tx, content) : appendSoon(content));
        options.metrics?.appended('ok', (performance.now() - started) / 1000);
      } catch (cause) {
        options.metrics?.appended('error', (performance.now() - started) / 1000);
        throw new Error(`recording the audit entry ${entry.action} failed`, { cause });
      }
    },

    /**
     * Runs `fn` (a request's handling) so that every entry recorded inside it carries the request's
     * origin, also where no request context reaches (a report change's listener).
     */
    withOrigin<T>(origin: () => RequestOrigin, fn: () => T): T {
      return origins.run(origin, fn);
    },

    /** One page, newest first, strictly older than `beforeSeq` when given. */
    async page(limit: number, beforeSeq?: string): Promise<{ items: AuditRecord[]; hasMore: boolean }> {
      const rows = await sql<AuditRow[]>`
        select seq::text as seq, at, actor, action, resource, outcome, request_id as "requestId",
               client_address as "clientAddress", details, prev_hash as "prevHash", hash
        from audit_log ${beforeSeq === undefined ? sql`` : sql`where seq < ${beforeSeq}`}
        order by audit_log.seq desc
        limit ${limit + 1}`;
      const items = rows.slice(0, limit).map((row) => ({
        ...row,
        at: row.at.toISOString(),
        prevHash: row.prevHash.toString('hex'),
        hash: row.hash.toString('hex'),
      }));
      return { items, hasMore: rows.length > limit };
    },
  };
  return trail satisfies AuditRecorder & ChangeAuditor;
}
