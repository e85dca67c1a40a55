/**
 * The highest version a report may reach, and the largest an If-Match may name (nine digits). The
 * column is a 32-bit integer; a report that changed a billion times is no report, and replication refuses a state beyond this (replication/trust.ts),
 * so neither a peer's state nor a later change can overflow it.
 */
export const MAX_REPORT_VERSION = 999_999_999;

/** A change refused because the report is at the highest version (answered 409, never a 500 from the column overflowing). */
export class ReportVersionLimit extends Error {
  constructor(readonly reportId: string) {
    super(`report ${reportId} is at version ${MAX_REPORT_VERSION}, the highest a report may reach`);
  }
}
