import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { UTC_MILLIS } from './timestamps.js';

describe('UTC_MILLIS', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("formats a timestamptz exactly as the driver's Date and toISOString() would, below the millisecond and whatever offset it was written with", async () => {
    const times = [
      '2026-12-01 12:34:56.789999+00',
      '2026-12-01 23:59:59.999999+00',
      '2026-01-01 00:00:00.000001+00',
      '2026-06-30 23:30:00.5+01:30',
      '2024-02-29 08:00:00+00',
      '1999-12-31 23:59:59.9995-08',
    ];
    const rows = await db.sql<{ at: Date; text: string }[]>`
      select t::timestamptz as at, to_char(t::timestamptz at time zone 'UTC', ${UTC_MILLIS}) as text
      from unnest(${times}::text[]) as t`;
    expect(rows).toHaveLength(times.length);
    for (const row of rows) expect(row.text).toBe(row.at.toISOString());
  });
});
