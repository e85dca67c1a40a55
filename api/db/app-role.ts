import type { Sql } from 'postgres';

/**
 * What the application's own database role may do, granted by the schema owner after migrating:
 * everything its queries need, and on the audit trail only reading and appending. Without UPDATE,
 * DELETE or TRUNCATE, and not owning the table (so it cannot disable the refusing trigger), the
 * application cannot rewrite history even if it is compromised.
 */
export async function grantApplicationRole(owner: Sql, role: string): Promise<void> {
  await owner.begin(async (tx) => {
    await tx`grant usage on schema public to ${tx(role)}`;
    await tx`grant select, insert, update, delete on all tables in schema public to ${tx(role)}`;
    await tx`revoke update, delete, truncate on audit_log from ${tx(role)}`;
    await tx`revoke insert, update, delete, truncate on schema_migrations from ${tx(role)}`;
    await tx`grant usage, select on all sequences in schema public to ${tx(role)}`;
  });
}

export async function currentRole(sql: Sql): Promise<string> {
  const [row] = await sql<{ role: string }[]>`select current_user as role`;
  if (!row) throw new Error('the database did not say which role this connection uses');
  return row.role;
}
