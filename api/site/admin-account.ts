import { randomBytes } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import type { AuditRecorder } from '../audit/entry.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { AuthStore } from '../auth/store.js';

export const ADMIN_USERNAME = 'admin';
/** Who the audit trail names for what start-up does to the account. */
const START_UP_ACTOR = 'crashdesk';

export function generateAdminPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The admin password a site starts with: one the operator configured (CRASHDESK_ADMIN_PASSWORD,
 * from a Secret in Kubernetes) is enforced; one the local platform generated (and keeps in its
 * data directory) only creates the account.
 */
export interface AdminPassword {
  readonly value: string;
  readonly enforce: boolean;
}

export type AdminOutcome = 'created' | 'reset' | 'kept' | 'absent';

export interface ProvisionAdminDeps {
  readonly auth: AuthStore;
  readonly audit: AuditRecorder;
  readonly site: string;
  /** Absent (one site without CRASHDESK_ADMIN_PASSWORD): no account is made, an existing one is left alone. */
  readonly password: AdminPassword | undefined;
}

/**
 * Makes sure the site has its `admin` account, each change on the audit trail in the change's own
 * transaction. A configured password is enforced on every start (so rotating the Secret works,
 * and signs out every session opened with the old one), as is the role; a disabled account stays
 * disabled, since disabling it was someone's decision. An account already as configured is left
 * alone, so restarts do not sign the admin out.
 */
export async function provisionAdmin({ auth, audit, site, password }: ProvisionAdminDeps): Promise<AdminOutcome> {
  const existing = await auth.findAccount(ADMIN_USERNAME);
  if (!password) return existing ? 'kept' : 'absent';
  const record = (tx: TransactionSql, action: string, details: Record<string, unknown> = {}) =>
    audit.record({ actor: START_UP_ACTOR, action, resource: ADMIN_USERNAME, outcome: 'success', details: { ...details, by: 'start-up' } }, tx);

  if (!existing) {
    const account = { username: ADMIN_USERNAME, role: 'admin' as const, site, passwordHash: await hashPassword(password.value) };
    // Created meanwhile by another replica starting at the same moment: theirs stands.
    const created = await auth.createAccount(account, START_UP_ACTOR, (tx, row) => record(tx, 'user.create', { role: row.role }));
    return created ? 'created' : 'kept';
  }
  if (!password.enforce) return 'kept';
  const passwordHash = (await verifyPassword(password.value, existing.passwordHash)) ? undefined : await hashPassword(password.value);
  const role = existing.role === 'admin' ? undefined : ('admin' as const);
  if (passwordHash === undefined && role === undefined) return 'kept';
  await auth.updateAccount(ADMIN_USERNAME, { passwordHash, role }, START_UP_ACTOR, async (tx, { before, after }) => {
    if (passwordHash !== undefined) await record(tx, 'user.password_reset');
    if (after.role !== before.role) await record(tx, 'user.role_change', { from: before.role, to: after.role });
  });
  return 'reset';
}
