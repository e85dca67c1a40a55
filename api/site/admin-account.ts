import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { AuthStore } from '../auth/store.js';

export const ADMIN_USERNAME = 'admin';

export function generateAdminPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Makes sure the site has its `admin` account. A password the operator configured is enforced on
 * every start (so rotating the secret works, and signs out every session opened with the old one);
 * a generated one is only used to create the account. An account already as configured is left
 * alone, so restarts do not sign the admin out.
 */
export async function provisionAdmin(
  auth: AuthStore,
  site: string,
  password: { readonly value: string; readonly enforce: boolean },
): Promise<'created' | 'reset' | 'kept'> {
  const existing = await auth.findAccount(ADMIN_USERNAME);
  if (existing && !password.enforce) return 'kept';
  const asConfigured = existing?.role === 'admin' && !existing.disabledAt && (await verifyPassword(password.value, existing.passwordHash));
  if (asConfigured) return 'kept';
  const account = { username: ADMIN_USERNAME, role: 'admin' as const, site, passwordHash: await hashPassword(password.value) };
  await auth.upsertAccount(account, 'crashdesk');
  if (!existing) return 'created';
  await auth.revokeAllTokens(ADMIN_USERNAME);
  return 'reset';
}
