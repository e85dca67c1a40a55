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

/**
 * The door for entries of report changes, the site's busiest writes: staged in the change's
 * transaction without the chain's lock, chained after it commits (migration 010).
 */
export interface ChangeAuditor {
  stage(entry: AuditEntry, tx: TransactionSql): Promise<void>;
  /** Chains what was staged and committed before the call; resolves once it is in the chain. */
  chainStaged(): Promise<void>;
}

/** Records nothing: for code paths (and tests) where auditing is not the subject. */
export const noAuditRecorder: AuditRecorder = { record: async () => undefined };
