import type { Sql, TransactionSql } from 'postgres';
import type { AuthenticatedUser } from '../http/env.js';
import { defaultTokenPolicy, type TokenPolicy } from './policy.js';
import type { Role } from './roles.js';
import { createSessionCache, SESSION_CHANNEL } from './session-cache.js';

export interface Account {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly site: string;
  readonly disabledAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewAccount {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly site: string;
}

/** What an admin may change about an account; absent means unchanged. */
export interface AccountChange {
  readonly passwordHash?: string;
  readonly role?: Role;
  readonly disabled?: boolean;
}

/** Runs inside the transaction that made the change, so what it writes (the audit trail) commits with it. */
export type AccountListener<T> = (tx: TransactionSql, change: T) => Promise<void>;

const accountColumns = (sql: Sql | TransactionSql) =>
  sql`username, password_hash as "passwordHash", role, site, disabled_at as "disabledAt", created_at as "createdAt", updated_at as "updatedAt"`;

export type AuthStore = ReturnType<typeof createAuthStore>;

/** How long a replica serves a session from memory before it asks the database again (0: never from memory). */
export const SESSION_CACHE_MS = 5000;

export function createAuthStore(sql: Sql, tokens: TokenPolicy = defaultTokenPolicy, options: { readonly sessionCacheMs?: number } = {}) {
  // A token's sliding end is written at most about once a minute (sooner for very short idle
  // timeouts), not on every request: the extension is only worth a write once it moves the end.
  const slideEverySeconds = Math.max(1, Math.min(60, Math.floor(tokens.idleSeconds / 4)));
  const idleSeconds = Math.min(tokens.idleSeconds, tokens.maxSeconds);
  // Held for less than the slide's step, so a token in steady use still slides its idle end.
  const cache = createSessionCache({ ttlMs: Math.min(options.sessionCacheMs ?? SESSION_CACHE_MS, (slideEverySeconds * 1000) / 2), maxEntries: 10_000 });
  let listening: { unlisten(): Promise<void> } | undefined;
  // Inside the revoking transaction: delivered to every replica when (and only if) it commits.
  const announce = (db: Sql | TransactionSql, announcement: string) => db`select pg_notify(${SESSION_CHANNEL}, ${announcement})`;

  return {
    /** Listens for revocations from every replica; until it does, sessions are not served from memory. */
    async start(): Promise<void> {
      // onlisten runs on every (re)connection of the listening connection: what was announced while
      // it was down is unknown, so everything remembered goes.
      listening = await sql.listen(
        SESSION_CHANNEL,
        (announcement) => cache.forget(announcement),
        () => cache.clear(),
      );
    },
    async stop(): Promise<void> {
      await listening?.unlisten();
      listening = undefined;
    },

    async findAccount(username: string): Promise<Account | undefined> {
      const [row] = await sql<Account[]>`select ${accountColumns(sql)} from accounts where username = ${username}`;
      return row;
    },

    /** Every account of the site, by name. A site has tens to hundreds of them, so no pages. */
    async listAccounts(): Promise<Account[]> {
      return sql<Account[]>`select ${accountColumns(sql)} from accounts order by username`;
    },

    /** Returns undefined when the username is taken. */
    async createAccount(account: NewAccount, actor: string, onCreated?: AccountListener<Account>): Promise<Account | undefined> {
      return sql.begin(async (tx) => {
        const [row] = await tx<Account[]>`
          insert into accounts (username, password_hash, role, site, created_by, updated_by)
          values (${account.username}, ${account.passwordHash}, ${account.role}, ${account.site}, ${actor}, ${actor})
          on conflict (username) do nothing
          returning ${accountColumns(tx)}`;
        if (row) await onCreated?.(tx, row);
        return row;
      });
    },

    /**
     * Applies an admin's change. A new password or a disable revokes every token of the account in
     * the same transaction, so they stop working at once. Returns undefined for an unknown account.
     */
    async updateAccount(
      username: string,
      change: AccountChange,
      actor: string,
      onChanged?: AccountListener<{ readonly before: Account; readonly after: Account }>,
    ): Promise<Account | undefined> {
      const changed = await sql.begin(async (tx) => {
        const [before] = await tx<Account[]>`select ${accountColumns(tx)} from accounts where username = ${username} for update`;
        if (!before) return undefined;
        const [after] = await tx<Account[]>`
          update accounts set
            password_hash = coalesce(${change.passwordHash ?? null}::text, password_hash),
            role = coalesce(${change.role ?? null}::text, role),
            disabled_at = case ${change.disabled ?? null}::boolean when true then coalesce(disabled_at, now()) when false then null else disabled_at end,
            updated_by = ${actor},
            updated_at = now()
          where username = ${username}
          returning ${accountColumns(tx)}`;
        if (!after) throw new Error(`account ${username} vanished inside its own transaction`);
        if (change.passwordHash !== undefined || change.disabled === true) await revokeAll(tx, username);
        // A new role, password or state must reach every replica's remembered sessions at once.
        await announce(tx, `u:${username}`);
        await onChanged?.(tx, { before, after });
        return after;
      });
      if (changed) cache.forget(`u:${username}`);
      return changed;
    },

    /** Returns when the token expires unless it is used before then. */
    async insertToken(tokenHash: Buffer, username: string): Promise<Date> {
      const [row] = await sql<{ expiresAt: Date }[]>`
        insert into auth_tokens (token_hash, username, expires_at, max_expires_at)
        values (${tokenHash}, ${username}, now() + make_interval(secs => ${idleSeconds}), now() + make_interval(secs => ${tokens.maxSeconds}))
        returning expires_at as "expiresAt"`;
      if (!row) throw new Error('inserting a token returned no row');
      return row.expiresAt;
    },

    /**
     * The live, unrevoked token's account, if that account is enabled; using the token pushes its
     * idle expiry out again, never past its absolute end.
     */
    async findSession(tokenHash: Buffer): Promise<AuthenticatedUser | undefined> {
      const remembered = listening ? cache.get(tokenHash) : undefined;
      if (remembered) return remembered;
      const epoch = cache.epoch();
      const [row] = await sql<(AuthenticatedUser & { expiresAt: Date })[]>`
        with session as (
          select t.token_hash, least(now() + make_interval(secs => ${idleSeconds}), t.max_expires_at) as slid_to,
                 t.expires_at, a.username, a.role, a.site
          from auth_tokens t join accounts a on a.username = t.username
          where t.token_hash = ${tokenHash} and t.expires_at > now() and t.revoked_at is null and a.disabled_at is null
        ), slide as (
          update auth_tokens t set expires_at = s.slid_to
          from session s
          where t.token_hash = s.token_hash and s.expires_at < s.slid_to - make_interval(secs => ${slideEverySeconds})
        )
        select username, role, site, least(slid_to, expires_at) as "expiresAt" from session`;
      if (!row) return undefined;
      const { expiresAt, ...user } = row;
      if (listening) cache.remember(tokenHash, user, expiresAt, epoch);
      return user;
    },

    async revokeToken(tokenHash: Buffer): Promise<void> {
      const announcement = `t:${tokenHash.toString('hex')}`;
      await sql.begin(async (tx) => {
        await tx`update auth_tokens set revoked_at = now() where token_hash = ${tokenHash} and revoked_at is null`;
        await announce(tx, announcement);
      });
      // This replica forgets before answering, without waiting for its own announcement.
      cache.forget(announcement);
    },

    /** Signs the account out everywhere. */
    async revokeAllTokens(username: string): Promise<number> {
      const revoked = await sql.begin(async (tx) => {
        const count = await revokeAll(tx, username);
        await announce(tx, `u:${username}`);
        return count;
      });
      cache.forget(`u:${username}`);
      return revoked;
    },

    async purgeExpiredTokens(): Promise<number> {
      const result = await sql`delete from auth_tokens where expires_at < now() - interval '1 day'`;
      return result.count;
    },
  };
}

async function revokeAll(sql: Sql | TransactionSql, username: string): Promise<number> {
  const result = await sql`update auth_tokens set revoked_at = now() where username = ${username} and revoked_at is null`;
  return result.count;
}
