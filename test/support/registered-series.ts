// The series the api and the operator register, as a Prometheus scraping them would name them, for
// the tests that check a query or an alert names only series that exist, by labels they carry.
import { Registry } from 'prom-client';
import { auditMetrics } from '../../api/audit/metrics.js';
import { listCacheMetricsOf } from '../../api/cache/list-cache.js';
import { readReplicaMetricsOf } from '../../api/db/read-routing.js';
import { rateLimitMetricsOf } from '../../api/http/rate-limit.js';
import { loginThrottleMetrics } from '../../api/auth/metrics.js';
import { dataKeyCacheMetrics, vaultMetrics } from '../../api/crypto/metrics.js';
import { databaseMetrics } from '../../api/db/metrics.js';
import { idsMetrics } from '../../api/ids/metrics.js';
import { intakeMetrics } from '../../api/intake/metrics.js';
import { createHttpMetrics } from '../../api/observability/http-metrics.js';
import { collectProcessMetrics } from '../../api/observability/process-metrics.js';
import { replicationMetrics } from '../../api/replication/metrics.js';
import { operatorMetrics } from '../../operator/metrics.js';

/** Labels every series gets from its scrape target (a ServiceMonitor's, or a test's static ones). */
export const TARGET_LABELS = ['namespace', 'instance', 'job', 'pod'] as const;

export interface RegisteredSeries {
  readonly labels: ReadonlySet<string>;
}

/** Series name (with a histogram's _bucket, _count and _sum) → the labels it carries. */
export async function registeredSeries(): Promise<Map<string, RegisteredSeries>> {
  const api = new Registry();
  createHttpMetrics(api);
  replicationMetrics(api);
  databaseMetrics(api, 'london');
  auditMetrics(api, 'london');
  dataKeyCacheMetrics(api, 'london');
  vaultMetrics(api, 'london');
  loginThrottleMetrics(api, 'london');
  idsMetrics(api, 'london');
  intakeMetrics(api)('london', async () => ({ queued: 0, running: 0 }));
  listCacheMetricsOf(api);
  rateLimitMetricsOf(api);
  readReplicaMetricsOf(api);
  collectProcessMetrics(api);
  const operator = new Registry();
  operatorMetrics(operator);

  const series = new Map<string, RegisteredSeries>();
  for (const registry of [api, operator]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      const declared = (registry.getSingleMetric(metric.name) as unknown as { labelNames: readonly string[] }).labelNames;
      // Default metrics declare few labels; what they export (e.g. nodejs_heap_space_size_bytes{space}) counts too.
      const exported = metric.values.flatMap((value) => Object.keys(value.labels));
      const labels = new Set([...declared, ...exported, ...TARGET_LABELS]);
      if (String(metric.type) === 'histogram') {
        series.set(`${metric.name}_bucket`, { labels: new Set([...labels, 'le']) });
        for (const suffix of ['_count', '_sum']) series.set(`${metric.name}${suffix}`, { labels });
      } else {
        series.set(metric.name, { labels });
      }
    }
  }
  return series;
}
