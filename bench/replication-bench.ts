// Scenario `replication`: HQ and three cities, each a separate api process in single-site mode with
// its own database on one embedded PostgreSQL; a write load at one city; how fast its reports reach
// every other city, and how late. See BENCHMARKS.md.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres, { type Sql } from 'postgres';
import { z } from 'zod';
import { createLocalKeyProvider } from '../api/crypto/local-key-provider.js';
import { freePort } from '../api/platform/free-port.js';
import { startEmbeddedPostgres } from '../api/platform/embedded-postgres.js';
import { deriveCityKey } from '../api/replication/signing.js';
import { machine, postgresFacts } from './machine.js';
import { log, type ScenarioContext } from './progress.js';
import { loadBenchSettings } from './settings.js';

const ORIGIN = 'london';
const CITIES = [ORIGIN, 'manchester', 'leeds'] as const;
const ADMIN_PASSWORD = randomBytes(18).toString('base64url');
const API_ENTRY = fileURLToPath(new URL('../api/main.ts', import.meta.url));

const settingsSchema = z.object({
  /** Steady phase: reports per second written at the origin city. */
  BENCH_REPLICATION_RATE: z.coerce.number().int().min(1).max(5000).default(100),
  /** Saturation phase: concurrent writers at the origin city, as fast as it accepts. */
  BENCH_REPLICATION_WRITERS: z.coerce.number().int().min(1).max(256).default(16),
});

