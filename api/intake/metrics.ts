import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';

const OUTCOMES = ['done', 'retried', 'failed', 'lease-lost'] as const;

export interface IntakeMetrics {
  readonly jobs: { inc(labels: { outcome: (typeof OUTCOMES)[number] }): void };
  readonly duration: { observe(seconds: number): void };
}

/** The intake queue's series: outcomes and drafting time per site, and its depth read when scraped. */
export const intakeMetrics = perRegistry((registry: Registry) => {
  const jobs = new Counter({
    name: 'crashdesk_intake_jobs_total',
    help: 'Intake attempts by outcome: done, retried (failed, will run again), failed (no attempts left), lease-lost.',
    labelNames: ['site', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'crashdesk_intake_draft_duration_seconds',
    help: 'Time to draft one intake, from claim to stored draft.',
    labelNames: ['site'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const sources = new Map<string, () => Promise<{ queued: number; running: number }>>();
  new Gauge({
    name: 'crashdesk_intake_queue_jobs',
    help: 'Intakes waiting (queued) or being drafted (running).',
    labelNames: ['site', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [site, depth] of sources) {
        const { queued, running } = await depth().catch(() => ({ queued: Number.NaN, running: Number.NaN }));
        this.set({ site, status: 'queued' }, queued);
        this.set({ site, status: 'running' }, running);
      }
    },
  });
  return (site: string, depth: () => Promise<{ queued: number; running: number }>): IntakeMetrics => {
    sources.set(site, depth);
    // Every outcome from 0, so a panel shows 0, not "no data", before the first job.
    for (const outcome of OUTCOMES) jobs.inc({ site, outcome }, 0);
    duration.zero({ site });
    return {
      jobs: { inc: (labels) => jobs.inc({ site, ...labels }) },
      duration: { observe: (seconds) => duration.observe({ site }, seconds) },
    };
  };
});
