import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { isMigrated, latestMigrationVersion, listMigrations, migrate } from './migrate.js';

describe('migrate', () => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  it('applies every migration exactly once when many replicas start at once', async () => {
    db = await createTestDatabase({ migrated: false });
    const replicas = Array.from({ length: 5 }, () => postgres(db.url, { max: 2, onnotice: () => undefined }));
    const applied = await Promise.all(replicas.map((sql) => migrate(sql)));
    await Promise.all(replicas.map((sql) => sql.end()));

    const versions = (await listMigrations()).map((m) => m.version);
    expect(applied.flat().sort((a, b) => a - b)).toEqual(versions);
    const rows = await db.sql`select version from schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(versions);
    expect(await isMigrated(db.sql, await latestMigrationVersion())).toBe(true);
  });

  it('reports an unmigrated database as not migrated', async () => {
    const fresh = await createTestDatabase({ migrated: false });
    try {
      expect(await isMigrated(fresh.sql, await latestMigrationVersion())).toBe(false);
    } finally {
      await fresh.drop();
    }
  });
});
