// Intakes at rest, and the queue they form: a worker claims a due job with SKIP LOCKED, so replicas
// never take the same one, and holds it under a lease whose token every later write must match, so a
// worker that lost its lease (it stalled past it and another took over) cannot overwrite the result.
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { FieldCodec, SealedRow } from '../crypto/field-codec.js';
import type { Extraction, IntakeLanguage } from './extractor.js';

export type IntakeStatus = 'queued' | 'running' | 'done' | 'failed';

/** What is sealed for an intake: the transcript, and once drafted the extraction. */
interface SealedIntake {
  readonly transcript: string;
  readonly extraction?: Extraction;
}

export interface IntakeError {
  /** A stable code: `extractor-failed`, `timed-out`. */
  readonly code: string;
  /** Words for the agent that hold no personal data. */
  readonly detail: string;
}

export interface Intake {
  readonly id: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly language: IntakeLanguage;
  readonly callDate: string;
  readonly status: IntakeStatus;
  readonly attempts: number;
  readonly extractor: string | null;
  readonly error: IntakeError | null;
  readonly finishedAt: Date | null;
  readonly transcript: string;
  readonly extraction: Extraction | null;
}

/** A job a worker holds: the intake to draft and the lease token its result must carry. */
export interface ClaimedJob {
  readonly id: string;
  readonly token: string;
  readonly attempts: number;
  readonly language: IntakeLanguage;
  readonly callDate: string;
  readonly transcript: string;
}

export interface NewIntake {
  readonly transcript: string;
  readonly language: IntakeLanguage;
  readonly callDate: string;
}

interface IntakeRow {
  id: string;
  created_by: string;
  created_at: Date;
  language: IntakeLanguage;
  call_date: string;
  status: IntakeStatus;
  attempts: number;
  version: number;
  extractor: string | null;
  error: IntakeError | null;
  finished_at: Date | null;
  sealed: Buffer;
}

/** Notified on every new intake, so idle workers need not wait for their next poll. */
export const INTAKE_CHANNEL = 'crashdesk_intakes';

const sealedRow = (id: string, version: number): SealedRow => ({ table: 'intakes', id, version });

export type IntakeStore = ReturnType<typeof createIntakeStore>;

export function createIntakeStore(options: {
  readonly sql: Sql;
  readonly codec: FieldCodec;
  readonly nextId: () => Promise<bigint>;
  /** How long an intake and its draft are kept. */
  readonly retentionSeconds: number;
  /** How long a worker holds a job before another may take it. */
  readonly leaseSeconds: number;
}) {
  const { sql, codec, retentionSeconds, leaseSeconds } = options;

  return {
    async create(input: NewIntake, actor: string): Promise<Intake> {
      const id = String(await options.nextId());
      const sealed = await codec.seal<SealedIntake>(sealedRow(id, 1), { transcript: input.transcript });
      const [row] = await sql<IntakeRow[]>`
        insert into intakes (id, created_by, language, call_date, sealed, expires_at)
        values (${id}, ${actor}, ${input.language}, ${input.callDate}, ${sealed}, now() + make_interval(secs => ${retentionSeconds}))
        returning id::text as id, created_by, created_at, language, call_date::text as call_date, status, attempts, version,
          extractor, error, finished_at, sealed`;
      // Workers that sleep between polls wake at once; the job is there for the next poll if this is lost.
      await sql`select pg_notify(${INTAKE_CHANNEL}, ${id})`;
      return toIntake(row!, { transcript: input.transcript });
    },

    /** Undefined for an unknown (or expired and purged) intake. */
    async get(id: string): Promise<Intake | undefined> {
      const [row] = await sql<IntakeRow[]>`
        select id::text as id, created_by, created_at, language, call_date::text as call_date, status, attempts, version,
          extractor, error, finished_at, sealed
        from intakes where id = ${id} and expires_at > now()`;
      return row ? toIntake(row, await codec.open<SealedIntake>(sealedRow(row.id, row.version), row.sealed)) : undefined;
    },

    /** The oldest due job, leased to the caller; undefined when none is due. */
    async claim(): Promise<ClaimedJob | undefined> {
      const token = randomUUID();
      const [row] = await sql<IntakeRow[]>`
        update intakes set status = 'running', attempts = attempts + 1, lease_token = ${token},
          lease_until = now() + make_interval(secs => ${leaseSeconds})
        where id = (
          select id from intakes
          where expires_at > now() and ((status = 'queued' and run_after <= now()) or (status = 'running' and lease_until < now()))
          order by run_after limit 1 for update skip locked)
        returning id::text as id, created_by, created_at, language, call_date::text as call_date, status, attempts, version,
          extractor, error, finished_at, sealed`;
      if (!row) return undefined;
      const { transcript } = await codec.open<SealedIntake>(sealedRow(row.id, row.version), row.sealed);
      return { id: row.id, token, attempts: row.attempts, language: row.language, callDate: row.call_date, transcript };
    },

    /** Stores the draft; false when the lease was lost (another worker owns the job now). */
    async complete(job: ClaimedJob, extraction: Extraction, extractor: string): Promise<boolean> {
      const [current] = await sql<{ version: number }[]>`select version from intakes where id = ${job.id} and lease_token = ${job.token}`;
      if (!current) return false;
      const version = current.version + 1;
      const sealed = await codec.seal<SealedIntake>(sealedRow(job.id, version), { transcript: job.transcript, extraction });
      const updated = await sql`
        update intakes set status = 'done', sealed = ${sealed}, version = ${version}, extractor = ${extractor}, error = null,
          lease_token = null, lease_until = null, finished_at = now()
        where id = ${job.id} and lease_token = ${job.token} and version = ${current.version}`;
      return updated.count === 1;
    },

    /** Puts the job back to run again after `delaySeconds`, or ends it `failed` when `delaySeconds` is undefined. */
    async release(job: ClaimedJob, error: IntakeError, delaySeconds: number | undefined): Promise<boolean> {
      const updated =
        delaySeconds === undefined
          ? await sql`
              update intakes set status = 'failed', error = ${sql.json({ ...error })}, lease_token = null, lease_until = null, finished_at = now()
              where id = ${job.id} and lease_token = ${job.token}`
          : await sql`
              update intakes set status = 'queued', error = ${sql.json({ ...error })}, lease_token = null, lease_until = null,
                run_after = now() + make_interval(secs => ${delaySeconds})
              where id = ${job.id} and lease_token = ${job.token}`;
      return updated.count === 1;
    },

    /** Deletes intakes past their retention, drafts and transcripts with them. */
    async purgeExpired(): Promise<number> {
      return (await sql`delete from intakes where expires_at <= now()`).count;
    },

    /** Queued and running jobs, for the queue's gauges. */
    async depth(): Promise<{ queued: number; running: number }> {
      const [row] = await sql<{ queued: number; running: number }[]>`
        select count(*) filter (where status = 'queued')::int as queued, count(*) filter (where status = 'running')::int as running
        from intakes where status in ('queued', 'running')`;
      return row ?? { queued: 0, running: 0 };
    },
  };
}

function toIntake(row: IntakeRow, sealed: SealedIntake): Intake {
  return {
    id: row.id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    language: row.language,
    callDate: row.call_date,
    status: row.status,
    attempts: row.attempts,
    extractor: row.extractor,
    error: row.error,
    finishedAt: row.finished_at,
    transcript: sealed.transcript,
    extraction: sealed.extraction ?? null,
  };
}
