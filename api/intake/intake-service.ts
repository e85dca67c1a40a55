// Intake assist for one site, assembled: the store, the audited door both front doors use, the
// workers that draft, and the clean-up that deletes intakes past their retention.
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { Registry } from 'prom-client';
import type { AuditRecorder } from '../audit/entry.js';
import type { IntakeSettings } from '../config.js';
import type { FieldCodec } from '../crypto/field-codec.js';
import { createAuditedIntakes } from './audited.js';
import { createBuiltinExtractor } from './builtin/builtin-extractor.js';
import type { Extractor } from './extractor.js';
import { createLlmExtractor } from './llm-extractor.js';
import { intakeMetrics } from './metrics.js';
import { createIntakeStore } from './store.js';
import { createIntakeWorker } from './worker.js';

export const defaultIntakeSettings: IntakeSettings = {
  timezone: 'UTC',
  retentionSeconds: 7 * 24 * 60 * 60,
  concurrency: 2,
  maxAttempts: 4,
  retryDelaySeconds: 5,
  attemptTimeoutMs: 30_000,
};

export interface IntakeServiceOptions {
  readonly sql: Sql;
  readonly site: string;
  readonly codec: FieldCodec;
  readonly audit: AuditRecorder;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly nextId: () => Promise<bigint>;
  readonly settings?: IntakeSettings;
  /** Tests put a failing or slow extractor here; otherwise chosen by the settings. */
  readonly extractor?: Extractor;
}

export type IntakeService = ReturnType<typeof createIntakeService>;

export function createIntakeService(options: IntakeServiceOptions) {
  const settings = options.settings ?? defaultIntakeSettings;
  const logger = options.logger.child({ component: 'intake' });
  const store = createIntakeStore({
    sql: options.sql,
    codec: options.codec,
    nextId: options.nextId,
    retentionSeconds: settings.retentionSeconds,
    // Past one attempt's deadline the worker has given up on it; the margin covers storing the result.
    leaseSeconds: Math.ceil((settings.attemptTimeoutMs * 2) / 1000),
  });
  const builtin = createBuiltinExtractor();
  const extractor = options.extractor ?? (settings.llm ? createLlmExtractor(settings.llm, builtin, logger) : builtin);
  const worker = createIntakeWorker({
    sql: options.sql,
    store,
    extractor,
    logger,
    metrics: intakeMetrics(options.registry)(options.site, () => store.depth()),
    concurrency: settings.concurrency,
    attemptTimeoutMs: settings.attemptTimeoutMs,
    maxAttempts: settings.maxAttempts,
    retryDelaySeconds: settings.retryDelaySeconds,
    pollIntervalMs: 1000,
  });
  // Often enough that an intake outlives its retention by little: a quarter of it, between a second and a minute.
  const purgeEveryMs = Math.min(60_000, Math.max(1000, (settings.retentionSeconds * 1000) / 4));
  let purging: ReturnType<typeof setInterval> | undefined;

  return {
    store,
    audited: createAuditedIntakes({ store, audit: options.audit, timezone: settings.timezone }),
    async start() {
      // About a tenth of a second once, here, instead of on the first Chinese call an agent waits for.
      if (settings.concurrency > 0) extractor.warm?.();
      await worker.start();
      purging = setInterval(() => {
        store
          .purgeExpired()
          .then((deleted) => deleted > 0 && logger.info({ deleted }, 'deleted intakes past their retention'))
          .catch((error: unknown) => logger.warn({ err: error }, 'deleting expired intakes failed; it will run again'));
      }, purgeEveryMs);
      purging.unref();
    },
    async stop() {
      clearInterval(purging);
      await worker.stop();
    },
  };
}
