import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any constant works; it only has to be the same for every replica of every site.
const MIGRATION_LOCK = 7_263_512_391;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly file: string;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file)).sort();
  return files.map((file) => ({
    version: Number(file.slice(0, 3)),
    name: file.slice(4, -4),
    file: `${dir}${file}`,
  }));
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock so that
 * many replicas starting at once apply each migration exactly once; the others wait, then find
 * nothing left to do. Returns the versions this call applied.
 */
export async function migrate(sql: Sql, dir?: string): Promise<number[]> {
  const migrations = await listMigrations(dir);
  const connection = await sql.reserve();
  try {
    await connection`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await connection`
      create table if not exists schema_migrations (
        version    integer primary key,
        name       text not null,
        applied_at timestamptz not null default now()
      )`;
    const rows = await connection<{ version: number }[]>`select version from schema_migrations`;
    const applied = new Set(rows.map((row) => row.version));
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await connection.unsafe('begin');
      try {
        await connection.file(migration.file);
        await connection`insert into schema_migrations (version, name) values (${migration.version}, ${migration.name})`;
        await connection.unsafe('commit');
      } catch (cause) {
        await connection.unsafe('rollback');
        throw new Error(`migration ${migration.version}_${migration.name} failed`, { cause });
      }
      done.push(migration.version);
    }
    return done;
  } finally {
    await connection`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => undefined);
    connection.release();
  }
}

/** The newest migration this build ships; read once at start, not on every readiness probe. */
export async function latestMigrationVersion(dir?: string): Promise<number> {
  return (await listMigrations(dir)).at(-1)?.version ?? 0;
}

/** True when every migration shipped with this build (up to `latest`) has been applied: part of readiness. */
export async function isMigrated(sql: Sql, latest: number): Promise<boolean> {
  const [row] = await sql<{ version: number | null }[]>`
    select max(version) as version from schema_migrations`.catch(() => [{ version: null }]);
  return (row?.version ?? 0) >= latest;
}
