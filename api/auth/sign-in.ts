import type { AuditEntry, AuditRecorder } from '../audit/entry.js';
import type { Account, AuthStore } from './store.js';
import type { LoginThrottle } from './login-throttle.js';
import { decoyHash, verifyPassword } from './passwords.js';
import { newToken, hashToken } from './tokens.js';

export interface SignInDeps {
  readonly store: AuthStore;
  readonly throttle: LoginThrottle;
  readonly audit: AuditRecorder;
}

export interface SignInAttempt {
  readonly username: string;
  readonly password: string;
  /** Throttled with the username as a pair, and across usernames; the audit trail takes it from the request's context. */
  readonly clientAddress: string | undefined;
}

export type SignInResult =
  | { readonly kind: 'signed-in'; readonly token: string; readonly expiresAt: Date; readonly account: Account }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number }
  | { readonly kind: 'invalid-credentials' };

/** The username as the audit trail and the throttle see it: what was typed, normalised and bounded. */
export function normaliseLoginName(username: string): string {
  return username.trim().toLowerCase().slice(0, 64) || '(empty)';
}

/**
 * One login attempt, throttled and audited, whichever door it came through (the JSON API or the
 * console's form): both issue the same kind of token.
 */
export async function signIn({ store, throttle, audit }: SignInDeps, attempt: SignInAttempt): Promise<SignInResult> {
  const username = normaliseLoginName(attempt.username);
  const keys = { username, client: attempt.clientAddress };
  const record = (entry: Pick<AuditEntry, 'outcome' | 'details'>) => audit.record({ actor: username, action: 'auth.login', resource: username, ...entry });

  // Before the password is checked: a blocked caller costs one small query, not a scrypt run.
  const verdict = await throttle.begin(keys);
  if (verdict.blocked) {
    await record({ outcome: 'denied', details: { reason: 'throttled', scope: verdict.scope } });
    return { kind: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds };
  }

  const account = await store.findAccount(username);
  // Verify even for unknown users so timing does not reveal which usernames exist.
  const valid = await verifyPassword(attempt.password, account?.passwordHash ?? (await decoyHash()));
  if (!account || !valid || account.disabledAt) {
    await record({ outcome: 'failure', details: { reason: 'invalid-credentials' } });
    return { kind: 'invalid-credentials' };
  }

  await throttle.succeeded(keys);
  const token = newToken();
  const expiresAt = await store.insertToken(hashToken(token), account.username);
  await record({ outcome: 'success' });
  return { kind: 'signed-in', token, expiresAt, account };
}
