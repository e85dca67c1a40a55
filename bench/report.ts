import { availableParallelism } from 'node:os';
import type { LoadResult } from './bulk-load.js';
import type { ClosedLoopResult } from './closed-loop.js';
import type { CpuUse } from './cpu.js';
import type { ExplainedQuery } from './explain.js';
import type { HttpRunResult } from './http-load.js';
import type { BenchSettings } from './settings.js';
import type { WaitProfile } from './wait-sampler.js';

export interface OperationResult {
  readonly name: string;
  readonly http?: { readonly run: HttpRunResult; readonly cpu: CpuUse; readonly siteEventLoopBusy: number; readonly waits: WaitProfile };
  readonly floor: { readonly run: ClosedLoopResult; readonly cpu: CpuUse; readonly waits: WaitProfile };
}

export interface BenchReport {
  readonly startedAt: Date;
  readonly command: string;
  readonly settings: BenchSettings;
  readonly machine: Readonly<Record<string, string>>;
  readonly postgresSettings: Readonly<Record<string, string>>;
  readonly load: LoadResult & { readonly tableSize: string; readonly indexSizes: string };
  readonly operations: readonly OperationResult[];
  readonly plans: readonly ExplainedQuery[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-GB');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const perRequest = (cpuMs: number, requests: number) => (requests > 0 ? (cpuMs / requests).toFixed(3) : '–');

function figuresTable(operations: readonly OperationResult[]): string {
  const lines = [
    '| operation | HTTP req/s | p50 ms | p95 ms | p99 ms | non-2xx | raw driver ops/s | p50 ms | p95 ms | p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { name, http, floor } of operations) {
    const web = http
      ? [int(http.run.requestsPerSecond), ms(http.run.latency.p50), ms(http.run.latency.p95), ms(http.run.latency.p99), String(http.run.non2xx)]
      : ['–', '–', '–', '–', '–'];
    const raw = [int(floor.run.operationsPerSecond), ms(floor.run.latency.p50), ms(floor.run.latency.p95), ms(floor.run.latency.p99)];
    lines.push(`| ${name} | ${[...web, ...raw].join(' | ')} |`);
  }
  return lines.join('\n');
}

function cpuTable(operations: readonly OperationResult[]): string {
  const lines = [
    '| run | requests | site Node CPU ms/req | PostgreSQL CPU ms/req | load generator CPU ms/req | site event loop busy | our CPU use (share of all cores) | load avg (1 min) at end |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const cores = availableParallelism();
  const row = (label: string, requests: number, cpu: CpuUse, eventLoopBusy?: number) => {
    const busy = (cpu.siteMs + cpu.postgresMs + cpu.loadGeneratorMs) / (cpu.wallMs * cores);
    lines.push(
      `| ${label} | ${int(requests)} | ${perRequest(cpu.siteMs, requests)} | ${perRequest(cpu.postgresMs, requests)} | ` +
        `${perRequest(cpu.loadGeneratorMs, requests)} | ${eventLoopBusy === undefined ? '–' : `${(eventLoopBusy * 100).toFixed(0)} %`} | ` +
        `${(busy * 100).toFixed(0)} % | ${cpu.loadAverage.toFixed(2)} |`,
    );
  };
  for (const { name, http, floor } of operations) {
    if (http) row(`${name}, HTTP`, http.run.completed, http.cpu, http.siteEventLoopBusy);
    row(`${name}, raw driver`, floor.run.completed, floor.cpu);
  }
  return lines.join('\n');
}

const TOP_WAITS = 4;

function waitsTable(operations: readonly OperationResult[]): string {
  const lines = ['| run | busy connections (mean) | share of busy-connection samples |', '|---|---:|---|'];
  const row = (label: string, waits: WaitProfile) => {
    const top = waits.shares.slice(0, TOP_WAITS).map(({ state, share }) => `${state} ${(share * 100).toFixed(0)} %`);
    lines.push(`| ${label} | ${waits.busyConnections.toFixed(1)} | ${top.join('; ') || '–'} |`);
  };
  for (const { name, http, floor } of operations) {
    if (http) row(`${name}, HTTP`, http.waits);
    row(`${name}, raw driver`, floor.waits);
  }
  return lines.join('\n');
}

export function renderReport(report: BenchReport): string {
  const { settings, load } = report;
  const keyValues = (record: Readonly<Record<string, string>>) =>
    Object.entries(record)
      .map(([key, value]) => `- ${key}: ${value}`)
      .join('\n');
  return `## Scenario api: the HTTP API beside the raw driver

Started ${report.startedAt.toISOString()} with \`${report.command}\`.
${int(settings.rows)} reports in one site; ${settings.connections} concurrent connections (HTTP) and workers (raw driver);
${settings.durationSeconds} s measured per run after ${settings.warmupSeconds} s of unmeasured warm-up; pool of ${settings.poolSize} connections on both sides
(the site's split over its ${settings.siteProcesses} process${settings.siteProcesses === 1 ? '' : 'es'}, which share one listening port); field encryption on (envelope codec, local key).
The site's Node: ${process.env.BENCH_SITE_NODE ? `\`${process.env.BENCH_SITE_NODE}\`` : `this process's (${process.version})`}.

### Machine

${keyValues(report.machine)}

PostgreSQL (embedded, durable settings: fsync and synchronous commit on):

${keyValues(report.postgresSettings)}

### Bulk load (COPY)

${int(load.rows)} rows in ${load.seconds.toFixed(1)} s: ${int(load.rowsPerSecond)} rows/s, through the live primary key and both
secondary indexes; then \`vacuum (analyze)\` and a checkpoint. Table ${load.tableSize}; indexes ${load.indexSizes}.

### Throughput and latency

Latencies are per request (HTTP, measured by autocannon at the client) or per operation (raw driver, measured
around each awaited query with \`performance.now()\`), in milliseconds, over 2xx responses; percentiles are exact
(nearest rank over every sample).

${figuresTable(report.operations)}

### Where the CPU went

CPU time read from /proc before and after each measured run, divided by the requests completed; the site's
event-loop utilisation from \`performance.eventLoopUtilization()\` in the site process (100 % means its one
thread never waited). Other people's processes are not counted: the load average shows them.

${cpuTable(report.operations)}

### What the database connections were doing

pg_stat_activity sampled every 100 ms during each measured run, for the connections of the pool under load
(the site's, or the floor's): \`active\` alone is running; \`active Lock/advisory\`, \`active IO/WalSync\` and the
like are waiting inside the server; \`idle in transaction\` is a transaction waiting for its client.

${waitsTable(report.operations)}

### Query plans

${report.plans.map(({ title, plan }) => `#### ${title}\n\n\`\`\`\n${plan}\n\`\`\``).join('\n\n')}
`;
}
