// Scenario `encryption`: what field encryption under the Vault provider costs a site, as the ratio
// of the same HTTP runs against two sites that differ only in their codec. See BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { createEnvelopeCodec, ENVELOPE_FORMAT } from '../api/crypto/envelope-codec.js';
import { createPlainFieldCodec, type FieldCodec } from '../api/crypto/field-codec.js';
import { createVaultKeyProvider } from '../api/crypto/vault-key-provider.js';
import { connectDatabase } from '../api/db/connect.js';
import { migrate } from '../api/db/migrate.js';
import type { EmbeddedPostgres } from '../api/platform/embedded-postgres.js';
import { ensureTestbin } from '../test/controlplane/testbin.js';
import { startTransit } from '../test/controlplane/transit.js';
import { agentToken, callApi } from './api-client.js';
import { bulkLoadAccidents } from './bulk-load.js';
import { startCountingProxy } from './counting-proxy.js';
import { createCpuMeter } from './cpu.js';
import { assertIdLayout, BENCH_SITE, datasetShape, type DatasetShape, dayOf } from './dataset.js';
import { renderEncryptionReport, type EncryptionRun, type LoadedSite, SITE_KINDS, type SiteKind } from './encryption-report.js';
import { assertClean, runHttpScenario } from './http-load.js';
import { machine, postgresFacts } from './machine.js';
import { log, type ScenarioContext } from './progress.js';
import { buildHttpOperations } from './scenarios.js';
import { loadBenchSettings } from './settings.js';
import type { SiteEncryptionChoice } from './site-server.js';
import { type SiteProcess, startSiteProcess } from './site-process.js';
import { startWaitSampler } from './wait-sampler.js';
import { type Cleanup, startDurablePostgres } from './durable-postgres.js';

const TRANSIT_MOUNT = 'transit';
// pg_stat_activity tells the two sites' pools apart by these.
const applicationNameOf = (kind: SiteKind) => `crashdesk-${BENCH_SITE}-${kind}`;
// The site's transit key as the chart names it (VAULT_TRANSIT_KEY's default, crashdesk-{site}).
const TRANSIT_KEY = `crashdesk-${BENCH_SITE}`;

