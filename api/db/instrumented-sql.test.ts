import postgres, { type Sql } from 'postgres';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { instrumentSql } from './instrumented-sql.js';
import { databaseMetrics } from './metrics.js';

describe('the instrumented pool', () => {
  let db: TestDatabase;
  let pool: Sql;
  let registry: Registry;
  let sql: Sql;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = postgres(db.url, { max: 2, onnotice: () => undefined });
    registry = new Registry();
    sql = instrumentSql(pool, databaseMetrics(registry, 'london'));
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const { values } = await registry.getSingleMetric(name)!.get();
    const wanted = { site: 'london', ...labels };
    return values
      .filter((sample) => Object.entries(wanted).every(([key, expected]) => String(sample.labels[key]) === expected))
      .reduce((sum, sample) => sum + sample.value, 0);
  }
  /** How many a histogram observed with the outcome. */
  async function count(name: string, outcome: string) {
    const { values } = await registry.getSingleMetric(name)!.get();
    return (
      (values as { metricName?: string; labels: Record<string, unknown>; value: number }[]).find(
        (sample) => sample.metricName === `${name}_count` && sample.labels.outcome === outcome,
      )?.value ?? 0
    );
  }

  it('answers queries as the pool does, and times each one by outcome', async () => {
    const ok = await count('crashdesk_db_query_duration_seconds', 'ok');
    const [row] = await sql<{ answer: number }[]>`select ${41}::int + 1 as answer`;
    expect(row?.answer).toBe(42);
    expect(await count('crashdesk_db_query_duration_seconds', 'ok')).toBe(ok + 1);

    const failed = await count('crashdesk_db_query_duration_seconds', 'error');
    await expect(sql`select * from no_such_table`).rejects.toThrow(/no_such_table/);
    expect(await count('crashdesk_db_query_duration_seconds', 'error')).toBe(failed + 1);
  });

  it('counts a query awaited twice once, and a fragment never run not at all', async () => {
    const ok = await count('crashdesk_db_query_duration_seconds', 'ok');
    const query = sql`select 1 as one where true ${sql`and 1 = 1`}`;
    await query;
    await query;
    expect(await count('crashdesk_db_query_duration_seconds', 'ok')).toBe(ok + 1);
  });

  it('times a transaction as one, its queries each, and rolls back what failed', async () => {
    await sql`create table if not exists kept (n int)`;
    const before = {
      transactions: await count('crashdesk_db_transaction_duration_seconds', 'ok'),
      queries: await count('crashdesk_db_query_duration_seconds', 'ok'),
    };
    await sql.begin(async (tx) => {
      await tx`insert into kept values (1)`;
      await tx`insert into kept values (2)`;
    });
    expect(await count('crashdesk_db_transaction_duration_seconds', 'ok')).toBe(before.transactions + 1);
    expect(await count('crashdesk_db_query_duration_seconds', 'ok')).toBeGreaterThanOrEqual(before.queries + 2);

    const rolledBack = await count('crashdesk_db_transaction_duration_seconds', 'error');
    await expect(sql.begin(async (tx) => tx`insert into kept values (${'not a number'})`)).rejects.toThrow();
    expect(await count('crashdesk_db_transaction_duration_seconds', 'error')).toBe(rolledBack + 1);
    expect((await sql<{ n: number }[]>`select n from kept order by n`).map((row) => row.n)).toEqual([1, 2]);
  });

  it('reports connections in use up to the pool size, and the rest as waiting, while they run', async () => {
    const running = [0.3, 0.3, 0.3].map((seconds) => sql`select pg_sleep(${seconds})`.then(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await value('crashdesk_db_pool_connections', { state: 'in_use' })).toBe(2);
    expect(await value('crashdesk_db_pool_connections', { state: 'available' })).toBe(0);
    expect(await value('crashdesk_db_pool_waiting')).toBe(1);
    await Promise.all(running);
    expect(await value('crashdesk_db_pool_connections', { state: 'in_use' })).toBe(0);
    expect(await value('crashdesk_db_pool_connections', { state: 'available' })).toBe(2);
    expect(await value('crashdesk_db_pool_waiting')).toBe(0);
  });
});
