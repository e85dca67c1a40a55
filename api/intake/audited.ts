// The one door to intakes for the JSON API and the console: each operation does the work and records
// its outcome on the audit trail. Entries name the intake and what was done, never what the call said.
import type { AuditEntry, AuditRecorder } from '../audit/entry.js';
import { parseId } from '../ids/snowflake.js';
import { ProblemError } from '../http/problem.js';
import { detectLanguage } from './language.js';
import { MAX_TRANSCRIPT_BYTES, type NewIntakeBody, siteToday } from './schema.js';
import type { Intake, IntakeStore } from './store.js';

export type AuditedIntakes = ReturnType<typeof createAuditedIntakes>;

export function createAuditedIntakes({ store, audit, timezone }: { readonly store: IntakeStore; readonly audit: AuditRecorder; readonly timezone: string }) {
  const record = (actor: string, entry: Omit<AuditEntry, 'actor'>) => audit.record({ actor, ...entry });

  return {
    /** Today at the site: the call's day unless the client says otherwise. */
    today: () => siteToday(timezone),

    /** Queues a call for drafting. Over the size limit is 413 before anything is stored. */
    async submit(actor: string, body: NewIntakeBody): Promise<Intake> {
      const bytes = Buffer.byteLength(body.transcript, 'utf8');
      if (bytes > MAX_TRANSCRIPT_BYTES) {
        await record(actor, { action: 'intake.create', resource: 'intakes', outcome: 'failure', details: { reason: 'too-large', bytes } });
        throw new ProblemError(413, 'transcript-too-large', `The transcript is ${bytes} bytes of UTF-8; at most ${MAX_TRANSCRIPT_BYTES} are accepted.`);
      }
      const language = body.language ?? detectLanguage(body.transcript);
      const intake = await store.create({ transcript: body.transcript, language, callDate: body.callDate ?? siteToday(timezone) }, actor);
      await record(actor, { action: 'intake.create', resource: intake.id, outcome: 'success', details: { language, bytes } });
      return intake;
    },

    /** Audited whether found or not; an id that cannot name an intake is simply not found. */
    async read(actor: string, id: string): Promise<Intake | undefined> {
      const intake = parseId(id) === undefined ? undefined : await store.get(id);
      await record(
        actor,
        intake
          ? { action: 'intake.read', resource: id, outcome: 'success', details: { status: intake.status } }
          : { action: 'intake.read', resource: id, outcome: 'failure', details: { reason: 'not-found' } },
      );
      return intake;
    },
  };
}
