import type { Sql } from 'postgres';
import type { AuthenticatedUser } from '../http/env.js';
import type { Role } from './roles.js';

export interface Account {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly site: string;
  readonly disabledAt: Date | null;
  readonly createdAt: Date;
}

export interface NewAccount {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly site: string;
}

export type AuthStore = ReturnType<typeof createAuthStore>;

export function createAuthStore(sql: Sql) {
  return {
    async findAccount(username: string): Promise<Account | undefined> {
      const [row] = await sql<Account[]>`
        select username, password_hash as "passwordHash", role, site, disabled_at as "disabledAt", created_at as "createdAt"
        from accounts where username = ${username}`;
      return row;
    },

    /** Returns undefined when the username is taken. */
    async createAccount(account: NewAccount, actor: string): Promise<Account | undefined> {
      const [row] = await sql<Account[]>`
        insert into accounts (username, password_hash, role, site, created_by, updated_by)
        values (${account.username}, ${account.passwordHash}, ${account.role}, ${account.site}, ${actor}, ${actor})
        on conflict (username) do nothing
        returning username, password_hash as "passwordHash", role, site, disabled_at as "disabledAt", created_at as "createdAt"`;
      return row;
    },

    /** Creates the account, or resets its password and role when it exists (start-up provisioning). */
    async upsertAccount(account: NewAccount, actor: string): Promise<void> {
      await sql`
        insert into accounts (username, password_hash, role, site, created_by, updated_by)
        values (${account.username}, ${account.passwordHash}, ${account.role}, ${account.site}, ${actor}, ${actor})
        on conflict (username) do update set
          password_hash = excluded.password_hash, role = excluded.role, disabled_at = null,
          updated_by = excluded.updated_by, updated_at = now()`;
    },

    async insertToken(tokenHash: Buffer, username: string, ttlSeconds: number): Promise<Date> {
      const [row] = await sql<{ expiresAt: Date }[]>`
        insert into auth_tokens (token_hash, username, expires_at)
        values (${tokenHash}, ${username}, now() + make_interval(secs => ${ttlSeconds}))
        returning expires_at as "expiresAt"`;
      if (!row) throw new Error('inserting a token returned no row');
      return row.expiresAt;
    },

    /** The live, unrevoked token's account, if that account is enabled. */
    async findSession(tokenHash: Buffer): Promise<AuthenticatedUser | undefined> {
      const [row] = await sql<AuthenticatedUser[]>`
        select a.username, a.role, a.site
        from auth_tokens t join accounts a on a.username = t.username
        where t.token_hash = ${tokenHash} and t.expires_at > now() and t.revoked_at is null and a.disabled_at is null`;
      return row;
    },

    async revokeToken(tokenHash: Buffer): Promise<void> {
      await sql`update auth_tokens set revoked_at = now() where token_hash = ${tokenHash} and revoked_at is null`;
    },

    async purgeExpiredTokens(): Promise<number> {
      const result = await sql`delete from auth_tokens where expires_at < now() - interval '1 day'`;
      return result.count;
    },
  };
}
