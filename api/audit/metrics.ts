import { Counter, Histogram, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';

const auditMetricsOf = perRegistry((registry: Registry) => ({
  appends: new Counter({
    name: 'crashdesk_audit_appends_total',
    help: "Audit entries appended to the site's chain, by outcome (ok, error); an entry of a change commits or rolls back with its transaction",
    labelNames: ['site', 'outcome'] as const,
    registers: [registry],
  }),
  appendDuration: new Histogram({
    name: 'crashdesk_audit_append_duration_seconds',
    help: "Time to append one audit entry: the statement in the change's transaction, or the wait for and the group commit of its batch",
    labelNames: ['site'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  }),
}));

export interface AuditMetrics {
  appended(outcome: 'ok' | 'error', seconds: number): void;
}

export function auditMetrics(registry: Registry, site: string): AuditMetrics {
  const { appends, appendDuration } = auditMetricsOf(registry);
  appends.inc({ site, outcome: 'ok' }, 0);
  appends.inc({ site, outcome: 'error' }, 0);
  appendDuration.zero({ site });
  return {
    appended(outcome, seconds) {
      appends.inc({ site, outcome });
      appendDuration.observe({ site }, seconds);
    },
  };
}
