// The operator dashboard: whether Cities are being reconciled, how fast, by whom, and what the
// operator asks of the Kubernetes API.
import { type DashboardSpec, inNamespace, inSite, quantiles, RATE } from './panels.js';

export const operatorDashboard: DashboardSpec = {
  uid: 'crashdesk-operator',
  title: 'crashdesk / Operator',
  description: 'The City operator: reconciles and their errors, duration, the work queue, the leader, requests to the Kubernetes API and the Cities it runs.',
  scope: { namespacesFrom: 'crashdesk_operator_leader', sitesFrom: 'crashdesk_operator_city_replicas' },
  sections: [
    {
      row: 'Reconciles',
      panels: [
        {
          title: 'Reconciles per second by result',
          description: 'success, requeue (a later look is scheduled) or error (retried with back-off).',
          unit: 'ops',
          queries: [{ expr: `sum by (result) (rate(crashdesk_operator_reconciles_total${inNamespace()}${RATE}))`, legend: '{{result}}' }],
        },
        {
          title: 'Reconcile errors per second',
          description: 'Reconciles that failed; the City says why in its conditions and events.',
          unit: 'ops',
          queries: [{ expr: `sum by (instance) (rate(crashdesk_operator_reconcile_errors_total${inNamespace()}${RATE}))`, legend: '{{instance}}' }],
        },
        {
          title: 'Reconcile duration (p50, p95, p99)',
          description: 'Time for one City reconcile, Vault and the Kubernetes API included.',
          unit: 's',
          queries: quantiles('crashdesk_operator_reconcile_duration_seconds', inNamespace(), []),
        },
        {
          title: 'Work queue depth',
          description: 'Cities waiting to be reconciled; only the leader drains the queue.',
          unit: 'short',
          queries: [{ expr: `max by (instance) (crashdesk_operator_queue_depth${inNamespace()})`, legend: '{{instance}}' }],
        },
      ],
    },
    {
      row: 'Replicas and the Kubernetes API',
      panels: [
        {
          title: 'Leader',
          description: '1 for the replica holding the leader lease: exactly one should.',
          unit: 'short',
          queries: [{ expr: `max by (instance) (crashdesk_operator_leader${inNamespace()})`, legend: '{{instance}}' }],
        },
        {
          title: 'Kubernetes API requests per second by verb',
          description: 'What the operator asks of the API server (watches, reads, server-side applies, status patches).',
          unit: 'reqps',
          queries: [{ expr: `sum by (verb) (rate(crashdesk_operator_kube_requests_total${inNamespace()}${RATE}))`, legend: '{{verb}}' }],
        },
        {
          title: "Cities' api replicas (desired and ready)",
          description: "Each City's api Deployment as the watch of the operator in this namespace sees it (city_namespace: the City's own).",
          unit: 'short',
          queries: [
            {
              expr: `max by (city_namespace, site, state) (crashdesk_operator_city_replicas${inSite()})`,
              legend: '{{site}} {{state}}',
            },
          ],
        },
      ],
    },
  ],
};
