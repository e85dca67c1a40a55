// Every panel of the shipped dashboards shows data from a real Prometheus: the local platform
// (`npm start`: hq and london in one process, Vault transit for keys) under traffic, and the
// operator reconciling a london City on the test control plane, both scraped every second as
// pods of one namespace would be. Each /metrics body also passes `promtool check metrics`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { startHttpServer } from '../../operator/http.js';
import { type ApiProcess, postJson, startApiProcess } from '../support/api-process.js';
import { dashboardQueries, withVariables } from '../support/dashboard-queries.js';
import { type Prometheus, startPrometheus } from '../support/prometheus.js';
import { newReport, USER_PASSWORD } from '../support/site.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  actAsCnpg,
  applyCity,
  cityManifest,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  isReady,
  readCity,
  startTestOperator,
  type TestOperator,
} from './operator-support.js';

const vaultAddress = inject('vaultAddress');
const vaultToken = inject('vaultToken');
const kubeConfig = testKubeConfig();
const kube = createKube(kubeConfig);
const ADMIN_PASSWORD = 'Dashboards-Admin-Password-1';
const SITE = 'london';

let namespace: Awaited<ReturnType<typeof createTestNamespace>> | undefined;
let operator: TestOperator | undefined;
let operatorServer: Server | undefined;
let platform: ApiProcess | undefined;
let prometheus: Prometheus | undefined;
let dataDir: string | undefined;
let traffic: { stop(): Promise<void> } | undefined;

async function transit(path: string) {
  const response = await fetch(`${vaultAddress}/v1/transit/${path}`, { method: 'POST', headers: { 'x-vault-token': vaultToken }, body: '{}' });
  if (!response.ok) throw new Error(`transit/${path} answered ${response.status}: ${await response.text()}`);
}

async function signIn(site: string, username: string, password: string): Promise<string> {
  const answer = await postJson(`${platform!.base}/${site}/v1/auth/login`, { username, password });
  if (answer.status !== 200) throw new Error(`${username} could not sign in at ${site}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.token as string;
}

async function agentAt(site: string): Promise<string> {
  const admin = await signIn(site, 'admin', ADMIN_PASSWORD);
  const created = await postJson(`${platform!.base}/${site}/v1/users`, { username: 'agent1', password: USER_PASSWORD, role: 'agent' }, admin);
  if (created.status !== 201) throw new Error(`creating an agent at ${site} failed: ${created.status}`);
  return signIn(site, 'agent1', USER_PASSWORD);
}

/** What agents do all day, at both sites, until stopped: record a report, read it back, look it up by policy number, paste a call. */
function startTraffic(tokens: Record<string, string>) {
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    while (!stopped) {
      for (const [site, token] of Object.entries(tokens)) {
        const report = newReport();
        const created = await postJson(`${platform!.base}/${site}/v1/accidents`, report, token);
        if (created.status !== 201) throw new Error(`recording a report at ${site} answered ${created.status}`);
        const headers = { authorization: `Bearer ${token}` };
        await fetch(`${platform!.base}/${site}/v1/accidents/${created.body.id}`, { headers }).then((r) => r.arrayBuffer());
        await fetch(`${platform!.base}/${site}/v1/accidents?policyNumber=${encodeURIComponent(report.policyNumber)}`, { headers }).then((r) => r.arrayBuffer());
        const call = `Agent: Your name and policy number?\nCaller: ${report.drivers[0]}, policy ${report.policyNumber}.`;
        const intake = await postJson(`${platform!.base}/${site}/v1/intakes`, { transcript: call }, token);
        if (intake.status !== 202) throw new Error(`sending a call to draft at ${site} answered ${intake.status}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })().catch((error: unknown) => (failure = error));
  return {
    /** Stops, and throws what stopped the agents early, if anything did. */
    async stop() {
      stopped = true;
      await loop;
      if (failure) throw new Error('the traffic stopped early', { cause: failure });
    },
  };
}

