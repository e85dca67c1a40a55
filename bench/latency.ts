/** At most this many samples are kept per scenario (a bound on memory; far above what a run produces). */
const MAX_SAMPLES = 5_000_000;

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Every latency of a run, in milliseconds, for exact percentiles (autocannon's histogram has no p95). */
export function createLatencyRecorder() {
  let samples = new Float64Array(64 * 1024);
  let count = 0;
  let dropped = 0;
  return {
    record(ms: number) {
      if (count === samples.length) {
        if (count >= MAX_SAMPLES) {
          dropped += 1;
          return;
        }
        const grown = new Float64Array(Math.min(MAX_SAMPLES, count * 2));
        grown.set(samples);
        samples = grown;
      }
      samples[count++] = ms;
    },
    /** Every sample recorded, in recording order. */
    samples(): Float64Array {
      if (dropped > 0) throw new Error(`${dropped} latency samples did not fit in ${MAX_SAMPLES}; shorten the run`);
      return samples.slice(0, count);
    },
    summary(): LatencySummary {
      return summariseLatencies(this.samples());
    },
  };
}

/** Exact percentiles of samples, which may come from several runs (it sorts them in place). */
export function summariseLatencies(samples: Float64Array): LatencySummary {
  const sorted = samples.sort();
  const count = sorted.length;
  // Nearest rank: the smallest sample with at least p% of samples at or below it.
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * count) - 1)] ?? Number.NaN;
  return { count, p50: at(50), p95: at(95), p99: at(99), max: sorted[count - 1] ?? Number.NaN };
}
