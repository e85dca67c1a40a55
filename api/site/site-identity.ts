import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';

/**
 * Records which site a database belongs to on first start, and refuses to serve a database that
 * belongs to another site or site number: mixing them up would break id uniqueness.
 */
export async function ensureSiteIdentity(sql: Sql, site: string, siteNumber: number): Promise<void> {
  await sql`insert into site_identity (site, site_number) values (${site}, ${siteNumber}) on conflict (singleton) do nothing`;
  const [identity] = await sql<{ site: string; siteNumber: number }[]>`
    select site, site_number as "siteNumber" from site_identity`;
  if (identity?.site !== site || identity.siteNumber !== siteNumber) {
    throw new Error(
      `this database belongs to site "${identity?.site}" number ${identity?.siteNumber}, ` +
        `but this process was started as site "${site}" number ${siteNumber}`,
    );
  }
}

/** A random secret shared by every replica of the site, made by whichever replica asks first. */
export async function siteSecret(sql: Sql, name: string, bytes = 32): Promise<Buffer> {
  await sql`insert into site_secrets (name, value) values (${name}, ${randomBytes(bytes)}) on conflict (name) do nothing`;
  const [row] = await sql<{ value: Buffer }[]>`select value from site_secrets where name = ${name}`;
  if (!row) throw new Error(`site secret ${name} is missing right after it was written`);
  return row.value;
}
