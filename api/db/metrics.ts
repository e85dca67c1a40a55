import { Gauge, Histogram, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A pool's state as its door counts it: queries and transactions not yet answered, and its size. */
export interface PoolState {
  readonly inFlight: number;
  readonly size: number;
}

const databaseMetricsOf = perRegistry((registry: Registry) => {
  // The pool gauges read every site's pool when scraped instead of being set on every query: the
  // count moves twice a query, a scrape comes every 30 s.
  const pools = new Map<string, () => PoolState>();
  return {
    pools,
    connections: new Gauge({
      name: 'crashdesk_db_pool_connections',
      help: "Connections of the site's pool by state: in_use (held by a query or a transaction) or available (idle, or not opened yet); together the pool's size",
      labelNames: ['site', 'state'] as const,
      registers: [registry],
      collect() {
        for (const [site, read] of pools) {
          const { inFlight, size } = read();
          const inUse = Math.min(inFlight, size);
          this.set({ site, state: 'in_use' }, inUse);
          this.set({ site, state: 'available' }, size - inUse);
        }
      },
    }),
    waiting: new Gauge({
      name: 'crashdesk_db_pool_waiting',
      help: "Queries and transactions waiting for a connection of the site's pool (issued while every connection is in use)",
      labelNames: ['site'] as const,
      registers: [registry],
      collect() {
        for (const [site, read] of pools) {
          const { inFlight, size } = read();
          this.set({ site }, Math.max(inFlight - size, 0));
        }
      },
    }),
    queryDuration: new Histogram({
      name: 'crashdesk_db_query_duration_seconds',
      help: 'Time from issuing a query to its answer, including any wait for a connection, by outcome (ok, error)',
      labelNames: ['site', 'outcome'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    transactionDuration: new Histogram({
      name: 'crashdesk_db_transaction_duration_seconds',
      help: 'Time from beginning a transaction to its commit or rollback, including any wait for a connection, by outcome (ok, error)',
      labelNames: ['site', 'outcome'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
});

export type Outcome = 'ok' | 'error';

/** What one site's pool reports: how many hold or wait for a connection, and how long each took. */
export interface DatabaseMetrics {
  /** The pool gauges read `read` at each scrape (the site's latest pool, should it be opened again). */
  readonly watchPool: (read: () => PoolState) => void;
  readonly query: (outcome: Outcome, seconds: number) => void;
  readonly transaction: (outcome: Outcome, seconds: number) => void;
}

export function databaseMetrics(registry: Registry, site: string): DatabaseMetrics {
  const metrics = databaseMetricsOf(registry);
  for (const outcome of ['ok', 'error'] as const) {
    metrics.queryDuration.zero({ site, outcome });
    metrics.transactionDuration.zero({ site, outcome });
  }
  return {
    watchPool: (read) => void metrics.pools.set(site, read),
    query: (outcome, seconds) => metrics.queryDuration.observe({ site, outcome }, seconds),
    transaction: (outcome, seconds) => metrics.transactionDuration.observe({ site, outcome }, seconds),
  };
}
