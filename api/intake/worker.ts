// Drafts queued intakes: each replica runs a few of these loops. A loop claims a due job, runs the
// extractor under a deadline, and stores the draft, or puts the job back with exponential back-off,
// or after the last attempt ends it `failed` with a reason. New intakes wake idle loops through
// LISTEN; polling stays as the fallback and picks up jobs whose worker died (their lease ran out).
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { ExtractionError, type Extractor } from './extractor.js';
import type { IntakeMetrics } from './metrics.js';
import { type ClaimedJob, INTAKE_CHANNEL, type IntakeError, type IntakeStore } from './store.js';

export interface IntakeWorkerOptions {
  readonly sql: Sql;
  readonly store: IntakeStore;
  readonly extractor: Extractor;
  readonly logger: Logger;
  readonly metrics?: IntakeMetrics;
  /** Jobs drafted at once by this process. */
  readonly concurrency: number;
  /** How long one attempt may take before it counts as failed. */
  readonly attemptTimeoutMs: number;
  readonly maxAttempts: number;
  /** The first retry's delay; each later one doubles it. */
  readonly retryDelaySeconds: number;
  /** How often an idle loop looks for due jobs without being woken. */
  readonly pollIntervalMs: number;
}

export interface IntakeWorker {
  start(): Promise<void>;
  /** Finishes the jobs in hand (each within its deadline), then stops. */
  stop(): Promise<void>;
}

/** The delay before attempt `attempts + 1`: 1, 2, 4, … times the first delay, with up to 20% jitter so retries spread. */
export function retryDelay(firstDelaySeconds: number, attempts: number): number {
  const base = firstDelaySeconds * 2 ** Math.max(0, attempts - 1);
  return Math.min(3600, base * (1 + Math.random() * 0.2));
}

export function createIntakeWorker(options: IntakeWorkerOptions): IntakeWorker {
  const { store, extractor, logger } = options;
  let stopping = false;
  let listening: { unlisten(): Promise<void> } | undefined;
  const loops: Promise<void>[] = [];
  const sleepers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of sleepers) wake();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  async function runJob(job: ClaimedJob): Promise<void> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(options.attemptTimeoutMs);
    try {
      const extraction = await Promise.race([
        extractor.extract({ transcript: job.transcript, callDate: job.callDate, language: job.language }, deadline),
        new Promise<never>((_, reject) => deadline.addEventListener('abort', () => reject(new AttemptTimedOut()), { once: true })),
      ]);
      const stored = await store.complete(job, extraction, extraction.source ?? extractor.name);
      options.metrics?.jobs.inc({ outcome: stored ? 'done' : 'lease-lost' });
      options.metrics?.duration.observe((performance.now() - started) / 1000);
      if (!stored) logger.warn({ intake: job.id }, 'an intake was drafted after its lease ran out; the worker that took it over keeps it');
    } catch (cause) {
      const error: IntakeError =
        cause instanceof AttemptTimedOut
          ? { code: 'timed-out', detail: `drafting took longer than ${options.attemptTimeoutMs} ms` }
          : { code: 'extractor-failed', detail: `the ${extractor.name} extractor failed: ${describe(cause)}` };
      const last = job.attempts >= options.maxAttempts;
      await store.release(job, error, last ? undefined : retryDelay(options.retryDelaySeconds, job.attempts));
      options.metrics?.jobs.inc({ outcome: last ? 'failed' : 'retried' });
      // The error's message only: an extractor's error could quote the transcript in its details.
      logger.warn(
        { intake: job.id, attempt: job.attempts, code: error.code, final: last },
        last ? 'an intake failed for good' : 'an intake failed; it will be retried',
      );
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      try {
        const job = await store.claim();
        if (job) await runJob(job);
        else await sleep(options.pollIntervalMs);
      } catch (error) {
        // The database went away or a seal failed: the job, if any, stays leased and is taken again once its lease ends.
        logger.warn({ err: error }, 'the intake worker could not claim or store a job; trying again');
        await sleep(options.pollIntervalMs);
      }
    }
  }

  return {
    async start() {
      listening = await options.sql.listen(INTAKE_CHANNEL, wakeAll);
      for (let i = 0; i < options.concurrency; i++) loops.push(loop());
    },
    async stop() {
      stopping = true;
      wakeAll();
      await listening?.unlisten().catch((error: unknown) => logger.warn({ err: error }, 'stopping to listen for intakes failed'));
      await Promise.all(loops);
    },
  };
}

class AttemptTimedOut extends Error {}

/** Our own failures in their words; anything else by its class only, so no transcript reaches the row or the log. */
function describe(cause: unknown): string {
  if (cause instanceof ExtractionError) return cause.message;
  return cause instanceof Error ? `${cause.name} (details withheld: they may quote the call)` : 'it threw a value that is not an Error';
}
