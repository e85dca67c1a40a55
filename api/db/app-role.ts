import type { Sql } from 'postgres';

// Replicas starting at once grant at once, and concurrent GRANTs on one table fail ("tuple
// concurrently updated"); any constant works, the same for every replica of every site.
const GRANT_LOCK = 7_263_512_393;

/**
 * What the application's own database role may do, granted by the schema owner after migrating:
 * everything its queries need, and on the audit trail only reading and appending through
 * `audit_append()` and `audit_append_all()` (migrations 006 and 011: they run as the owner, and choose seq, time and hashes themselves),
 * or staging through `audit_stage()` for the chainer (`audit_chain_staged()`, migration 010).
 * Without INSERT, UPDATE, DELETE or TRUNCATE on `audit_log`, and not owning it (so it cannot
 * disable the refusing trigger), the application cannot rewrite history even if it is compromised.
 */
export async function grantApplicationRole(owner: Sql, role: string): Promise<void> {
  await owner.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${GRANT_LOCK})`;
    await tx`grant usage on schema public to ${tx(role)}`;
    await tx`grant select, insert, update, delete on all tables in schema public to ${tx(role)}`;
    await tx`revoke insert, update, delete, truncate on audit_log from ${tx(role)}`;
    await tx`revoke insert, update, delete, truncate on schema_migrations from ${tx(role)}`;
    await tx`grant usage, select on all sequences in schema public to ${tx(role)}`;
    await tx`revoke usage, select, update on sequence audit_log_seq_seq from ${tx(role)}`;
    await tx`grant execute on function audit_append(text, text, text, text, text, text, jsonb, text) to ${tx(role)}`;
    await tx`grant execute on function audit_append_all(jsonb) to ${tx(role)}`;
    // Staged entries are the chain's inbox (migration 010): readable, never changed or dropped by the app.
    await tx`revoke insert, update, delete, truncate on audit_staged from ${tx(role)}`;
    await tx`revoke usage, select, update on sequence audit_staged_id_seq from ${tx(role)}`;
    await tx`grant execute on function audit_stage(text, text, text, text, text, text, jsonb, text) to ${tx(role)}`;
    await tx`grant execute on function audit_chain_staged(integer) to ${tx(role)}`;
  });
}

export async function currentRole(sql: Sql): Promise<string> {
  const [row] = await sql<{ role: string }[]>`select current_user as role`;
  if (!row) throw new Error('the database did not say which role this connection uses');
  return row.role;
}

/** How the site's two connections relate: the usual separate roles, or one role (development only). */
export type DatabaseRoles = { readonly kind: 'separate'; readonly app: string; readonly owner: string } | { readonly kind: 'single'; readonly role: string };

/**
 * Grants the application's role (`app`'s) what it needs, once `owner` migrated. The same role on
 * both sides is refused unless `allowSingleRole`: then the application owns the schema, and only
 * a trigger it may disable keeps the audit trail append-only.
 */
export async function separateRoles(owner: Sql, app: Sql, options: { readonly allowSingleRole: boolean }): Promise<DatabaseRoles> {
  const [appRole, ownerRole] = await Promise.all([currentRole(app), currentRole(owner)]);
  if (appRole === ownerRole) {
    if (!options.allowSingleRole) {
      throw new Error(
        `DATABASE_URL and DATABASE_OWNER_URL both log in as "${appRole}": the api's role would own the schema and could rewrite the ` +
          'audit trail. Give DATABASE_OWNER_URL the schema owner and DATABASE_URL a role of its own, or set ' +
          'CRASHDESK_ALLOW_SINGLE_DATABASE_ROLE=true for development only.',
      );
    }
    return { kind: 'single', role: appRole };
  }
  await grantApplicationRole(owner, appRole);
  return { kind: 'separate', app: appRole, owner: ownerRole };
}
