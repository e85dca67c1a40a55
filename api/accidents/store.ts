import type { Sql, TransactionSql } from 'postgres';
import type { FieldCodec, SensitiveFields } from '../crypto/field-codec.js';
import type { ListCache, ListScope, ValueCodec } from '../cache/list-cache.js';
import { primaryOnly, type ReadRouting } from '../db/read-routing.js';
import { UTC_MILLIS } from '../db/timestamps.js';
import { claimIdempotencyKey, completeIdempotencyKey, type IdempotencyRequest } from '../idempotency/keys.js';
import { policyIndexOf } from './policy-index.js';
import { type Accident, type AccidentPatch, type NewAccident, normalisePolicyNumber } from './schema.js';
import { MAX_REPORT_VERSION, ReportVersionLimit } from './version-limit.js';

interface AccidentRow {
  id: string;
  site: string;
  version: number;
  callReason: string;
  accidentDate: string;
  damages: string[];
  status: Accident['status'];
  sealed: Buffer;
  policyIndex: string;
  createdBy: string;
  /** ISO 8601 in UTC to the millisecond, as the API shows it (formatted by PostgreSQL). */
  createdAt: string;
  updatedAt: string;
}

/** Rows as the list cache keeps them in Redis: sealed fields still sealed, as base64. */
const ROWS_CODEC: ValueCodec<AccidentRow[]> = {
  encode: (rows) => JSON.stringify(rows.map((row) => ({ ...row, sealed: row.sealed.toString('base64') }))),
  decode: (text) =>
    (JSON.parse(text) as (Omit<AccidentRow, 'sealed'> & { sealed: string })[]).map((row) => ({ ...row, sealed: Buffer.from(row.sealed, 'base64') })),
};

export interface AccidentChange {
  readonly action: 'create' | 'update' | 'delete';
  readonly actor: string;
  readonly report: Accident;
  /** For an update: the names of the fields the patch set (never their values). */
  readonly fields?: readonly (keyof AccidentPatch)[];
  /** For a report recorded from a draft: the intake it came from (api/intake). */
  readonly intakeId?: string;
}

/**
 * Called inside every transaction that changes a report, so what it writes commits or rolls back
 * with the change: the seam for the audit trail and replication's outbox.
 */
export type ChangeListener = (tx: TransactionSql, change: AccidentChange) => Promise<void>;

export interface AccidentsStoreDeps {
  readonly sql: Sql;
  readonly site: string;
  readonly codec: FieldCodec;
  readonly ids: { next(): Promise<bigint> };
  readonly idempotencyTtlSeconds: number;
  readonly onChange?: ChangeListener;
  /**
   * Called after each change's transaction commits, before the change is answered: the audit
   * trail chains the entry its listener staged (audit/trail.ts). It must not throw: the change is
   * already made.
   */
  readonly afterCommit?: () => Promise<void>;
  /**
   * Where day pages and policy lookups (and so exports) read: a replica while it keeps up. A report
   * opened by id, and everything a change reads, always come from the primary, so a report is found
   * right after it was recorded or changed.
   */
  readonly reads?: ReadRouting;
  /**
   * Day pages and policy lookups, cached as these rows (sealed fields as stored) and invalidated
   * after every change commits (api/cache/list-cache.ts); replicated applies invalidate there too.
   */
  readonly lists?: ListCache;
}

export type CreateResult =
  | { readonly kind: 'created'; readonly report: Accident }
  | { readonly kind: 'replayed'; readonly report: Accident }
  | { readonly kind: 'idempotency-key-reused' };

export type UpdateResult =
  { readonly kind: 'updated'; readonly report: Accident } | { readonly kind: 'stale'; readonly currentVersion: number } | { readonly kind: 'not-found' };

/** A page of a policy lookup; `lastId` is the last row it read, where the next page starts. */
export interface PolicyPage {
  readonly items: Accident[];
  readonly hasMore: boolean;
  readonly lastId: string | undefined;
}

export type AccidentsStore = ReturnType<typeof createAccidentsStore>;

