// The one door to reports for both front doors, the JSON API and the console: each operation does
// the work and records its outcome on the audit trail, so no route can forget an entry or word it
// differently. A change that succeeds is recorded by the store's change listener, inside the
// change's own transaction (audit/report-changes.ts); everything else is recorded here.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditEntry, AuditRecorder } from '../audit/entry.js';
import { hashRequestBody } from '../idempotency/keys.js';
import { type Accident, type AccidentPatch, type NewAccident, ReportIdSchema } from './schema.js';
import type { AccidentsStore, CreateResult, PolicyPage, UpdateResult } from './store.js';

export interface ReportPage {
  readonly items: Accident[];
  readonly hasMore: boolean;
}

export type AuditedReports = ReturnType<typeof createAuditedReports>;

export function createAuditedReports({ store, audit }: { readonly store: AccidentsStore; readonly audit: AuditRecorder }) {
  // Names what was touched (ids, a day), never what was searched for: a policy number is sensitive.
  const record = (actor: string, entry: Omit<AuditEntry, 'actor'>) => audit.record({ actor, ...entry });
  const idsOf = (reports: readonly Accident[]) => ({ ids: reports.map((report) => report.id), count: reports.length });

  return {
    /** Audited whether found or not; an id that cannot name a report (a typed URL) is simply not found. */
    async read(actor: string, id: string): Promise<Accident | undefined> {
      const report = ReportIdSchema.safeParse(id).success ? await store.get(id) : undefined;
      await record(
        actor,
        report
          ? { action: 'report.read', resource: id, outcome: 'success', details: { version: report.version } }
          : { action: 'report.read', resource: id, outcome: 'failure', details: { reason: 'not-found' } },
      );
      return report;
    },

    /** One page of a policy lookup, its ids on the trail (never the number looked up). */
    async search(actor: string, policyNumber: string, limit: number, beforeId?: string): Promise<PolicyPage> {
      const page = await store.findByPolicy(policyNumber, limit, beforeId);
      await record(actor, { action: 'report.search', resource: 'accidents?policyNumber', outcome: 'success', details: idsOf(page.items) });
      return page;
    },

    async page(actor: string, date: string, limit: number, beforeId?: string): Promise<ReportPage> {
      const page = await store.listByDate(date, limit, beforeId);
      await record(actor, { action: 'report.list', resource: `accidents?date=${date}`, outcome: 'success', details: idsOf(page.items) });
      return page;
    },

    /** With an Idempotency-Key, a retry of the same body returns the first report instead of recording twice. */
    async create(actor: string, input: NewAccident, idempotencyKey?: string): Promise<CreateResult> {
      const idempotency = idempotencyKey ? { username: actor, key: idempotencyKey, requestHash: hashRequestBody(input) } : undefined;
      const result = await store.create(input, actor, idempotency);
      if (result.kind === 'replayed') {
        // Nothing changed, but the report went back to the caller: on the trail like a read.
        await record(actor, {
          action: 'report.create',
          resource: result.report.id,
          outcome: 'success',
          details: { version: result.report.version, replayed: true },
        });
      }
      return result;
    },

    async update(actor: string, id: string, expectedVersion: number, patch: AccidentPatch): Promise<UpdateResult> {
      const result = await store.update(id, expectedVersion, patch, actor);
      if (result.kind !== 'updated') {
        await record(actor, { action: 'report.update', resource: id, outcome: 'failure', details: { reason: result.kind, expectedVersion } });
      }
      return result;
    },

    /** Soft delete; false when there was no such live report. */
    async remove(actor: string, id: string): Promise<boolean> {
      const removed = ReportIdSchema.safeParse(id).success && (await store.remove(id, actor));
      if (!removed) await record(actor, { action: 'report.delete', resource: id, outcome: 'failure', details: { reason: 'not-found' } });
      return removed;
    },

    /**
     * Reads an export of the accident dates `from`..`to` page by page, each page on the trail with
     * the ids that left. The pages are pulled after the request's handler has returned, so the
     * request's context (its id and client address, for the trail) is captured now.
     */
    exporter(actor: string, range: { readonly from: string; readonly to: string }) {
      const inRequest = AsyncLocalStorage.snapshot();
      return async (day: string, limit: number, beforeId?: string): Promise<ReportPage> => {
        const page = await store.listByDate(day, limit, beforeId);
        if (page.items.length > 0) {
          await inRequest(() =>
            record(actor, {
              action: 'report.export',
              resource: `accidents?from=${range.from}&to=${range.to}`,
              outcome: 'success',
              details: { day, ...idsOf(page.items) },
            }),
          );
        }
        return page;
      };
    },
  };
}
