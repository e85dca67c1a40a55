import { AsyncLocalStorage } from 'node:async_hooks';
import type { Sql, TransactionSql } from 'postgres';
import type { AuditEntry, AuditLog, AuditOutcome } from './audit-log.js';
import { AT_FORMAT, type ChainedFields, entryHash, GENESIS_HASH, storableDetails, storableText } from './chain.js';

// Any constant works as long as every replica of the site uses it (and it is not the migration lock).
const APPEND_LOCK = 7_263_512_392;

/** Where a request came from; filled into every entry recorded while handling it. */
export interface RequestOrigin {
  readonly requestId?: string;
  readonly clientAddress?: string;
}

export interface AuditRecord {
  readonly seq: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly outcome: AuditOutcome;
  readonly requestId: string | null;
  readonly clientAddress: string | null;
  readonly details: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

interface AuditRow extends Omit<AuditRecord, 'at' | 'prevHash' | 'hash'> {
  at: Date;
  prevHash: Buffer;
  hash: Buffer;
}

export type AuditStore = ReturnType<typeof createAuditLog>;

/**
 * The site's append-only, hash-chained audit trail. Appends are serialised by a transaction-scoped
 * advisory lock: take the lock, read the last hash, insert. With `tx` the lock is held until the
 * caller's transaction ends (so the entry commits or rolls back with its change); without, the
 * append is a transaction of its own of three short statements.
 *
 * Requires READ COMMITTED (the default), so that the head is read with a snapshot taken after the
 * lock was granted; the unique `prev_hash` refuses a fork should that ever not hold. With `tx`,
 * record as the transaction's last step: the lock is then held only for the commit, and a
 * transaction never waits for another lock while holding it (which could deadlock).
 */
export function createAuditLog(sql: Sql) {
  // Resolved when an entry is recorded, not when the request starts: middleware further in may set them.
  const origins = new AsyncLocalStorage<() => RequestOrigin>();

  async function append(db: TransactionSql, entry: AuditEntry): Promise<void> {
    const origin = origins.getStore()?.();
    const requestId = entry.requestId ?? origin?.requestId;
    const clientAddress = entry.clientAddress ?? origin?.clientAddress;
    const content = {
      actor: storableText(entry.actor, 64),
      action: storableText(entry.action, 64),
      resource: storableText(entry.resource),
      outcome: entry.outcome,
      requestId: requestId === undefined ? null : storableText(requestId),
      clientAddress: clientAddress === undefined ? null : storableText(clientAddress, 64),
      details: storableDetails(entry.details),
    };

    await db`select pg_advisory_xact_lock(${APPEND_LOCK})`;
    const [head] = await db<{ prevHash: Buffer | null; seq: string; at: string }[]>`
      select (select hash from audit_log order by seq desc limit 1) as "prevHash",
             nextval(pg_get_serial_sequence('audit_log', 'seq'))::text as seq,
             to_char(clock_timestamp() at time zone 'UTC', ${AT_FORMAT}) as at`;
    if (!head) throw new Error('reading the head of the audit chain returned no row');
    const prevHash = head.prevHash ?? GENESIS_HASH;
    const fields: ChainedFields = { seq: head.seq, at: head.at, ...content };
    // `at` goes in as text: a timestamptz parameter would pass through a JS Date and lose its microseconds.
    await db`
      insert into audit_log (seq, at, actor, action, resource, outcome, request_id, client_address, details, prev_hash, hash)
      overriding system value
      values (${head.seq}, ${head.at}::text::timestamptz, ${content.actor}, ${content.action}, ${content.resource}, ${content.outcome},
              ${content.requestId}, ${content.clientAddress}, ${db.json(content.details as Parameters<typeof db.json>[0])},
              ${prevHash}, ${entryHash(prevHash, fields)})`;
  }

  const log = {
    async record(entry: AuditEntry, tx?: TransactionSql): Promise<void> {
      try {
        if (tx) await append(tx, entry);
        else await sql.begin((own) => append(own, entry));
      } catch (cause) {
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
  return log satisfies AuditLog;
}
