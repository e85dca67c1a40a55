// HQ's registry of cities (the replication_peers table): where each city is, whether it may
// replicate, and with which key version. Every internal request reads its sender's row, so revoking
// a city refuses its next request at every replica of HQ at once. A city's address is set once,
// when it registers or from configuration: a city key cannot make HQ call another address.
import type { Sql } from 'postgres';
import { PEERS_LOCK } from './outbox.js';

export interface CityEntry {
  readonly site: string;
  readonly url: string | null;
  readonly status: 'active' | 'revoked';
  readonly keyVersion: number;
  readonly previousKeyVersion: number | null;
  readonly previousKeyUntil: Date | null;
  readonly presentedKeyVersion: number;
}

const columns = (sql: Sql) => sql`
  site, url, status, key_version as "keyVersion", previous_key_version as "previousKeyVersion",
  previous_key_until as "previousKeyUntil", presented_key_version as "presentedKeyVersion"`;

export async function readCity(sql: Sql, city: string): Promise<CityEntry | undefined> {
  const [entry] = await sql<CityEntry[]>`select ${columns(sql)} from replication_peers where site = ${city}`;
  return entry;
}

export async function listCities(sql: Sql): Promise<CityEntry[]> {
  return sql<CityEntry[]>`select ${columns(sql)} from replication_peers order by site`;
}

/** Whether an active city may sign with `version`: its current key, or the one before it during the grace after a rotation. */
export function acceptsKeyVersion(entry: CityEntry, version: number, now = new Date()): boolean {
  if (entry.status !== 'active') return false;
  if (version === entry.keyVersion) return true;
  return version === entry.previousKeyVersion && entry.previousKeyUntil !== null && entry.previousKeyUntil > now;
}

/** Remembers the key version a city signs with, so HQ signs to it with the same (written only when it changes). */
export async function notePresentedKeyVersion(sql: Sql, city: string, version: number): Promise<void> {
  await sql`update replication_peers set presented_key_version = ${version} where site = ${city} and presented_key_version <> ${version}`;
}

export class RegistrationRefused extends Error {}

/**
 * Adds a city, or confirms one already known. `allowed` says whether HQ may call a city at that
 * address. A known city's address never changes through registration (an operator changes it in
 * HQ's configuration, `CRASHDESK_PEERS=city=url`, which HQ writes over the registered address when
 * it starts: configureCity below); registering again with the same address, or none, is harmless.
 */
export async function registerCity(sql: Sql, city: string, url: string | undefined, allowed: (city: string, url: string) => boolean): Promise<void> {
  if (url !== undefined && !allowed(city, url)) throw new RegistrationRefused(`${url} is not an address hq may call for ${city}`);
  await sql.begin(async (tx) => {
    // Exclusive against every change at HQ queuing itself (outbox.ts): see PEERS_LOCK.
    await tx`select pg_advisory_xact_lock(${PEERS_LOCK})`;
    const [known] = await tx<{ url: string | null; status: string }[]>`select url, status from replication_peers where site = ${city} for update`;
    if (known?.status === 'revoked') throw new RegistrationRefused(`${city} is revoked`);
    if (known?.url && url !== undefined && known.url !== url) throw new RegistrationRefused(`${city} is registered at another address`);
    await tx`
      insert into replication_peers (site, url) values (${city}, ${url ?? null})
      on conflict (site) do update set url = coalesce(replication_peers.url, excluded.url)`;
  });
}

/** Configuration names a city's address: it is set as configured, also over a registered one. */
export async function configureCity(sql: Sql, city: string, url: string | undefined): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${PEERS_LOCK})`;
    await tx`
      insert into replication_peers (site, url) values (${city}, ${url ?? null})
      on conflict (site) do update set url = coalesce(excluded.url, replication_peers.url)`;
  });
}

export async function revokeCity(sql: Sql, city: string): Promise<boolean> {
  const { count } = await sql`update replication_peers set status = 'revoked', revoked_at = now() where site = ${city} and status = 'active'`;
  return count > 0;
}

export async function reinstateCity(sql: Sql, city: string): Promise<boolean> {
  const { count } = await sql`update replication_peers set status = 'active', revoked_at = null where site = ${city} and status = 'revoked'`;
  return count > 0;
}

/** Moves a city to its next key version; the current one keeps working for `graceMs`. Returns the new version. */
export async function rotateCityKey(sql: Sql, city: string, graceMs: number): Promise<number | undefined> {
  const [rotated] = await sql<{ keyVersion: number }[]>`
    update replication_peers set
      previous_key_version = key_version,
      previous_key_until = now() + make_interval(secs => ${graceMs / 1000}),
      key_version = key_version + 1
    where site = ${city}
    returning key_version as "keyVersion"`;
  return rotated?.keyVersion;
}
