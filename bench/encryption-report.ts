import type { LoadResult } from './bulk-load.js';
import type { CpuUse } from './cpu.js';
import type { HttpRunResult } from './http-load.js';
import { type LatencySummary, summariseLatencies } from './latency.js';
import type { BenchSettings } from './settings.js';
import type { WaitProfile } from './wait-sampler.js';

export const SITE_KINDS = ['off', 'vault'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

/** The issue's target: a 50-row page with encryption at most this much slower at p95. */
export const PAGE_P95_TARGET = 1.3;

export interface LoadedSite extends LoadResult {
  readonly kind: SiteKind;
  readonly tableSize: string;
  readonly sealedBytes: number;
  readonly envelopeRows: number;
  readonly dataKeys: number;
}

export interface EncryptionRun {
  readonly round: number;
  readonly operation: string;
  readonly site: SiteKind;
  readonly run: HttpRunResult;
  readonly cpu: CpuUse;
  readonly eventLoopBusy: number;
  readonly waits: WaitProfile;
  /** Requests the site made to Vault (transit) during the measured run. */
  readonly vaultCalls: number;
}

export interface EncryptionReport {
  readonly startedAt: Date;
  readonly command: string;
  readonly settings: BenchSettings;
  readonly machine: Readonly<Record<string, string>>;
  readonly postgresSettings: Readonly<Record<string, string>>;
  readonly transitKey: string;
  readonly loads: readonly LoadedSite[];
  readonly siteStartSeconds: Readonly<Record<SiteKind, number>>;
  readonly vaultCallsBeforeRuns: number;
  readonly vaultCallsByPath: Readonly<Record<string, number>>;
  readonly runs: readonly EncryptionRun[];
  readonly operations: readonly string[];
  readonly pageOperation: string;
}

interface Pooled {
  readonly runs: number;
  readonly requestsPerSecond: number;
  readonly latency: LatencySummary;
  readonly siteCpuPerRequest: number;
  readonly postgresCpuPerRequest: number;
  readonly eventLoopBusy: number;
  readonly vaultCalls: number;
}

/** Every measured run of one route against one site, as if it were one long run. */
function pool(runs: readonly EncryptionRun[]): Pooled {
  const completed = runs.reduce((sum, r) => sum + r.run.completed, 0);
  const seconds = runs.reduce((sum, r) => sum + r.run.seconds, 0);
  const samples = new Float64Array(runs.reduce((sum, r) => sum + r.run.samples.length, 0));
  let offset = 0;
  for (const r of runs) {
    samples.set(r.run.samples, offset);
    offset += r.run.samples.length;
  }
  return {
    runs: runs.length,
    requestsPerSecond: completed / seconds,
    latency: summariseLatencies(samples),
    siteCpuPerRequest: runs.reduce((sum, r) => sum + r.cpu.siteMs, 0) / completed,
    postgresCpuPerRequest: runs.reduce((sum, r) => sum + r.cpu.postgresMs, 0) / completed,
    eventLoopBusy: runs.reduce((sum, r) => sum + r.eventLoopBusy, 0) / runs.length,
    vaultCalls: runs.reduce((sum, r) => sum + r.vaultCalls, 0),
  };
}

const topWaits = (waits: WaitProfile) =>
  waits.shares
    .slice(0, 3)
    .map(({ state, share }) => `${state} ${(share * 100).toFixed(0)} %`)
    .join('; ') || '–';
const int = (n: number) => Math.round(n).toLocaleString('en-GB');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const ratio = (vault: number, off: number) => `${(vault / off).toFixed(2)}×`;

export function renderEncryptionReport(report: EncryptionReport): string {
  const { settings } = report;
  const keyValues = (record: Readonly<Record<string, string>>) =>
    Object.entries(record)
      .map(([key, value]) => `- ${key}: ${value}`)
      .join('\n');
  const pooled = (operation: string, site: SiteKind) => pool(report.runs.filter((r) => r.operation === operation && r.site === site));

  const figures = [
    '| operation | encryption | runs | req/s | p50 ms | p95 ms | p99 ms | site CPU ms/req | PostgreSQL CPU ms/req | site event loop busy | Vault calls |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const ratios = ['| operation | req/s | p50 | p95 | p99 | site CPU per request |', '|---|---:|---:|---:|---:|---:|'];
  for (const operation of report.operations) {
    const [off, vault] = [pooled(operation, 'off'), pooled(operation, 'vault')];
    for (const [kind, p] of [
      ['off', off],
      ['vault', vault],
    ] as const) {
      figures.push(
        `| ${operation} | ${kind} | ${p.runs} | ${int(p.requestsPerSecond)} | ${ms(p.latency.p50)} | ${ms(p.latency.p95)} | ${ms(p.latency.p99)} | ` +
          `${p.siteCpuPerRequest.toFixed(3)} | ${p.postgresCpuPerRequest.toFixed(3)} | ${(p.eventLoopBusy * 100).toFixed(0)} % | ${p.vaultCalls} |`,
      );
    }
    const p95 = operation === report.pageOperation ? `**${ratio(vault.latency.p95, off.latency.p95)}**` : ratio(vault.latency.p95, off.latency.p95);
    ratios.push(
      `| ${operation} | ${ratio(vault.requestsPerSecond, off.requestsPerSecond)} | ${ratio(vault.latency.p50, off.latency.p50)} | ${p95} | ` +
        `${ratio(vault.latency.p99, off.latency.p99)} | ${ratio(vault.siteCpuPerRequest, off.siteCpuPerRequest)} |`,
    );
  }

  const pageOff = pooled(report.pageOperation, 'off');
  const pageVault = pooled(report.pageOperation, 'vault');
  const pageP95 = pageVault.latency.p95 / pageOff.latency.p95;
  const verdict = pageP95 <= PAGE_P95_TARGET ? 'met' : '**not met**';

  const perRound = [
    '| round | operation | encryption | req/s | p50 ms | p95 ms | p99 ms | site CPU ms/req | load avg (1 min) at end | Vault calls | busy connections | top waits |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...report.runs.map(
      (r) =>
        `| ${r.round} | ${r.operation} | ${r.site} | ${int(r.run.requestsPerSecond)} | ${ms(r.run.latency.p50)} | ${ms(r.run.latency.p95)} | ` +
        `${ms(r.run.latency.p99)} | ${(r.cpu.siteMs / r.run.completed).toFixed(3)} | ${r.cpu.loadAverage.toFixed(2)} | ${r.vaultCalls} | ` +
        `${r.waits.busyConnections.toFixed(1)} | ${topWaits(r.waits)} |`,
    ),
  ];
  const roundRatios = [...new Set(report.runs.map((r) => r.round))].flatMap((round) => {
    const of = (site: SiteKind) => report.runs.find((r) => r.round === round && r.site === site && r.operation === report.pageOperation);
    const [off, vault] = [of('off'), of('vault')];
    return off && vault ? [vault.run.latency.p95 / off.run.latency.p95] : [];
  });
  const sortedRoundRatios = [...roundRatios].sort((a, b) => a - b);
  const middle = sortedRoundRatios.length / 2;
  const medianRoundRatio =
    sortedRoundRatios.length % 2 === 1 ? sortedRoundRatios[Math.floor(middle)]! : (sortedRoundRatios[middle - 1]! + sortedRoundRatios[middle]!) / 2;

  const loads = [
    '| site database | rows | seconds | rows/s | table | mean sealed bytes | envelope rows | data keys |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...report.loads.map(
      (l) =>
        `| ${l.kind} | ${int(l.rows)} | ${l.seconds.toFixed(1)} | ${int(l.rowsPerSecond)} | ${l.tableSize} | ${int(l.sealedBytes)} | ${int(l.envelopeRows)} | ${l.dataKeys} |`,
    ),
  ];
  const byPath = Object.entries(report.vaultCallsByPath)
    .map(([path, n]) => `${path} ${n}`)
    .join(', ');

  return `## Scenario encryption: field encryption (Vault transit) against encryption off

Started ${report.startedAt.toISOString()} with \`${report.command}\`.
Two sites, each in its own process with its own database in one PostgreSQL server, loaded with the same
${int(settings.encryptionRows)} reports: \`off\` (plain codec) and \`vault\` (envelope codec, data keys from the transit
key \`${report.transitKey}\` of the test control plane's transit server, on loopback). ${settings.connections} connections,
${settings.durationSeconds} s measured per run after ${settings.warmupSeconds} s of warm-up; ${settings.encryptionRounds} round(s) of create, page and get, the
two sites alternating run by run (off first in odd rounds, vault first in even ones); site pools of ${settings.poolSize}.

### Machine

${keyValues(report.machine)}

PostgreSQL (embedded, durable settings: fsync and synchronous commit on):

${keyValues(report.postgresSettings)}

### Bulk load (COPY, through the codec of each site)

${loads.join('\n')}

Site start (startSite: migrations, admin, key checks and the re-seal scan with \`vault\`): off ${report.siteStartSeconds.off.toFixed(1)} s,
vault ${report.siteStartSeconds.vault.toFixed(1)} s. Vault calls made by the vault site before the measured runs (key checks,
sanity checks, warm-up): ${report.vaultCallsBeforeRuns}; in all: ${byPath || 'none'}.

### Throughput and latency, all rounds pooled

Latencies in milliseconds at the client (autocannon), over every 2xx response of all rounds; percentiles exact.

${figures.join('\n')}

### Cost of encryption: vault / off

${ratios.join('\n')}

Date page p95: **${ratio(pageVault.latency.p95, pageOff.latency.p95)}** against the target of at most ${PAGE_P95_TARGET.toFixed(1)}×: ${verdict}.
Per round (vault run / off run of the same round): ${roundRatios.map((r) => `${r.toFixed(2)}×`).join(', ')}; median ${medianRoundRatio.toFixed(2)}×.
Site CPU per page: off ${pageOff.siteCpuPerRequest.toFixed(3)} ms, vault ${pageVault.siteCpuPerRequest.toFixed(3)} ms, so encryption adds
${((pageVault.siteCpuPerRequest - pageOff.siteCpuPerRequest) * 1000).toFixed(0)} µs of the site's CPU per page of 50 (${(((pageVault.siteCpuPerRequest - pageOff.siteCpuPerRequest) * 1000) / 50).toFixed(1)} µs per report opened).

### Every measured run

Busy connections: the mean number of the site pool's connections not idle in pg_stat_activity (sampled every
100 ms), and what they were doing (\`active\` alone is running; \`idle in transaction\` waits for the site).

${perRound.join('\n')}
`;
}
