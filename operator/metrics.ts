// The operator's own metrics, in a registry passed in (never the global default).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function operatorMetrics(registry: Registry) {
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
  };
}

export type OperatorMetrics = ReturnType<typeof operatorMetrics>;
