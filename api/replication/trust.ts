// What a site accepts from a peer. A city's key speaks only for that city: HQ takes a state from
// city X only if X made that version (and, for a report HQ has never seen, only if X recorded it);
// what HQ passes on, a city takes as HQ's. Every state must also look like something this api could
// have written: its fields as the API validates them, a version moved on by a bounded step (never
// near the column's limit), its times not ahead of this clock by more than the signing window. A
// state that fails is refused on its own, and the rest of its batch applies.
import { z } from 'zod';
import { NewAccidentSchema, statuses } from '../accidents/schema.js';
import { MAX_REPORT_VERSION } from '../accidents/version-limit.js';
import { HQ } from './outbox.js';
import { type ReplicatedReport, ReplicatedReportSchema } from './schema.js';
import { MAX_SKEW_MS } from './signing.js';

/** How far one state may move a report's version past this site's: far more than a report changes between deliveries. */
export const MAX_VERSION_STEP = 10_000;

export const REFUSAL_REASONS = ['invalid', 'not-its-origin', 'not-its-report', 'version-jump', 'from-the-future'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface Refusal {
  readonly id: string;
  readonly reason: RefusalReason;
  /** The fields a refused state got wrong (their names, never their values). */
  readonly detail?: string;
}

const fields = NewAccidentSchema.shape;
// Accounts are named as auth/schema.ts's UsernameSchema allows.
const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'must be an account name');

/** The state's fields checked by the same rules as the API's input, exactly as sent (no trimming). */
const ReplicatedContentSchema = z.object({
  version: z.number().int().min(1).max(MAX_REPORT_VERSION),
  callReason: fields.callReason,
  accidentDate: fields.accidentDate,
  damages: fields.damages.unwrap(),
  status: z.enum(statuses),
  createdBy: username,
  updatedBy: username,
  deletedBy: username.nullable(),
  fields: z.object({
    drivers: fields.drivers,
    policyNumber: fields.policyNumber,
    location: fields.location,
    cause: fields.cause.unwrap(),
    summary: fields.summary.unwrap(),
  }),
});

/** The shape first (what the conflict rule needs), then the content; a refusal names what failed. */
export function parseState(raw: unknown): { state: ReplicatedReport } | { refusal: Refusal } {
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : '(unknown)';
  const shape = ReplicatedReportSchema.safeParse(raw);
  if (!shape.success) return { refusal: { id, reason: 'invalid', detail: pathsOf(shape.error) } };
  const content = ReplicatedContentSchema.safeParse(shape.data);
  if (!content.success) return { refusal: { id, reason: 'invalid', detail: pathsOf(content.error) } };
  const state = shape.data;
  if ((state.deletedAt === null) !== (state.deletedBy === null)) return { refusal: { id, reason: 'invalid', detail: 'deletedAt, deletedBy' } };
  return { state };
}

const pathsOf = (error: z.ZodError) => [...new Set(error.issues.map((issue) => issue.path.join('.') || '(state)'))].slice(0, 10).join(', ');

export interface JudgeContext {
  /** This site. */
  readonly receiver: string;
  /** The peer whose key signed the batch. */
  readonly sender: string;
  /** This site's current version of each report it already holds. */
  readonly currentVersion: (id: string) => number | undefined;
  readonly now: number;
}

/** Why this site refuses a well-formed state from `sender`, or undefined when it may apply it. */
export function refusalOf(state: ReplicatedReport, context: JudgeContext): RefusalReason | undefined {
  const current = context.currentVersion(state.id);
  if (context.receiver === HQ && context.sender !== HQ) {
    if (state.originSite !== context.sender) return 'not-its-origin';
    if (current === undefined && state.site !== context.sender) return 'not-its-report';
  }
  if (state.version > (current ?? 0) + MAX_VERSION_STEP) return 'version-jump';
  const latest = new Date(context.now + MAX_SKEW_MS).toISOString();
  // The states' times carry microseconds; the first 23 characters compare as milliseconds.
  for (const at of [state.createdAt, state.updatedAt, state.deletedAt]) if (at !== null && at.slice(0, 23) > latest.slice(0, 23)) return 'from-the-future';
  return undefined;
}