export function createAccidentsStore({
  sql,
  site,
  codec,
  ids,
  idempotencyTtlSeconds,
  onChange,
  afterCommit,
  reads = primaryOnly(sql),
  lists,
}: AccidentsStoreDeps) {
  /** `change` notes the cached lists it touched in `touched`; they are invalidated once it committed. */
  async function changeTransaction<T>(change: (tx: TransactionSql, touched: ListScope[]) => Promise<T>): Promise<T> {
    const touched: ListScope[] = [];
    const result = await sql.begin((tx) => change(tx, touched));
    await Promise.all([afterCommit?.(), lists?.invalidate(touched)]);
    return result as T;
  }
  const scopesOf = (row: Pick<AccidentRow, 'accidentDate' | 'policyIndex'>): ListScope[] => [`day:${row.accidentDate}`, `policy:${row.policyIndex}`];
  /**
   * Up to `limit + 1` live rows of a list (`scope`'s, matching `where`), newest first, strictly below
   * `beforeId`: from the list cache, else from wherever lists are read (a replica while it keeps up).
   */
  function listPage(scope: ListScope, limit: number, beforeId: string | undefined, where: (db: Sql) => ReturnType<Sql>): Promise<AccidentRow[]> {
    const load = () =>
      reads.read(
        (db) => db<AccidentRow[]>`
          select ${columns} from accidents
          where ${where(db)} and deleted_at is null ${beforeId ? db`and id < ${beforeId}` : db``}
          order by accidents.id desc
          limit ${limit + 1}`,
      );
    return lists ? lists.get(scope, `${limit}:${beforeId ?? ''}`, load, ROWS_CODEC) : load();
  }

  // The select list names `id::text` "id", and a bare ORDER BY name means the output column: order by
  // `accidents.id` (bigint), or the sort is textual (wrong once ids differ in length) and skips the index.
  const columns = sql`
    id::text as id, site, version, call_reason as "callReason", accident_date::text as "accidentDate",
    damages, status, sealed, policy_index as "policyIndex", created_by as "createdBy",
    to_char(created_at at time zone 'UTC', ${UTC_MILLIS}) as "createdAt", to_char(updated_at at time zone 'UTC', ${UTC_MILLIS}) as "updatedAt"`;

  /** The report from its row and its sensitive fields, known to the caller or opened from `sealed`. */
  function reportOf(row: AccidentRow, fields: SensitiveFields): Accident {
    return {
      id: row.id,
      site: row.site,
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      createdBy: row.createdBy,
      callReason: row.callReason,
      cause: fields.cause,
      drivers: [...fields.drivers],
      policyNumber: fields.policyNumber,
      accidentDate: row.accidentDate,
      location: fields.location,
      damages: row.damages,
      summary: fields.summary,
      status: row.status,
    };
  }

  // The row opens its own fields: its id and version are what they were sealed for.
  const toReport = async (row: AccidentRow): Promise<Accident> => reportOf(row, await codec.open(row, row.sealed));

  async function findRow(db: Sql | TransactionSql, id: string, lock = false): Promise<AccidentRow | undefined> {
    const [row] = await db<AccidentRow[]>`
      select ${columns} from accidents where id = ${id} and deleted_at is null ${lock ? db`for update` : db``}`;
    return row;
  }

  const changed = async (tx: TransactionSql, report: Accident, action: AccidentChange['action'], actor: string, fields?: AccidentChange['fields']) => {
    await onChange?.(tx, { action, actor, report, ...(fields && { fields }) });
    return report;
  };

  return {
    async create(input: NewAccident, actor: string, idempotency?: IdempotencyRequest): Promise<CreateResult> {
      const id = (await ids.next()).toString();
      const fields: SensitiveFields = {
        drivers: input.drivers,
        policyNumber: input.policyNumber,
        location: input.location,
        cause: input.cause ?? '',
        summary: input.summary ?? '',
      };
      const sealed = await codec.seal({ id, version: 1 }, fields);
      const policyIndex = policyIndexOf(codec, input.policyNumber);

      return changeTransaction(async (tx, touched): Promise<CreateResult> => {
        if (idempotency) {
          const claim = await claimIdempotencyKey(tx, idempotency, idempotencyTtlSeconds);
          if (claim.kind === 'reused-with-other-body') return { kind: 'idempotency-key-reused' };
          if (claim.kind === 'replay') {
            const original = await findRow(tx, claim.accidentId);
            if (!original) return { kind: 'idempotency-key-reused' };
            return { kind: 'replayed', report: await toReport(original) };
          }
        }
        const [row] = await tx<AccidentRow[]>`
          insert into accidents (id, site, call_reason, accident_date, damages, policy_index, sealed, created_by, updated_by, intake_id)
          values (${id}, ${site}, ${input.callReason}, ${input.accidentDate}, ${tx.json(input.damages ?? [])},
                  ${policyIndex}, ${sealed}, ${actor}, ${actor}, ${input.intakeId ?? null})
          returning ${columns}`;
        if (!row) throw new Error('inserting a report returned no row');
        touched.push(...scopesOf(row));
        if (idempotency) await completeIdempotencyKey(tx, idempotency, id);
        // Built from what was sealed, not by opening it again.
        const report = reportOf(row, fields);
        await onChange?.(tx, { action: 'create', actor, report, ...(input.intakeId && { intakeId: input.intakeId }) });
        return { kind: 'created', report };
      });
    },

    async get(id: string): Promise<Accident | undefined> {
      const row = await findRow(sql, id);
      return row && toReport(row);
    },

    /**
     * One page of the live reports whose policy number matches after normalisation, newest first,
     * strictly after `beforeId` when given: a keyset page over (policy_index, id), so a policy with
     * hundreds of reports costs one bounded page at a time, never one unbounded decryption.
     */
    async findByPolicy(policyNumber: string, limit: number, beforeId?: string): Promise<PolicyPage> {
      const wanted = normalisePolicyNumber(policyNumber);
      const policyIndex = policyIndexOf(codec, policyNumber);
      const rows = await listPage(`policy:${policyIndex}`, limit, beforeId, (db) => db`policy_index = ${policyIndex}`);
      const page = rows.slice(0, limit);
      // The index is a truncated keyed hash: confirm each candidate on its decrypted number. The
      // next page starts below the last row read, matching or not, so none is read twice.
      const candidates = await Promise.all(page.map(toReport));
      return {
        items: candidates.filter((report) => normalisePolicyNumber(report.policyNumber) === wanted),
        hasMore: rows.length > limit,
        lastId: page.at(-1)?.id,
      };
    },

    /**
     * One page of a day's reports, newest first, strictly after `beforeId` when given. Ids only
     * grow, so reports recorded while a client pages land before its cursor and never shift a page.
     */
    async listByDate(date: string, limit: number, beforeId?: string): Promise<{ items: Accident[]; hasMore: boolean }> {
      const rows = await listPage(`day:${date}`, limit, beforeId, (db) => db`accident_date = ${date}`);
      const page = rows.slice(0, limit);
      return { items: await Promise.all(page.map(toReport)), hasMore: rows.length > limit };
    },

    async update(id: string, expectedVersion: number, patch: AccidentPatch, actor: string): Promise<UpdateResult> {
      return changeTransaction(async (tx, touched): Promise<UpdateResult> => {
        const current = await findRow(tx, id, true);
        if (!current) return { kind: 'not-found' };
        touched.push(...scopesOf(current));
        if (current.version !== expectedVersion) return { kind: 'stale', currentVersion: current.version };
        if (current.version >= MAX_REPORT_VERSION) throw new ReportVersionLimit(id);
        const before = await codec.open(current, current.sealed);
        const fields: SensitiveFields = {
          drivers: patch.drivers ?? before.drivers,
          policyNumber: patch.policyNumber ?? before.policyNumber,
          location: patch.location ?? before.location,
          cause: patch.cause ?? before.cause,
          summary: patch.summary ?? before.summary,
        };
        const [row] = await tx<AccidentRow[]>`
          update accidents set
            version = version + 1,
            call_reason = ${patch.callReason ?? current.callReason},
            accident_date = ${patch.accidentDate ?? current.accidentDate},
            damages = ${tx.json(patch.damages ?? current.damages)},
            status = ${patch.status ?? current.status},
            policy_index = ${policyIndexOf(codec, fields.policyNumber)},
            sealed = ${await codec.seal({ id, version: current.version + 1 }, fields)},
            updated_by = ${actor},
            updated_at = now(),
            origin_site = ${site}
          where id = ${id}
          returning ${columns}`;
        if (!row) throw new Error(`report ${id} vanished inside its own transaction`);
        touched.push(...scopesOf(row));
        return { kind: 'updated', report: await changed(tx, reportOf(row, fields), 'update', actor, Object.keys(patch) as (keyof AccidentPatch)[]) };
      });
    },

    /** Soft delete: the row stays for audit and replication; every read skips it. */
    async remove(id: string, actor: string): Promise<boolean> {
      return changeTransaction(async (tx, touched) => {
        const current = await findRow(tx, id, true);
        if (!current) return false;
        touched.push(...scopesOf(current));
        // A new version, so its fields are sealed again for it.
        const fields = await codec.open(current, current.sealed);
        const [row] = await tx<AccidentRow[]>`
          update accidents set deleted_at = now(), deleted_by = ${actor}, version = version + 1, updated_by = ${actor}, updated_at = now(),
            origin_site = ${site}, sealed = ${await codec.seal({ id, version: current.version + 1 }, fields)}
          where id = ${id}
          returning ${columns}`;
        if (!row) throw new Error(`report ${id} vanished inside its own transaction`);
        await changed(tx, reportOf(row, fields), 'delete', actor);
        return true;
      });
    },

    async purgeExpiredIdempotencyKeys(): Promise<number> {
      return (await sql`delete from idempotency_keys where expires_at < now()`).count;
    },
  };
}
