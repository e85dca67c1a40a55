// What one audit entry holds, and the narrow door that records one (audit/trail.ts is the trail
// itself: the hash chain, group commit, the request's origin and the auditors' pages).
import type { TransactionSql } from 'postgres';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/**
 * One traceable access. Never holds a sensitive value: `resource` names what was touched (a report
 * id, an account name, a day), not what it contains.
 */
export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly outcome: AuditOutcome;
  readonly requestId?: string;
  readonly clientAddress?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditRecorder {
  /** With `tx`, the entry commits or rolls back with the change it describes. */
  record(entry: AuditEntry, tx?: TransactionSql): Promise<void>;
}

/** Records nothing: for code paths (and tests) where auditing is not the subject. */
export const noAuditRecorder: AuditRecorder = { record: async () => undefined };
