import { Gauge, Histogram, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const databaseMetricsOf = perRegistry((registry: Registry) => ({
  connections: new Gauge({
    name: 'crashdesk_db_pool_connections',
    help: "Connections of the site's pool by state: in_use (held by a query or a transaction) or available (idle, or not opened yet); together the pool's size",
    labelNames: ['site', 'state'] as const,
    registers: [registry],
  }),
  waiting: new Gauge({
    name: 'crashdesk_db_pool_waiting',
    help: "Queries and transactions waiting for a connection of the site's pool (issued while every connection is in use)",
    labelNames: ['site'] as const,
    registers: [registry],
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
}));

export type Outcome = 'ok' | 'error';

/** What one site's pool reports: how many hold or wait for a connection, and how long each took. */
export interface DatabaseMetrics {
  /** `inFlight`: queries and transactions issued on the pool and not yet answered; `size`: the pool's connections. */
  readonly pool: (inFlight: number, size: number) => void;
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
    pool(inFlight, size) {
      const inUse = Math.min(inFlight, size);
      metrics.connections.set({ site, state: 'in_use' }, inUse);
      metrics.connections.set({ site, state: 'available' }, size - inUse);
      metrics.waiting.set({ site }, Math.max(inFlight - size, 0));
    },
    query: (outcome, seconds) => metrics.queryDuration.observe({ site, outcome }, seconds),
    transaction: (outcome, seconds) => metrics.transactionDuration.observe({ site, outcome }, seconds),
  };
}
