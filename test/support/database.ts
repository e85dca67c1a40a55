import { randomBytes } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { inject } from 'vitest';
import { migrate } from '../../api/db/migrate.js';

/** A database as its owner reaches it. */
export interface TestDatabase {
  /** The owner's connection: what a test inspects the database through (and tampers with it, as an owner could). */
  readonly sql: Sql;
  /** The owner's URL: a site's DATABASE_OWNER_URL. */
  readonly url: string;
  drop(): Promise<void>;
}

/** A database with, beside its owner, a login role of its own for the application, as every site has. */
export interface SiteTestDatabase extends TestDatabase {
  /** The application's URL (a site's DATABASE_URL): a role with no rights until the owner grants them (startSite does). */
  readonly appUrl: string;
  readonly appRole: string;
}

export function databaseUrl(name: string): string {
  return inject('postgresUrlTemplate').replace('{db}', name);
}
const runServerUrl = databaseUrl;

/** `url` with another login. */
function loginAs(url: string, role: string, password: string): string {
  const login = new URL(url);
  login.username = role;
  login.password = password;
  return login.toString();
}

/**
 * A fresh database of its own for one test file, on the run's PostgreSQL server, owned by a role
 * that is no superuser (as a CloudNativePG database's owner), beside a separate application role;
 * migrated by the owner unless `migrated: false`.
 */
export async function createTestDatabase(
  options: { migrated?: boolean; /** Another server than the run's: its superuser's URL of a database. */ server?: (database: string) => string } = {},
): Promise<SiteTestDatabase> {
  const databaseUrl = options.server ?? runServerUrl;
  const name = `t_${randomBytes(6).toString('hex')}`;
  const [owner, appRole] = [`${name}_owner`, `${name}_app`];
  const password = randomBytes(16).toString('hex');
  const admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => undefined });
  // DDL takes no bind parameters; the names and the password are generated here.
  // Beside owning the database, only CHECKPOINT (tests that look at what reached the disk need it).
  await admin.unsafe(`create role ${owner} login password '${password}' in role pg_checkpoint`);
  await admin.unsafe(`create role ${appRole} login password '${password}'`);
  await admin`create database ${admin(name)} owner ${admin(owner)}`;
  const url = loginAs(databaseUrl(name), owner, password);
  const sql = postgres(url, { max: 10, onnotice: () => undefined });
  if (options.migrated ?? true) await migrate(sql);
  return {
    sql,
    url,
    appUrl: loginAs(databaseUrl(name), appRole, password),
    appRole,
    async drop() {
      await sql.end();
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.unsafe(`drop role if exists ${appRole}`);
      await admin.unsafe(`drop role if exists ${owner}`);
      await admin.end();
    },
  };
}

/**
 * Gives a database of another server an application role of its own; `db.sql` must be allowed to
 * create roles (that server's superuser). The role lives as long as the server.
 */
export async function withApplicationRole(db: TestDatabase): Promise<SiteTestDatabase> {
  const appRole = `app_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(16).toString('hex');
  await db.sql.unsafe(`create role ${appRole} login password '${password}'`);
  return { ...db, appUrl: loginAs(db.url, appRole, password), appRole };
}