interface Site {
  readonly name: string;
  readonly base: string;
  readonly sql: Sql;
  readonly child: ChildProcess;
  errors(): string;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function waitReady(site: Site) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (site.child.exitCode !== null) throw new Error(`${site.name} exited with ${site.child.exitCode}:\n${site.errors()}`);
    if (
      (await fetch(`${site.base}/${site.name}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${site.name} was not ready within 120 s`);
}

async function json<T>(response: Promise<Response>, expect: number): Promise<T> {
  const answer = await response;
  const text = await answer.text();
  if (answer.status !== expect) throw new Error(`answered ${answer.status}, expected ${expect}: ${text}`);
  return JSON.parse(text) as T;
}

async function agentToken(site: Site): Promise<string> {
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${site.base}/${site.name}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
  const admin = await json<{ token: string }>(post('/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD }), 200);
  await json(post('/v1/users', { username: 'bench-agent', password: ADMIN_PASSWORD, role: 'agent' }, admin.token), 201);
  return (await json<{ token: string }>(post('/v1/auth/login', { username: 'bench-agent', password: ADMIN_PASSWORD }), 200)).token;
}

function report(n: number) {
  return {
    callReason: 'Report a car accident',
    cause: 'Hit a pothole and struck another car',
    drivers: ['Sarah Standl', 'John Radley'],
    policyNumber: `REP-${n}`,
    accidentDate: '2026-11-20',
    location: 'M23, near junction 10',
    damages: ['headlight broken'],
    summary: 'Both drivers unhurt.',
  };
}

/**
 * When each report became visible at `city`: the audit entry of the batch that applied it is
 * appended inside that batch's transaction, so its time is the apply time to within a commit.
 */
async function visibleAt(city: Site, ids: readonly string[]): Promise<Map<string, number>> {
  const rows = await city.sql<{ id: string; at: Date }[]>`
    select applied.id, entry.at from audit_log entry, jsonb_array_elements_text(entry.details -> 'applied') as applied(id)
    where entry.action = 'report.replicate' and applied.id = any(${ids as string[]})`;
  const seen = new Map<string, number>();
  for (const row of rows) if (!seen.has(row.id) || row.at.getTime() < seen.get(row.id)!) seen.set(row.id, row.at.getTime());
  return seen;
}

async function waitDelivered(cities: readonly Site[], ids: readonly string[], timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(
      cities.map(
        async (city) => (await city.sql<{ n: number }[]>`select count(*)::int as n from accidents where id = any(${ids as string[]}::bigint[])`)[0]!.n,
      ),
    );
    if (counts.every((n) => n === ids.length)) return;
    if (Date.now() > deadline) throw new Error(`not every report reached every city within ${timeoutMs} ms (${counts.join(', ')} of ${ids.length})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface PhaseResult {
  readonly name: string;
  readonly written: number;
  readonly writeSeconds: number;
  /** Reports per second that reached every other city: written / (last visible anywhere − first written). */
  readonly deliveredPerSecond: number;
  readonly lagMs: { p50: number; p99: number; max: number };
}

async function measurePhase(
  name: string,
  origin: Site,
  others: readonly Site[],
  write: () => Promise<{ id: string; createdAt: number }[]>,
): Promise<PhaseResult> {
  const started = Date.now();
  const written = await write();
  const writeSeconds = (Date.now() - started) / 1000;
  const ids = written.map((entry) => entry.id);
  await waitDelivered(others, ids);
  const lags: number[] = [];
  let lastVisible = 0;
  for (const city of others) {
    const seen = await visibleAt(city, ids);
    for (const entry of written) {
      const at = seen.get(entry.id);
      if (at === undefined) continue; // a backfill page, not a batch, carried it: not the steady path
      lags.push(at - entry.createdAt);
      lastVisible = Math.max(lastVisible, at);
    }
  }
  lags.sort((a, b) => a - b);
  const firstCreated = Math.min(...written.map((entry) => entry.createdAt));
  const result = {
    name,
    written: written.length,
    writeSeconds,
    deliveredPerSecond: written.length / ((lastVisible - firstCreated) / 1000),
    lagMs: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.at(-1) ?? Number.NaN },
  };
  log(
    `replication ${name}: ${result.written} reports, ${result.deliveredPerSecond.toFixed(0)} reports/s to every city, lag p50 ${result.lagMs.p50} ms, p99 ${result.lagMs.p99} ms`,
  );
  return result;
}

export async function runReplicationBench({ command }: ScenarioContext): Promise<string> {
  const settings = loadBenchSettings();
  const own = settingsSchema.parse(process.env);
  const startedAt = new Date();
  const dir = await mkdtemp(join(tmpdir(), 'crashdesk-bench-replication-'));
  await chmod(dir, 0o755); // PostgreSQL runs as the `postgres` user when we run as root
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  try {
    // Durable settings, as in the other scenarios: every site commits with fsync.
    const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), password: randomBytes(18).toString('base64url') });
    cleanups.push(() => server.stop());
    // As in production, each site serves as a role of its own; the superuser only migrates and grants.
    const appUrl = await server.ensureLoginRole('crashdesk_app', randomBytes(18).toString('base64url'));
    const secret = randomBytes(32).toString('hex');
    const names = ['hq', ...CITIES];
    const ports = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await freePort()] as const)));
    const internalPorts = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await freePort()] as const)));
    const baseOf = (name: string) => `http://127.0.0.1:${ports[name]}`;
    // Sites reach each other on the internal port, the agents' API on the public one.
    const internalBaseOf = (name: string) => `http://127.0.0.1:${internalPorts[name]}`;
    const sites: Site[] = [];
    for (const [number, name] of names.entries()) {
      await server.ensureDatabase(`crashdesk_${name}`);
      const keyFile = join(dir, `${name}-keys.json`);
      await createLocalKeyProvider(keyFile, { create: true });
      const child = spawn(process.execPath, ['--import', 'tsx', API_ENTRY], {
        env: {
          ...process.env,
          LOG_LEVEL: 'warn',
          HOST: '127.0.0.1',
          PORT: String(ports[name]),
          CRASHDESK_INTERNAL_PORT: String(internalPorts[name]),
          CRASHDESK_SITE: name,
          CRASHDESK_SITE_NUMBER: String(number),
          DATABASE_URL: appUrl(`crashdesk_${name}`),
          DATABASE_OWNER_URL: server.url(`crashdesk_${name}`),
          DATABASE_POOL_SIZE: String(settings.poolSize),
          CRASHDESK_ADMIN_PASSWORD: ADMIN_PASSWORD,
          CRASHDESK_BLIND_INDEX_KEY: randomBytes(32).fill(3).toString('base64'),
          CRASHDESK_LOCAL_KEY_FILE: keyFile,
          CRASHDESK_REPLICATION_SECRET: name === 'hq' ? secret : deriveCityKey(secret, name),
          ...(name === 'hq'
            ? { CRASHDESK_PEERS: CITIES.map((city) => `${city}=${internalBaseOf(city)}`).join(',') }
            : { CRASHDESK_HQ_URL: internalBaseOf('hq'), CRASHDESK_REPLICATION_URL: internalBaseOf(name) }),
        },
        // stdout carries the report: the sites' start-up banners and warnings stay out of it.
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
      const site = {
        name,
        base: baseOf(name),
        child,
        errors: () => errors,
        sql: postgres(server.url(`crashdesk_${name}`), { max: 2, onnotice: () => undefined }),
      };
      cleanups.push(async () => {
        await site.sql.end({ timeout: 5 });
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      });
      sites.push(site);
    }
    await Promise.all(sites.map(waitReady));
    const facts = await postgresFacts(sites[0]!.sql);
    const origin = sites.find((site) => site.name === ORIGIN)!;
    const others = sites.filter((site) => site !== origin);
    const token = await agentToken(origin);
    let n = 0;
    const create = async () => {
      n += 1;
      const body = await json<{ id: string; createdAt: string }>(
        fetch(`${origin.base}/${ORIGIN}/v1/accidents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(report(n)),
        }),
        201,
      );
      return { id: body.id, createdAt: Date.parse(body.createdAt) };
    };
    log(`replication: warm-up`);
    await measurePhase('warm-up', origin, others, () => Promise.all(Array.from({ length: 200 }, create)));

    const steady = await measurePhase(`steady ${own.BENCH_REPLICATION_RATE} reports/s`, origin, others, async () => {
      const total = own.BENCH_REPLICATION_RATE * settings.durationSeconds;
      const began = performance.now();
      const pending: Promise<{ id: string; createdAt: number }>[] = [];
      for (let i = 0; i < total; i++) {
        const due = began + (i * 1000) / own.BENCH_REPLICATION_RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        pending.push(create());
      }
      return Promise.all(pending);
    });

    const saturated = await measurePhase(`saturated, ${own.BENCH_REPLICATION_WRITERS} writers`, origin, others, async () => {
      const written: { id: string; createdAt: number }[] = [];
      const until = Date.now() + settings.durationSeconds * 1000;
      await Promise.all(
        Array.from({ length: own.BENCH_REPLICATION_WRITERS }, async () => {
          while (Date.now() < until) written.push(await create());
        }),
      );
      return written;
    });

    const row = (r: PhaseResult) =>
      `| ${r.name} | ${r.written} | ${(r.written / r.writeSeconds).toFixed(0)} | ${r.deliveredPerSecond.toFixed(0)} | ${r.lagMs.p50} | ${r.lagMs.p99} | ${r.lagMs.max} |`;
    const facts_ = machine(facts.version);
    return `## Replication: one city's writes reaching every other city

Started ${startedAt.toISOString()} with \`${command}\`. HQ and ${CITIES.join(', ')} as separate api processes in
single-site mode (field encryption with local key files, replication with default batch size and interval),
each with its own database on one embedded PostgreSQL (durable settings) on this machine. Writes go to
${ORIGIN} through its HTTP API; a report is *visible* at a city when the batch that applied it there
commits (the time of that batch's \`replication:hq\` audit entry). Lag is visible-at minus the report's
\`createdAt\` at ${ORIGIN}, for each of the other sites (HQ, and the two cities via HQ). Delivered/s is
the reports written divided by the time from the first write to the last report visible everywhere.

| ${Object.keys(facts_).join(' | ')} |
| ${Object.keys(facts_)
      .map(() => '---')
      .join(' | ')} |
| ${Object.values(facts_).join(' | ')} |

| phase | reports | written/s at ${ORIGIN} | delivered/s to every site | lag p50 (ms) | lag p99 (ms) | lag max (ms) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${row(steady)}
${row(saturated)}
`;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log(`clean-up step failed: ${String(error)}`));
    }
  }
}
