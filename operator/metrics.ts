// The operator's own metrics, in a registry passed in (never the global default).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** One City's api Deployment as the watch cache holds it. */
export interface CityReplicas {
  readonly namespace: string;
  readonly site: string;
  readonly desired: number;
  readonly ready: number;
}

export function operatorMetrics(registry: Registry) {
  let cities: () => readonly CityReplicas[] = () => [];
  return {
    reconciles: new Counter({
      name: 'crashdesk_operator_reconciles_total',
      help: 'City reconciles, by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: 'crashdesk_operator_reconcile_errors_total',
      help: 'City reconciles that failed and were requeued with back-off',
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'crashdesk_operator_reconcile_duration_seconds',
      help: 'Duration of one City reconcile',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'crashdesk_operator_queue_depth', help: 'Cities waiting in the work queue', registers: [registry] }),
    kubeRequests: new Counter({
      name: 'crashdesk_operator_kube_requests_total',
      help: 'Requests to the Kubernetes API, by HTTP verb and resource',
      labelNames: ['verb', 'resource'] as const,
      registers: [registry],
    }),
    leader: new Gauge({ name: 'crashdesk_operator_leader', help: '1 while this replica holds the leader lease', registers: [registry] }),
    // Read from the watch caches when scraped, so every replica (the standby too) reports them exactly.
    cityReplicas: new Gauge({
      name: 'crashdesk_operator_city_replicas',
      help: "Replicas of each City's api Deployment, by state: desired (its spec, as the autoscaler sets it) and ready (its status)",
      labelNames: ['city_namespace', 'site', 'state'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const city of cities()) {
          this.set({ city_namespace: city.namespace, site: city.site, state: 'desired' }, city.desired);
          this.set({ city_namespace: city.namespace, site: city.site, state: 'ready' }, city.ready);
        }
      },
    }),
    /** Where crashdesk_operator_city_replicas finds the Cities, once their watches run. */
    readCityReplicasFrom(source: () => readonly CityReplicas[]) {
      cities = source;
    },
  };
}

export type OperatorMetrics = ReturnType<typeof operatorMetrics>;
