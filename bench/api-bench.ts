// Scenario `api`: one site with BENCH_ROWS reports, its HTTP API under autocannon beside the same
// queries through the raw driver, and the plans of the lookup and page queries. See BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { createAuditTrail } from '../api/audit/trail.js';
import { createEnvelopeCodec } from '../api/crypto/envelope-codec.js';
import { createLocalKeyProvider } from '../api/crypto/local-key-provider.js';
import { connectDatabase } from '../api/db/connect.js';
import { migrate } from '../api/db/migrate.js';
import { createSiteIds } from '../api/ids/site-ids.js';
import { agentToken } from './api-client.js';
import { bulkLoadAccidents } from './bulk-load.js';
import { runClosedLoop } from './closed-loop.js';
import { createCpuMeter, type CpuUse } from './cpu.js';
import { type ProfileSummary, renderProfiles, summariseProfile } from './cpu-profile.js';
import { assertIdLayout, BENCH_SITE, BENCH_SITE_NUMBER, type DatasetShape, datasetShape, dayOf, policyKeyOf, policyNumberOf } from './dataset.js';
import { explainQueries } from './explain.js';
import { createFloorQueries } from './floor-queries.js';
import { assertClean, type HttpRunResult, runHttpScenario } from './http-load.js';
import { machine, postgresFacts } from './machine.js';
import { log, type ScenarioContext } from './progress.js';
import { type OperationResult, renderReport } from './report.js';
import { buildOperations } from './scenarios.js';
import { loadBenchSettings } from './settings.js';
import { type SiteGroup, startBareHttpServer, startSiteGroup } from './site-process.js';
import type { SiteEncryptionChoice } from './site-server.js';
import { startWaitSampler } from './wait-sampler.js';
import { type Cleanup, startDurablePostgres } from './durable-postgres.js';

// pg_stat_activity tells the two pools apart by these (the site's is set by bench/site-server.ts).
const SITE_APPLICATION = `crashdesk-${BENCH_SITE}`;
const FLOOR_APPLICATION = 'crashdesk-bench';

async function tableSizes(sql: Sql) {
  const [table] = await sql<{ size: string }[]>`select pg_size_pretty(pg_table_size('accidents')) as size`;
  const indexes = await sql<{ name: string; size: string }[]>`
    select indexrelname as name, pg_size_pretty(pg_relation_size(indexrelid)) as size
    from pg_stat_user_indexes where relname = 'accidents' order by indexrelname`;
  return { tableSize: table?.size ?? '?', indexSizes: indexes.map((i) => `${i.name} ${i.size}`).join(', ') };
}

