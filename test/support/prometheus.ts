import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { type ManagedProcess, freePort, launch, logTail, waitUntil } from '../controlplane/processes.js';

/** One scrape job of static targets; each target's labels are attached to every series it exports. */
export interface ScrapeConfig {
  readonly jobName: string;
  readonly targets: readonly ScrapeTarget[];
  /** Default `/metrics`. */
  readonly metricsPath?: string;
}

export interface ScrapeTarget {
  /** `host:port` */
  readonly address: string;
  /** e.g. `{ namespace, site, pod }`, so that series look like those of a pod in a cluster. */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface PrometheusOptions {
  readonly scrapeConfigs: readonly ScrapeConfig[];
  /** Scrape and rule evaluation interval; default 1 s, so a test sees a change within seconds. */
  readonly intervalSeconds?: number;
  /** Rule files (recording or alerting rules) loaded as they are. */
  readonly ruleFiles?: readonly string[];
}

export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Prometheus {
  /** Base URL, e.g. `http://127.0.0.1:41234`, as KEDA's `serverAddress` or Grafana's data source take it. */
  readonly address: string;
  /** Temporary directory holding the configuration, the TSDB and `prometheus.log`. */
  readonly directory: string;
  /** Instant query; the samples of a vector result (a scalar comes back as one sample without labels). */
  query(expression: string): Promise<PromSample[]>;
  /** Resolves once every configured target has been scraped successfully at least once. */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the real `prometheus` (Debian's package in CI: .ci/run installs it) on a free loopback port
 * in a temporary directory, scraping the static targets given. Fails when the binary is missing
 * rather than letting a test skip.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const binary = await findPrometheus();
  const { intervalSeconds = 1 } = options;
  const directory = await mkdtemp(join(tmpdir(), 'crashdesk-prometheus-'));
  const configFile = join(directory, 'prometheus.yml');
  await writeFile(configFile, stringify(prometheusConfig(options, intervalSeconds)));
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const server: ManagedProcess = launch(
    'prometheus',
    binary,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    directory,
  );
  const stop = async () => {
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await waitUntil('prometheus /-/ready', async () => (await fetch(`${address}/-/ready`)).ok, { watch: [server], timeoutMs: 30_000 });
  } catch (error) {
    const tail = await logTail(server);
    await stop();
    throw new Error(`starting prometheus:\n${tail}`, { cause: error });
  }

  const query = async (expression: string): Promise<PromSample[]> => {
    const response = await fetch(`${address}/api/v1/query?${new URLSearchParams({ query: expression }).toString()}`);
    const body = (await response.json()) as QueryResponse;
    if (body.status !== 'success') throw new Error(`prometheus refused ${expression}: ${body.errorType ?? response.status} ${body.error ?? ''}`);
    const { resultType, result } = body.data;
    if (resultType === 'scalar') return [{ metric: {}, value: Number((result as [number, string])[1]) }];
    if (resultType !== 'vector') throw new Error(`${expression} gave a ${resultType}, not an instant vector`);
    return (result as VectorSample[]).map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
  };

  const waitForTargetsUp = (timeoutMs = 30_000) =>
    waitUntil(
      'every scrape target up',
      async () => {
        const body = (await (await fetch(`${address}/api/v1/targets?state=active`)).json()) as TargetsResponse;
        const targets = body.data.activeTargets;
        const expected = options.scrapeConfigs.reduce((count, job) => count + job.targets.length, 0);
        return targets.length === expected && targets.every((target) => target.health === 'up');
      },
      { watch: [server], timeoutMs },
    );

  return { address, directory, query, waitForTargetsUp, stop };
}

function prometheusConfig(options: PrometheusOptions, intervalSeconds: number) {
  return {
    global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s`, scrape_timeout: `${intervalSeconds}s` },
    ...(options.ruleFiles && { rule_files: [...options.ruleFiles] }),
    scrape_configs: options.scrapeConfigs.map((job) => ({
      job_name: job.jobName,
      metrics_path: job.metricsPath ?? '/metrics',
      // Each target its own group, so that each carries its own labels.
      static_configs: job.targets.map((target) => ({ targets: [target.address], labels: { ...target.labels } })),
    })),
  };
}

async function findPrometheus(): Promise<string> {
  const candidates = process.env.PROMETHEUS ? [process.env.PROMETHEUS] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'prometheus'));
  for (const candidate of candidates) {
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new Error('prometheus is not installed: `apt-get install prometheus` (Debian), or set PROMETHEUS to its path');
}

interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

interface QueryResponse {
  readonly status: 'success' | 'error';
  readonly data: { readonly resultType: string; readonly result: unknown };
  readonly errorType?: string;
  readonly error?: string;
}

interface TargetsResponse {
  readonly data: { readonly activeTargets: readonly { readonly health: 'up' | 'down' | 'unknown' }[] };
}
