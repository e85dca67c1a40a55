import { randomBytes } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { inject } from 'vitest';
import { migrate } from '../../api/db/migrate.js';

export interface TestDatabase {
  readonly sql: Sql;
  readonly url: string;
  drop(): Promise<void>;
}

export function databaseUrl(name: string): string {
  return inject('postgresUrlTemplate').replace('{db}', name);
}

/** A fresh, migrated database of its own for one test file, on the run's PostgreSQL server. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => undefined });
  await admin`create database ${admin(name)}`;
  const url = databaseUrl(name);
  const sql = postgres(url, { max: 10, onnotice: () => undefined });
  if (options.migrated ?? true) await migrate(sql);
  return {
    sql,
    url,
    async drop() {
      await sql.end();
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end();
    },
  };
}