/** Runs the scenario and returns its section of the report. */
export async function runApiBench({ command }: ScenarioContext): Promise<string> {
  const settings = loadBenchSettings();
  const startedAt = new Date();
  log(`api: ${settings.rows} rows, ${settings.connections} connections, ${settings.durationSeconds} s per run`);

  const cleanups: Cleanup[] = [];
  try {
    const { dataDir, server } = await startDurablePostgres('crashdesk-bench-', cleanups);
    const database = `crashdesk_${BENCH_SITE}`;
    await server.ensureDatabase(database);
    const url = server.url(database);
    const sql = connectDatabase(url, { max: settings.poolSize, applicationName: FLOOR_APPLICATION });
    cleanups.push(() => sql.end({ timeout: 5 }));
    await migrate(sql);
    const facts = await postgresFacts(sql);

    const shape = datasetShape(settings.rows);
    assertIdLayout(shape);
    // Field encryption on, as a site runs: the envelope codec (a data key per site, AES-GCM per
    // value) under a local key file, so the run needs no Vault; with Vault only the data key's
    // unwrapping would differ, once per data key (scenario `encryption` measures Vault itself).
    const keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-bench-keys-'));
    cleanups.push(() => rm(keyDir, { recursive: true, force: true }));
    const keyFile = join(keyDir, 'keys.json');
    const blindIndexKey = randomBytes(32);
    const provider = await createLocalKeyProvider(keyFile, { create: true });
    const codec = createEnvelopeCodec({ sql, site: BENCH_SITE, provider, blindIndexKey });
    const encryption = { kind: 'local', keyFile, blindIndexKey: blindIndexKey.toString('base64') } as const;
    log(`loading ${settings.rows} reports with COPY`);
    const loaded = await bulkLoadAccidents(sql, shape, codec, (done) => log(`  ${done} rows`));
    log(`loaded in ${loaded.seconds.toFixed(1)} s (${Math.round(loaded.rowsPerSecond)} rows/s); vacuum (analyze), checkpoint`);
    // What autovacuum would have done to a table that grew over a year; doing it now also keeps
    // autovacuum and a checkpoint from landing in the middle of a measured run.
    await sql`vacuum (analyze) accidents`;
    await sql`checkpoint`;
    const load = { ...loaded, ...(await tableSizes(sql)) };

    const adminPassword = randomBytes(18).toString('base64url');
    const site = await startSiteGroup({ databaseUrl: url, poolSize: settings.poolSize, adminPassword, encryption }, settings.siteProcesses);
    cleanups.push(() => site.stop());
    const agent = await agentToken(site.baseUrl, adminPassword);
    log(`site ${BENCH_SITE} (${site.pids.length} processes) listens at ${site.baseUrl}; signed in as ${agent.username}`);

    // The floor mints through a worker lease of its own, next to the site's.
    const ids = await createSiteIds(sql, { siteNumber: BENCH_SITE_NUMBER });
    cleanups.push(() => ids.stop());
    const operations = buildOperations(shape, createFloorQueries({ sql, codec, ids }), createAuditTrail(sql), agent);
    const postmasterPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const meter = createCpuMeter({ site: site.pids, postmaster: postmasterPid });
    const results: OperationResult[] = [];
    const profiles: { route: string; summary: ProfileSummary }[] = [];

    for (const operation of operations) {
      let http: OperationResult['http'];
      if (operation.http) {
        await operation.check?.(site.baseUrl, agent.token);
        const httpOptions = { baseUrl: site.baseUrl, token: agent.token, connections: settings.connections };
        if (settings.warmupSeconds > 0)
          assertClean(operation.name, await runHttpScenario(operation.http, { ...httpOptions, durationSeconds: settings.warmupSeconds }));
        if (settings.profileSeconds > 0) {
          const profiler = await site.profile();
          assertClean(operation.name, await runHttpScenario(operation.http, { ...httpOptions, durationSeconds: settings.profileSeconds }));
          profiles.push({ route: operation.name, summary: summariseProfile(await profiler.stop()) });
        }
        const loopBefore = await site.eventLoop();
        const waits = startWaitSampler(sql, SITE_APPLICATION);
        const before = meter.snapshot();
        const run = assertClean(operation.name, await runHttpScenario(operation.http, { ...httpOptions, durationSeconds: settings.durationSeconds }));
        const cpu = meter.since(before);
        const siteEventLoopBusy = performance.eventLoopUtilization(await site.eventLoop(), loopBefore).utilization;
        http = { run, cpu, siteEventLoopBusy, waits: await waits.stop() };
        log(`${operation.name}, HTTP: ${Math.round(run.requestsPerSecond)} req/s, p50 ${run.latency.p50.toFixed(2)} ms, p99 ${run.latency.p99.toFixed(2)} ms`);
      }
      const loop = { workers: settings.connections };
      if (settings.warmupSeconds > 0) await runClosedLoop(operation.floor, { ...loop, durationSeconds: settings.warmupSeconds });
      const waits = startWaitSampler(sql, FLOOR_APPLICATION);
      const before = meter.snapshot();
      const run = await runClosedLoop(operation.floor, { ...loop, durationSeconds: settings.durationSeconds });
      const cpu = meter.since(before);
      results.push({ name: operation.name, http, floor: { run, cpu, waits: await waits.stop() } });
      log(
        `${operation.name}, raw driver: ${Math.round(run.operationsPerSecond)} ops/s, p50 ${run.latency.p50.toFixed(2)} ms, p99 ${run.latency.p99.toFixed(2)} ms`,
      );
    }

    // The same reads at light load: the latency one agent's click sees when the site is not queueing.
    const light: LightLoadRun[] = [];
    for (const operation of operations) {
      if (!operation.http || operation.http.method !== 'GET') continue;
      const httpOptions = { baseUrl: site.baseUrl, token: agent.token, connections: LIGHT_CONNECTIONS };
      if (settings.warmupSeconds > 0)
        assertClean(operation.name, await runHttpScenario(operation.http, { ...httpOptions, durationSeconds: settings.warmupSeconds }));
      const run = assertClean(operation.name, await runHttpScenario(operation.http, { ...httpOptions, durationSeconds: settings.durationSeconds }));
      light.push({ name: operation.name, run });
      log(`${operation.name}, HTTP at ${LIGHT_CONNECTIONS} connections: ${Math.round(run.requestsPerSecond)} req/s, p99 ${run.latency.p99.toFixed(2)} ms`);
    }

    const floor = await runHttpFloor({ site, token: agent.token, operations, settings, postmasterPid, cleanups });

    const hotPage = await runHotPage({ shape, uncached: site, databaseUrl: url, adminPassword, encryption, token: agent.token, settings, cleanups });

    const middleRow = Math.floor(shape.rows / 2);
    const plans = await explainQueries(sql, codec, {
      policyNumber: policyNumberOf(policyKeyOf(shape, middleRow)),
      date: dayOf(shape, Math.floor(shape.days / 2)),
    });

    return (
      renderHttpFloor(floor, results) +
      '\n' +
      renderLightLoad(light) +
      '\n' +
      renderHotPage(hotPage) +
      '\n' +
      renderProfiles(profiles) +
      '\n' +
      renderReport({
        startedAt,
        command,
        settings,
        machine: machine(facts.version),
        postgresSettings: facts.settings,
        load,
        operations: results,
        plans,
      })
    );
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log(`clean-up step failed: ${String(error)}`));
    }
  }
}

