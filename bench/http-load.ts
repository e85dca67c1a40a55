import autocannon, { type AutocannonResult } from 'autocannon';
import { createLatencyRecorder, type LatencySummary } from './latency.js';

export interface HttpScenario {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** A fresh request target (and body) for every request, so caches see realistic variety. */
  next(): { readonly path: string; readonly body?: string };
}

export interface HttpRunOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface HttpRunResult {
  readonly completed: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latency: LatencySummary;
  /** The latency of every 2xx response, so runs can be pooled. */
  readonly samples: Float64Array;
  readonly non2xx: number;
  readonly errors: number;
  readonly statusCodes: Readonly<Record<string, number>>;
}

/** One closed-loop autocannon run: `connections` keep-alive connections, each with one request in flight. */
export async function runHttpScenario(scenario: HttpScenario, options: HttpRunOptions): Promise<HttpRunResult> {
  const latencies = createLatencyRecorder();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: 10,
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        requests: [
          {
            method: scenario.method,
            setupRequest: (request) => {
              const { path, body } = scenario.next();
              return body === undefined ? { ...request, path } : { ...request, path, body };
            },
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.record(ms);
    });
  });
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  return {
    completed: result['2xx'],
    seconds: result.duration,
    requestsPerSecond: result['2xx'] / result.duration,
    samples: latencies.samples(),
    latency: latencies.summary(),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts + result.resets + result.mismatches,
    statusCodes,
  };
}

/** A benchmark of failing requests measures nothing: any non-2xx or socket error ends the run. */
export function assertClean<T extends { non2xx: number; errors: number; statusCodes: Readonly<Record<string, number>> }>(name: string, run: T): T {
  if (run.non2xx > 0 || run.errors > 0) {
    throw new Error(`${name}: ${run.non2xx} non-2xx responses and ${run.errors} errors (status codes ${JSON.stringify(run.statusCodes)})`);
  }
  return run;
}
