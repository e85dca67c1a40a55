import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';

export interface PeerLag {
  readonly peer: string;
  readonly backlogRows: number;
  readonly lagSeconds: number;
}

type LagSource = () => Promise<{ site: string; peers: readonly PeerLag[] }>;

export type ReplicationMetrics = ReturnType<typeof createMetrics>;

function createMetrics(registry: Registry) {
  const sources = new Set<LagSource>();
  // The lag gauges read the outbox when scraped, so they are exact at every scrape and cost
  // nothing between scrapes. In the local platform, every site of the process reports into them.
  // The registry collects gauges concurrently, so each reads for itself.
  const collector = (pick: (peer: PeerLag) => number) =>
    async function (this: Gauge<'site' | 'peer'>) {
      this.reset();
      const reports = await Promise.allSettled([...sources].map((source) => source()));
      for (const report of reports) {
        if (report.status !== 'fulfilled') continue;
        for (const peer of report.value.peers) this.set({ site: report.value.site, peer: peer.peer }, pick(peer));
      }
    };
  new Gauge({
    name: 'crashdesk_replication_lag_seconds',
    help: 'Age of the oldest change not yet delivered to the peer (0 when none waits)',
    labelNames: ['site', 'peer'] as const,
    registers: [registry],
    collect: collector((peer) => peer.lagSeconds),
  });
  new Gauge({
    name: 'crashdesk_replication_backlog_rows',
    help: 'Outbox rows waiting for delivery to the peer',
    labelNames: ['site', 'peer'] as const,
    registers: [registry],
    collect: collector((peer) => peer.backlogRows),
  });
  return {
    sources,
    batchSeconds: new Histogram({
      name: 'crashdesk_replication_batch_duration_seconds',
      help: 'Time to send one batch to the peer and have it applied, by outcome',
      labelNames: ['site', 'peer', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'crashdesk_replication_failures_total',
      help: 'Batches (or backfill pages) that failed and will be retried after a back-off',
      labelNames: ['site', 'peer'] as const,
      registers: [registry],
    }),
    shipped: new Counter({
      name: 'crashdesk_replication_shipped_reports_total',
      help: 'Report states delivered to the peer',
      labelNames: ['site', 'peer'] as const,
      registers: [registry],
    }),
    refused: new Counter({
      name: 'crashdesk_replication_refused_total',
      help: 'Replicated states refused because the sending peer may not send them (wrong origin, a version jump, a time ahead of this clock, invalid fields), by reason',
      labelNames: ['site', 'peer', 'reason'] as const,
      registers: [registry],
    }),
    applied: new Counter({
      name: 'crashdesk_replication_applied_reports_total',
      help: "Report states received from the peer that replaced this site's state",
      labelNames: ['site', 'peer'] as const,
      registers: [registry],
    }),
  };
}

/** One set of replication metrics per registry, shared by every site of the process. */
export const replicationMetrics: (registry: Registry) => ReplicationMetrics = perRegistry(createMetrics);