interface HttpFloorRun {
  readonly bodyBytes: number;
  readonly run: HttpRunResult;
  readonly cpu: CpuUse;
}

/**
 * The HTTP floor: one Node process answering every request with a report's JSON as the site
 * serves it (fetched once from the site), under the same load generator: what Node's HTTP and the
 * load generator cost on this machine before any route does anything.
 */
async function runHttpFloor(options: {
  site: SiteGroup;
  token: string;
  operations: ReturnType<typeof buildOperations>;
  settings: ReturnType<typeof loadBenchSettings>;
  postmasterPid: number;
  cleanups: Cleanup[];
}): Promise<HttpFloorRun> {
  const { site, token, settings } = options;
  const get = options.operations.find((operation) => operation.name === 'get by id')?.http;
  if (!get) throw new Error('the HTTP floor needs the get-by-id operation');
  const answer = await fetch(`${site.baseUrl}${get.next().path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!answer.ok) throw new Error(`fetching a report for the HTTP floor answered ${answer.status}`);
  const body = await answer.text();
  const bare = await startBareHttpServer(body);
  options.cleanups.push(() => bare.stop());
  const scenario = { name: 'http-floor', method: 'GET', next: () => ({ path: '/' }) } as const;
  const httpOptions = { baseUrl: bare.baseUrl, token, connections: settings.connections };
  if (settings.warmupSeconds > 0) assertClean('HTTP floor', await runHttpScenario(scenario, { ...httpOptions, durationSeconds: settings.warmupSeconds }));
  const meter = createCpuMeter({ site: bare.pid, postmaster: options.postmasterPid });
  const before = meter.snapshot();
  const run = assertClean('HTTP floor', await runHttpScenario(scenario, { ...httpOptions, durationSeconds: settings.durationSeconds }));
  const cpu = meter.since(before);
  log(`HTTP floor (bare node:http, ${Buffer.byteLength(body)} bytes): ${Math.round(run.requestsPerSecond)} req/s, p99 ${run.latency.p99.toFixed(2)} ms`);
  await bare.stop();
  return { bodyBytes: Buffer.byteLength(body), run, cpu };
}

function renderHttpFloor({ bodyBytes, run, cpu }: HttpFloorRun, results: readonly OperationResult[]): string {
  const perRequest = (ms: number) => (ms / run.completed).toFixed(3);
  const floorMs = (cpu.siteMs + cpu.loadGeneratorMs) / run.completed;
  const get = results.find((result) => result.name === 'get by id');
  const lines = [
    `### The HTTP floor (Node's own server answering a ${bodyBytes}-byte report, nothing else; ${run.completed.toLocaleString('en-GB')} requests)`,
    '',
    '| HTTP req/s | p50 ms | p99 ms | server CPU ms/req | load generator CPU ms/req |',
    '|---:|---:|---:|---:|---:|',
    `| ${Math.round(run.requestsPerSecond).toLocaleString('en-GB')} | ${run.latency.p50.toFixed(2)} | ${run.latency.p99.toFixed(2)} | ${perRequest(cpu.siteMs)} | ${perRequest(cpu.loadGeneratorMs)} |`,
    '',
  ];
  if (get) {
    const rawMs = (get.floor.cpu.postgresMs + get.floor.cpu.loadGeneratorMs) / get.floor.run.completed;
    lines.push(
      `A get through HTTP costs at least this floor plus the raw driver's get (${rawMs.toFixed(3)} ms of CPU): ` +
        `with CPU as the limit, HTTP / raw cannot pass ${((100 * rawMs) / (rawMs + floorMs)).toFixed(0)} % for a get ` +
        'even before authentication, the audit entry, encryption and JSON.',
      '',
    );
  }
  return lines.join('\n');
}

