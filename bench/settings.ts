import { availableParallelism } from 'node:os';
import { z } from 'zod';

const positive = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * The benchmark's knobs, all from the environment. The defaults are the published run; a smoke run
 * is `BENCH_ROWS=20000 BENCH_DURATION=3 npm run bench`.
 */
const settingsSchema = z.object({
  /** Reports bulk-loaded before any measurement. */
  BENCH_ROWS: positive(1_000_000, 10_000_000),
  /** Measured seconds per scenario. */
  BENCH_DURATION: positive(15, 600),
  /** Unmeasured seconds per scenario first, so the JIT, the pool and the caches are warm. */
  BENCH_WARMUP: z.coerce.number().int().min(0).max(60).optional(),
  /** Concurrent HTTP connections (autocannon) and concurrent workers (raw-driver floor). */
  BENCH_CONNECTIONS: positive(32, 1024),
  /** Connections in the site's pool, and in the floor's pool: the API's DATABASE_POOL_SIZE default. */
  BENCH_POOL_SIZE: positive(20, 200),
  /** Scenario `encryption`: reports loaded into each of its two site databases. */
  BENCH_ENCRYPTION_ROWS: positive(200_000, 10_000_000),
  /** Scenario `encryption`: measured runs per route and site, alternating between the sites. */
  BENCH_ENCRYPTION_ROUNDS: positive(2, 20),
  /** Scenario `api`: site processes sharing one port and the pool (as a Deployment's replicas share a Service); one per core by default. */
  BENCH_SITE_PROCESSES: positive(availableParallelism(), 16),
  /** Scenario `api`: seconds of the site's CPU profile per route, taken in an unmeasured run after the warm-up (0: none). */
  BENCH_PROFILE_SECONDS: z.coerce.number().int().min(0).max(120).default(5),
});

export interface BenchSettings {
  readonly rows: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly poolSize: number;
  readonly encryptionRows: number;
  readonly encryptionRounds: number;
  readonly profileSeconds: number;
  readonly siteProcesses: number;
}

export function loadBenchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid benchmark settings:\n${problems.join('\n')}`);
  }
  const s = parsed.data;
  return {
    rows: s.BENCH_ROWS,
    durationSeconds: s.BENCH_DURATION,
    warmupSeconds: s.BENCH_WARMUP ?? Math.min(3, Math.ceil(s.BENCH_DURATION / 3)),
    connections: s.BENCH_CONNECTIONS,
    poolSize: s.BENCH_POOL_SIZE,
    encryptionRows: s.BENCH_ENCRYPTION_ROWS,
    encryptionRounds: s.BENCH_ENCRYPTION_ROUNDS,
    profileSeconds: s.BENCH_PROFILE_SECONDS,
    siteProcesses: s.BENCH_SITE_PROCESSES,
  };
}