async function createTransitKey(address: string, token: string): Promise<void> {
  const answer = await fetch(`${address}/v1/${TRANSIT_MOUNT}/keys/${TRANSIT_KEY}`, {
    method: 'POST',
    headers: { 'x-vault-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'aes256-gcm96' }),
  });
  if (!answer.ok) throw new Error(`creating the transit key ${TRANSIT_KEY} answered ${answer.status}: ${await answer.text()}`);
}

/** One site database, migrated and bulk-loaded through `codec`, vacuumed like a year-old table. */
async function loadSiteDatabase(server: EmbeddedPostgres, kind: SiteKind, shape: DatasetShape, codecFor: (sql: Sql) => FieldCodec) {
  const database = `crashdesk_${BENCH_SITE}_${kind}`;
  await server.ensureDatabase(database);
  const url = server.url(database);
  const sql = connectDatabase(url, { max: 2, applicationName: 'crashdesk-bench' });
  try {
    await migrate(sql);
    log(`${kind}: loading ${shape.rows} reports with COPY`);
    const loaded = await bulkLoadAccidents(sql, shape, codecFor(sql), (done) => log(`  ${kind}: ${done} rows`));
    await sql`vacuum (analyze) accidents`;
    const [facts] = await sql<{ tableSize: string; sealedBytes: number; envelopeRows: number; dataKeys: number }[]>`
      select pg_size_pretty(pg_table_size('accidents')) as "tableSize",
             (select avg(length(sealed))::float8 from accidents) as "sealedBytes",
             (select count(*)::int from accidents where get_byte(sealed, 0) = ${ENVELOPE_FORMAT}) as "envelopeRows",
             (select count(*)::int from data_keys) as "dataKeys"`;
    if (!facts) throw new Error(`no facts about ${database}`);
    log(`${kind}: loaded in ${loaded.seconds.toFixed(1)} s; ${facts.envelopeRows} envelope rows, ${facts.dataKeys} data keys`);
    return { url, loaded: { kind, ...loaded, ...facts } satisfies LoadedSite };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Runs the scenario and returns its section of the report. */
export async function runEncryptionBench({ command }: ScenarioContext): Promise<string> {
  const settings = loadBenchSettings();
  const startedAt = new Date();
  const rows = settings.encryptionRows;
  log(`encryption: ${rows} rows per site, ${settings.encryptionRounds} rounds, ${settings.connections} connections, ${settings.durationSeconds} s per run`);

  const cleanups: Cleanup[] = [];
  try {
    const { dir, dataDir, server } = await startDurablePostgres('crashdesk-bench-encryption-', cleanups);
    const postgresSql = connectDatabase(server.url('postgres'), { max: 1, applicationName: 'crashdesk-bench' });
    cleanups.push(() => postgresSql.end({ timeout: 5 }));
    const facts = await postgresFacts(postgresSql);
    const machineAtStart = machine(facts.version);

    const transit = await startTransit(await ensureTestbin({ log }), dir);
    cleanups.push(() => transit.process.stop());
    await createTransitKey(transit.address, transit.token);
    // The vault site talks to transit through this, so the report can count its round trips.
    const proxy = await startCountingProxy(transit.address);
    cleanups.push(() => proxy.stop());
    const blindIndexKey = randomBytes(32);

    const shape = datasetShape(rows);
    assertIdLayout(shape);
    const provider = createVaultKeyProvider({
      address: transit.address,
      transitMount: TRANSIT_MOUNT,
      keyName: TRANSIT_KEY,
      auth: { method: 'token', token: transit.token },
    });
    const off = await loadSiteDatabase(server, 'off', shape, () => createPlainFieldCodec());
    // The codec writes its data key (wrapped by the transit key) into this database's data_keys.
    const vault = await loadSiteDatabase(server, 'vault', shape, (sql) => createEnvelopeCodec({ sql, site: BENCH_SITE, provider, blindIndexKey }));
    if (vault.loaded.envelopeRows !== rows || vault.loaded.dataKeys < 1 || off.loaded.envelopeRows !== 0) {
      throw new Error(`the loads are not what they should be: ${JSON.stringify({ off: off.loaded, vault: vault.loaded })}`);
    }
    // Keeps the checkpoint out of the measured runs.
    await postgresSql`checkpoint`;

    const choices: Record<SiteKind, SiteEncryptionChoice> = {
      off: { kind: 'off' },
      vault: {
        kind: 'vault',
        address: proxy.address,
        token: transit.token,
        transitMount: TRANSIT_MOUNT,
        keyName: TRANSIT_KEY,
        blindIndexKey: blindIndexKey.toString('base64'),
      },
    };
    const urls: Record<SiteKind, string> = { off: off.url, vault: vault.url };
    const sites = {} as Record<SiteKind, { process: SiteProcess; username: string; token: string; startSeconds: number }>;
    for (const kind of SITE_KINDS) {
      const adminPassword = randomBytes(18).toString('base64url');
      const started = performance.now();
      // Through startSite: with vault, that is the key checks and the first-start re-seal scan.
      const siteProcess = await startSiteProcess({
        databaseUrl: urls[kind],
        poolSize: settings.poolSize,
        adminPassword,
        encryption: choices[kind],
        applicationName: applicationNameOf(kind),
      });
      const startSeconds = (performance.now() - started) / 1000;
      cleanups.push(() => siteProcess.stop());
      const { username, token } = await agentToken(siteProcess.baseUrl, adminPassword);
      sites[kind] = { process: siteProcess, username, token, startSeconds };
      log(`site ${kind} listens at ${siteProcess.baseUrl} (started in ${startSeconds.toFixed(1)} s)`);
    }
    await assertSamePage(sites.off.process.baseUrl, sites.off.token, sites.vault.process.baseUrl, sites.vault.token, dayOf(shape, 100));

    const web = buildHttpOperations(shape, sites.vault.username);
    const operations = [web.create, web.datePage, web.get];
    for (const operation of operations) {
      for (const kind of SITE_KINDS) await operation.check(sites[kind].process.baseUrl, sites[kind].token);
    }

    const postmasterPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const meters = {
      off: createCpuMeter({ site: sites.off.process.pid, postmaster: postmasterPid }),
      vault: createCpuMeter({ site: sites.vault.process.pid, postmaster: postmasterPid }),
    };
    const vaultCalls = () => Object.values(proxy.counts()).reduce((sum, n) => sum + n, 0);
    const callsBeforeRuns = vaultCalls();
    const runs: EncryptionRun[] = [];
    for (let round = 1; round <= settings.encryptionRounds; round++) {
      // Alternate which site goes first, so a drift in the machine's load favours neither.
      const order: readonly SiteKind[] = round % 2 === 1 ? SITE_KINDS : [...SITE_KINDS].reverse();
      for (const operation of operations) {
        for (const kind of order) {
          const site = sites[kind];
          const options = { baseUrl: site.process.baseUrl, token: site.token, connections: settings.connections };
          const label = `${operation.name}, ${kind}, round ${round}`;
          if (settings.warmupSeconds > 0) assertClean(label, await runHttpScenario(operation.http, { ...options, durationSeconds: settings.warmupSeconds }));
          const loopBefore = await site.process.eventLoop();
          const callsBefore = vaultCalls();
          const waitSampler = startWaitSampler(postgresSql, applicationNameOf(kind));
          const before = meters[kind].snapshot();
          const run = assertClean(label, await runHttpScenario(operation.http, { ...options, durationSeconds: settings.durationSeconds }));
          const cpu = meters[kind].since(before);
          const eventLoopBusy = performance.eventLoopUtilization(await site.process.eventLoop(), loopBefore).utilization;
          const waits = await waitSampler.stop();
          runs.push({ round, operation: operation.name, site: kind, run, cpu, eventLoopBusy, waits, vaultCalls: vaultCalls() - callsBefore });
          log(
            `${label}: ${Math.round(run.requestsPerSecond)} req/s, p50 ${run.latency.p50.toFixed(2)} ms, p95 ${run.latency.p95.toFixed(2)} ms, p99 ${run.latency.p99.toFixed(2)} ms`,
          );
        }
      }
    }

    return renderEncryptionReport({
      startedAt,
      command,
      settings,
      machine: machineAtStart,
      postgresSettings: facts.settings,
      transitKey: `${TRANSIT_MOUNT}/${TRANSIT_KEY}`,
      loads: [off.loaded, vault.loaded],
      siteStartSeconds: { off: sites.off.startSeconds, vault: sites.vault.startSeconds },
      vaultCallsBeforeRuns: callsBeforeRuns,
      vaultCallsByPath: proxy.counts(),
      runs,
      operations: operations.map((operation) => operation.name),
      pageOperation: web.datePage.name,
    });
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log(`clean-up step failed: ${String(error)}`));
    }
  }
}

/** Both sites must serve the same reports, or the comparison compares different work. */
async function assertSamePage(offUrl: string, offToken: string, vaultUrl: string, vaultToken: string, day: string): Promise<void> {
  const path = `/${BENCH_SITE}/v1/accidents?date=${day}&limit=50`;
  const [plain, sealed] = await Promise.all([
    callApi<{ items: unknown[] }>(offUrl, { method: 'GET', path, token: offToken, expect: 200 }),
    callApi<{ items: unknown[] }>(vaultUrl, { method: 'GET', path, token: vaultToken, expect: 200 }),
  ]);
  if (plain.items.length === 0 || JSON.stringify(plain.items) !== JSON.stringify(sealed.items)) {
    throw new Error(`the two sites answer the page of ${day} differently (${plain.items.length} and ${sealed.items.length} reports)`);
  }
}
