import type { ChangeListener } from '../accidents/store.js';
import type { ChangeAuditor } from './entry.js';

/**
 * Records every change of a report in the transaction that makes it: the entry exists exactly
 * when the change does. Staged there, not chained, so that concurrent changes do not queue for the
 * chain's lock while their transactions run; the store chains after each commit. Details carry the new version and, for an update, the names of the fields
 * set, and for a report recorded from a draft its intake's id (linking the two on the trail); never a
 * value (most of them are sensitive).
 */
export function auditReportChanges(audit: ChangeAuditor): ChangeListener {
  return (tx, { action, actor, report, fields, intakeId }) =>
    audit.stage(
      {
        actor,
        action: `report.${action}`,
        resource: report.id,
        outcome: 'success',
        details: { version: report.version, ...(fields && { fields: [...fields].sort() }), ...(intakeId && { intakeId }) },
      },
      tx,
    );
}