const LIGHT_CONNECTIONS = 4;

interface LightLoadRun {
  readonly name: string;
  readonly run: HttpRunResult;
}

function renderLightLoad(runs: readonly LightLoadRun[]): string {
  const ms = (value: number) => value.toFixed(2);
  return [
    `### Reads at ${LIGHT_CONNECTIONS} connections (HTTP, the same requests as above)`,
    '',
    '| operation | HTTP req/s | p50 ms | p95 ms | p99 ms |',
    '|---|---:|---:|---:|---:|',
    ...runs.map(
      ({ name, run }) =>
        `| ${name} | ${Math.round(run.requestsPerSecond).toLocaleString('en-GB')} | ${ms(run.latency.p50)} | ${ms(run.latency.p95)} | ${ms(run.latency.p99)} |`,
    ),
    '',
  ].join('\n');
}

interface HotPageRun {
  readonly day: string;
  readonly uncached: HttpRunResult;
  readonly cached: HttpRunResult;
}

/**
 * The newest day's first page, the one every agent has open: the same requests against the site
 * above (list cache off) and against a second process of it with the list cache on (in-process
 * tier, the defaults' 5 s fresh and 10 s stale), one after the other in this run.
 */
async function runHotPage(options: {
  shape: DatasetShape;
  uncached: SiteGroup;
  databaseUrl: string;
  adminPassword: string;
  encryption: SiteEncryptionChoice;
  token: string;
  settings: ReturnType<typeof loadBenchSettings>;
  cleanups: Cleanup[];
}): Promise<HotPageRun> {
  const { shape, settings, token } = options;
  const day = dayOf(shape, shape.days - 1);
  const scenario = { name: 'hot-date', method: 'GET', next: () => ({ path: `/${BENCH_SITE}/v1/accidents?date=${day}&limit=50` }) } as const;
  const cachedSite = await startSiteGroup(
    {
      databaseUrl: options.databaseUrl,
      poolSize: settings.poolSize,
      adminPassword: options.adminPassword,
      encryption: options.encryption,
      applicationName: 'crashdesk-bench-cached',
      listCache: { freshMs: 5000, staleMs: 10_000 },
    },
    settings.siteProcesses,
  );
  options.cleanups.push(() => cachedSite.stop());
  const measure = async (target: SiteGroup, label: string) => {
    const httpOptions = { baseUrl: target.baseUrl, token, connections: settings.connections };
    if (settings.warmupSeconds > 0) assertClean(label, await runHttpScenario(scenario, { ...httpOptions, durationSeconds: settings.warmupSeconds }));
    const run = assertClean(label, await runHttpScenario(scenario, { ...httpOptions, durationSeconds: settings.durationSeconds }));
    log(`${label}: ${Math.round(run.requestsPerSecond)} req/s, p50 ${run.latency.p50.toFixed(2)} ms, p99 ${run.latency.p99.toFixed(2)} ms`);
    return run;
  };
  const uncached = await measure(options.uncached, `hot date page ${day}, list cache off`);
  const cached = await measure(cachedSite, `hot date page ${day}, list cache on`);
  return { day, uncached, cached };
}

function renderHotPage({ day, uncached, cached }: HotPageRun): string {
  const row = (label: string, run: HttpRunResult) =>
    `| ${label} | ${Math.round(run.requestsPerSecond).toLocaleString('en-GB')} | ${run.latency.p50.toFixed(2)} | ${run.latency.p99.toFixed(2)} |`;
  return [
    `### Hot date page (${day}, first page of 50, every request the same)`,
    '',
    '| list cache | HTTP req/s | p50 ms | p99 ms |',
    '|---|---:|---:|---:|',
    row('off', uncached),
    row('on (in-process tier)', cached),
    '',
    `Cached / uncached: ${(cached.requestsPerSecond / uncached.requestsPerSecond).toFixed(2)}×`,
    '',
  ].join('\n');
}
