import { createLatencyRecorder, type LatencySummary } from './latency.js';

export interface ClosedLoopOptions {
  readonly workers: number;
  readonly durationSeconds: number;
  /** A second bound besides time, so a broken clock or a no-op cannot loop forever. */
  readonly maxOperations?: number;
}

export interface ClosedLoopResult {
  readonly completed: number;
  readonly seconds: number;
  readonly operationsPerSecond: number;
  readonly latency: LatencySummary;
}

/**
 * The floor's load generator: `workers` loops, each awaiting one operation at a time, like
 * autocannon's connections with one request in flight. Any failed operation fails the run.
 */
export async function runClosedLoop(operation: () => Promise<unknown>, options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latencies = createLatencyRecorder();
  const maxOperations = options.maxOperations ?? 5_000_000;
  let started = 0;
  const begin = performance.now();
  const deadline = begin + options.durationSeconds * 1000;

  async function worker() {
    while (performance.now() < deadline && started < maxOperations) {
      started += 1;
      const t0 = performance.now();
      await operation();
      latencies.record(performance.now() - t0);
    }
  }

  await Promise.all(Array.from({ length: options.workers }, worker));
  const seconds = (performance.now() - begin) / 1000;
  const latency = latencies.summary();
  return { completed: latency.count, seconds, operationsPerSecond: latency.count / seconds, latency };
}