beforeAll(async () => {
  // The operator, with a london City whose api Deployment runs on the control plane's nodes.
  await installCityCrd(kube);
  namespace = await createTestNamespace(kubeConfig, 'dashboards');
  const ns = namespace.name;
  await createPlatformSecrets(kube, ns);
  operator = await startTestOperator(kubeConfig, ns, { address: vaultAddress, token: vaultToken }, { resyncMs: 1_000 });
  operatorServer = await startHttpServer(operator.registry, 0, '127.0.0.1');
  for (const name of ['hq', SITE]) await applyCity(kube, cityManifest(ns, name, vaultAddress));
  await Promise.all(['hq', SITE].map((name) => actAsCnpg(kube, ns, `crashdesk-${name}-db`)));
  await eventually(`City ${SITE} to be Ready`, () => readCity(kube, ns, SITE), isReady, 90_000);

  // The local platform, its keys in the transit server.
  const transitKey = `dashboards-${randomBytes(3).toString('hex')}`;
  for (const site of ['hq', SITE]) await transit(`keys/${transitKey}-${site}`);
  dataDir = await mkdtemp(join(tmpdir(), 'crashdesk-dashboards-'));
  await chmod(dataDir, 0o755);
  platform = await startApiProcess({
    CRASHDESK_DATA_DIR: dataDir,
    CRASHDESK_SITES: `hq,${SITE}`,
    CRASHDESK_ADMIN_PASSWORD: ADMIN_PASSWORD,
    CRASHDESK_KEY_PROVIDER: 'vault',
    VAULT_ADDR: vaultAddress,
    VAULT_TOKEN: vaultToken,
    VAULT_TRANSIT_KEY: `${transitKey}-{site}`,
    CRASHDESK_AUDIT_SIGN_INTERVAL_MS: '1000',
  });
  await platform.waitReady(SITE, 60_000);
  await platform.waitReady('hq', 10_000);

  // Scraped as the pods of one namespace: the target labels a ServiceMonitor would give them.
  const address = (url: string) => new URL(url).host;
  prometheus = await startPrometheus({
    scrapeConfigs: [
      { jobName: 'crashdesk-api', targets: [{ address: address(platform.base), labels: { namespace: ns, pod: 'crashdesk-platform-0' } }] },
      {
        jobName: 'crashdesk-operator',
        targets: [{ address: `127.0.0.1:${(operatorServer.address() as AddressInfo).port}`, labels: { namespace: ns, pod: 'crashdesk-operator-0' } }],
      },
    ],
  });
  await prometheus.waitForTargetsUp();

  traffic = startTraffic({ [SITE]: await agentAt(SITE), hq: await agentAt('hq') });
  // A forgotten password: five failures are free, the sixth try is throttled.
  for (let attempt = 0; attempt < 7; attempt += 1) {
    await postJson(`${platform.base}/${SITE}/v1/auth/login`, { username: 'agent1', password: `not the password ${attempt}` });
  }
}, 240_000);

afterAll(async () => {
  await traffic?.stop().catch(() => undefined); // already stopped by its test, unless that did not run
  await prometheus?.stop();
  await platform?.stop('SIGTERM');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (namespace) await deleteAllCities(kube, namespace.name).catch(() => undefined);
  await operator?.stop();
  await new Promise((resolve) => (operatorServer ? operatorServer.close(resolve) : resolve(undefined)));
  await namespace?.remove();
});

describe('the dashboards against a real Prometheus', () => {
  const queries = dashboardQueries();

  it.each(queries.map((query) => [`${query.dashboard} / ${query.panel}: ${query.expr}`, query] as const))(
    'show data: %s',
    async (_name, query) => {
      const expr = withVariables(query.expr, { namespace: namespace!.name, site: SITE, rateInterval: '1m' });
      const samples = await eventually(
        `${query.panel} to return a number`,
        () => prometheus!.query(expr),
        (result) => result.some((sample) => Number.isFinite(sample.value)),
        60_000,
      );
      expect(samples.length).toBeGreaterThan(0);
    },
    90_000,
  );

  it('counted what the traffic did, not only zeros: a throttled login, replication both ways, Vault calls, the ready replicas', async () => {
    const ns = namespace!.name;
    const atLeastOne = async (expr: string) => {
      const samples = await eventually(
        expr,
        () => prometheus!.query(expr),
        (result) => result.some((sample) => sample.value > 0),
        30_000,
      );
      expect(samples.length).toBeGreaterThan(0);
    };
    await atLeastOne(`crashdesk_login_throttled_total{namespace="${ns}", site="${SITE}", scope="pair"}`);
    await atLeastOne(`crashdesk_replication_shipped_reports_total{namespace="${ns}", site="${SITE}", peer="hq"}`);
    await atLeastOne(`crashdesk_replication_applied_reports_total{namespace="${ns}", site="${SITE}", peer="hq"}`);
    await atLeastOne(`crashdesk_vault_requests_total{namespace="${ns}", site="${SITE}", operation="hmac", result="ok"}`);
    await atLeastOne(`crashdesk_operator_city_replicas{namespace="${ns}", site="${SITE}", state="ready"}`);
  });

  it('had the agents working throughout', async () => {
    await traffic!.stop();
  });

  it('expose /metrics that promtool check metrics finds nothing wrong with, for the platform and the operator', async () => {
    const bodies = {
      platform: await (await fetch(`${platform!.base}/metrics`)).text(),
      operator: await (await fetch(`http://127.0.0.1:${(operatorServer!.address() as AddressInfo).port}/metrics`)).text(),
    };
    for (const [name, body] of Object.entries(bodies)) {
      const { code, output } = await promtoolCheckMetrics(body);
      expect(output, `promtool check metrics on the ${name}'s /metrics`).toBe('');
      expect(code).toBe(0);
    }
  });
});

function promtoolCheckMetrics(body: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.PROMTOOL ?? 'promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output: output.trim() }));
    child.stdin.end(body);
  });
}
