import type { Sql } from 'postgres';

/**
 * Records an accepted signature until it could no longer pass the timestamp check anyway, and
 * says whether this is its first sighting. Shared by every replica of the site (the table), so a
 * replay to another replica is refused too; expired rows go as new ones arrive.
 */
export async function firstSighting(sql: Sql, signature: string, expiresAt: Date): Promise<boolean> {
  const inserted = await sql`
    with expired as (delete from replication_seen_signatures where expires_at < now())
    insert into replication_seen_signatures (signature, expires_at) values (decode(${signature}, 'hex'), ${expiresAt})
    on conflict do nothing
    returning 1`;
  return inserted.length > 0;
}
