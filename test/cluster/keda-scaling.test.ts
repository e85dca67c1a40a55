// A City's api scales on its requests per second, end to end: the real api processes take load from
// autocannon, the real Prometheus scrapes them with the labels of the City's pods, the operator
// (in process) emits the ScaledObject, KEDA's operator and metrics server (test/support/keda.ts)
// serve its triggers to the HPA controller of kube-controller-manager, and the Deployment on the KWOK
// nodes grows and shrinks. KWOK's pods run nothing, so the api processes stand in for them as load
// receivers: Prometheus labels them as pods of the City's namespace, and the trigger's query sums the
// site's requests over them, which KEDA divides by the replica count (AverageValue).
//
// This file removes the ScaledObject CRD for a while (a City without KEDA) and puts the shared one
// back, so no other file sees it gone.
import { join } from 'node:path';
import autocannon, { type AutocannonResult } from 'autocannon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resourcePath } from '../../operator/kube.js';
import { installCrds, upstreamCrdDirectory } from '../controlplane/crds.js';
import { ensureTestbin } from '../controlplane/testbin.js';
import { type ApiProcess, postJson, startApiProcess } from '../support/api-process.js';
import { type Keda, startKeda } from '../support/keda.js';
import { type Prometheus, startPrometheus } from '../support/prometheus.js';
import { type ResourceMetrics, startResourceMetrics } from '../support/resource-metrics.js';
import { singleSiteEnvironment } from '../support/single-site-env.js';
import { type TestCa, createTestCa } from '../support/test-ca.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  actAsCnpg,
  applyCity,
  cityManifest,
  conditionOf,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  readCity,
  startTestOperator,
  type TestOperator,
} from './operator-support.js';

const kubeConfig = testKubeConfig();
const kube = createKube(kubeConfig);
const vaultAddress = inject('vaultAddress');
const scaledObjectCrd = resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'scaledobjects.keda.sh');
const adminPassword = 'keda-scaling-admin-password-1';
const agentPassword = 'Correct-Horse-Battery-9';
const site = 'york';
/** Both api processes together: at 10 per replica (the City's target), 8 replicas' worth, so the HPA wants its maximum. */
const requestsPerSecond = 80;

let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let ns: string;
let ca: TestCa;
let siteEnvironment: Awaited<ReturnType<typeof singleSiteEnvironment>>;
const apis: ApiProcess[] = [];
let prometheus: Prometheus;
let resourceMetrics: ResourceMetrics | undefined;
let operator: TestOperator | undefined;
let keda: Keda | undefined;

beforeAll(async () => {
  await installCityCrd(kube);
  namespace = await createTestNamespace(kubeConfig, 'keda-scaling');
  ns = namespace.name;
  await createPlatformSecrets(kube, ns);
  ca = await createTestCa();

  siteEnvironment = await singleSiteEnvironment(adminPassword);
  // The load comes from one account and one address, standing for a floor of agents: no rate limits.
  const unlimited = { CRASHDESK_RATE_LIMIT_ACCOUNT_PER_MINUTE: '0', CRASHDESK_RATE_LIMIT_ADDRESS_PER_MINUTE: '0' };
  apis.push(await startApiProcess({ ...siteEnvironment.env, ...unlimited, CRASHDESK_SITE: site }));
  apis.push(await startApiProcess({ ...siteEnvironment.env, ...unlimited, CRASHDESK_SITE: site }));
  await Promise.all(apis.map((api) => api.waitReady(site, 60_000)));
  // Target labels as a ServiceMonitor's scrape would give them. Not `site`: the api labels its own
  // series with it, and a target label of the same name would rename the api's to exported_site.
  prometheus = await startPrometheus({
    scrapeConfigs: [
      {
        jobName: `${ns}/crashdesk-api-${site}`,
        targets: apis.map((api, index) => ({ address: `127.0.0.1:${api.port}`, labels: { namespace: ns, pod: `crashdesk-api-${site}-load-${index}` } })),
      },
    ],
  });
  await prometheus.waitForTargetsUp();
  resourceMetrics = await startResourceMetrics(kubeConfig, { ca, namespace: ns });

  await kube.delete(scaledObjectCrd);
  await eventually(
    'the ScaledObject CRD to be gone',
    () => kube.getOrUndefined(scaledObjectCrd),
    (crd) => crd === undefined,
    60_000,
  );
  operator = await startTestOperator(kubeConfig, ns, { address: vaultAddress, token: inject('vaultToken') }, { resyncMs: 1_000, crdProbeIntervalMs: 500 });
  await eventually('the operator to lead', async () => operator?.isLeader(), Boolean, 15_000);
}, 240_000);

afterAll(async () => {
  // Every step runs even when one before it fails, so that no process outlives the file.
  const steps: (() => unknown)[] = [
    () => deleteAllCities(kube, ns).catch(() => undefined),
    () => operator?.stop(),
    () => keda?.stop(),
    () => installCrds(kubeConfig, join(upstreamCrdDirectory, 'keda')),
    () => resourceMetrics?.stop(),
    () => prometheus?.stop(),
    () => Promise.all(apis.map((api) => api.stop())),
    () => siteEnvironment?.cleanup(),
    () => ca?.remove(),
    () => namespace?.remove(),
  ];
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'cleaning up after the scaling test');
}, 120_000);

interface Deployment {
  readonly spec: { readonly replicas?: number };
  readonly status?: { readonly readyReplicas?: number };
}

const deploymentOf = (city: string) => kube.get<Deployment>(resourcePath('apps/v1', 'Deployment', ns, `crashdesk-api-${city}`));
const readyReplicas = async (city: string) => (await deploymentOf(city)).status?.readyReplicas ?? 0;
const desiredReplicas = async (city: string) => (await deploymentOf(city)).spec.replicas;

/** An agent's token: the admin signs in and creates one, as in an agent's first minutes on a site. */
async function agentToken(): Promise<string> {
  const base = `${apis[0]!.base}/${site}`;
  const admin = await postJson(`${base}/v1/auth/login`, { username: 'admin', password: adminPassword });
  if (admin.status !== 200) throw new Error(`the admin could not sign in: ${admin.status} ${JSON.stringify(admin.body)}`);
  const created = await postJson(`${base}/v1/users`, { username: 'load-agent', password: agentPassword, role: 'agent' }, admin.body.token as string);
  if (created.status !== 201) throw new Error(`creating an agent failed: ${created.status} ${JSON.stringify(created.body)}`);
  const agent = await postJson(`${base}/v1/auth/login`, { username: 'load-agent', password: agentPassword });
  return agent.body.token as string;
}

/** Loads every api process at an even share of `rate` with an agent's read of today's reports (a database query the requests query counts). */
async function startLoad(rate: number): Promise<{ stop(): Promise<AutocannonResult[]> }> {
  const token = await agentToken();
  const path = `/${site}/v1/accidents?date=${new Date().toISOString().slice(0, 10)}`;
  const probe = await fetch(`${apis[0]!.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (probe.status !== 200) throw new Error(`the load's request answers ${probe.status}: ${await probe.text()}`);
  const runs = apis.map((api) => {
    let instance: ReturnType<typeof autocannon> | undefined;
    const finished = new Promise<AutocannonResult>((resolve, reject) => {
      instance = autocannon(
        {
          url: `${api.base}${path}`,
          connections: 2,
          overallRate: rate / apis.length,
          duration: 600,
          headers: { authorization: `Bearer ${token}` },
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
    return { instance: instance!, finished };
  });
  return {
    async stop() {
      for (const run of runs) run.instance.stop();
      return Promise.all(runs.map((run) => run.finished));
    },
  };
}

describe('a City without KEDA', () => {
  it('gets an HPA on CPU alone, and ScalingConfigured says CpuOnly', async () => {
    await applyCity(kube, cityManifest(ns, 'leeds', vaultAddress, { api: { image: 'registry.example/crashdesk/api:1.0.0', replicas: { min: 1, max: 4 } } }));
    await actAsCnpg(kube, ns, 'crashdesk-leeds-db');
    const hpa = await eventually(
      'the HPA of leeds',
      () =>
        kube.getOrUndefined<{ spec: { metrics: { type: string; resource?: { name: string } }[] } }>(
          resourcePath('autoscaling/v2', 'HorizontalPodAutoscaler', ns, 'crashdesk-api-leeds'),
        ),
      Boolean,
      60_000,
    );
    expect(hpa!.spec.metrics.map((metric) => `${metric.type}/${metric.resource?.name}`)).toEqual(['Resource/cpu']);
    const city = await eventually(
      'ScalingConfigured',
      () => readCity(kube, ns, 'leeds'),
      (found) => conditionOf(found, 'ScalingConfigured') !== undefined,
    );
    expect(conditionOf(city, 'ScalingConfigured')).toMatchObject({ status: 'True', reason: 'CpuOnly' });
    await deleteAllCities(kube, ns);
  }, 120_000);
});

describe('a City with KEDA installed', () => {
  beforeAll(async () => {
    keda = await startKeda({ testbin: await ensureTestbin(), kubeConfig, kubeconfigPath: inject('kubeconfigPath'), ca });
  }, 120_000);

  const york = (scaling: Record<string, unknown> = {}) =>
    cityManifest(ns, site, vaultAddress, {
      api: { image: 'registry.example/crashdesk/api:1.0.0', replicas: { min: 1, max: 4 } },
      timezone: 'UTC',
      // A short stabilisation window: what is tested is that pods are given back, not how patiently.
      scaling: { prometheusAddress: prometheus.address, targetRequestsPerSecond: 10, scaleDownStabilizationSeconds: 15, ...scaling },
    });

  it(
    'grows its Deployment from the minimum to 3 or more replicas under load within 2 minutes, and back to the minimum once the load stops',
    async () => {
      await applyCity(kube, york());
      await actAsCnpg(kube, ns, `crashdesk-${site}-db`);
      await eventually(
        'the ScaledObject of york',
        () => kube.getOrUndefined(resourcePath('keda.sh/v1alpha1', 'ScaledObject', ns, `crashdesk-api-${site}`)),
        Boolean,
        60_000,
      );
      await eventually(
        'KEDA to make its HPA',
        () => kube.getOrUndefined(resourcePath('autoscaling/v2', 'HorizontalPodAutoscaler', ns, `keda-hpa-crashdesk-api-${site}`)),
        Boolean,
        60_000,
      );
      const city = await readCity(kube, ns, site);
      expect(conditionOf(city, 'ScalingConfigured')).toMatchObject({ status: 'True', reason: 'KedaScaledObject' });
      await eventually(
        'york at its minimum, 1 replica Ready',
        () => readyReplicas(site),
        (ready) => ready === 1,
        60_000,
      );

      const load = await startLoad(requestsPerSecond);
      const loadStarted = Date.now();
      try {
        await eventually(
          '3 or more Ready replicas under load',
          () => readyReplicas(site),
          (ready) => ready >= 3,
          120_000,
        );
      } finally {
        const results = await load.stop();
        console.error(
          `keda-scaling: 3+ replicas Ready ${Date.now() - loadStarted} ms after the load started; ${results.map((r) => r['2xx']).join(' + ')} requests answered 2xx`,
        );
        expect(results.every((result) => result.errors === 0 && result.non2xx === 0)).toBe(true);
      }
      const loadStopped = Date.now();
      // rate(...[2m]) falls to nothing two minutes after the last request; then the 15 s stabilisation window.
      await eventually(
        'york back at 1 replica',
        () => desiredReplicas(site),
        (replicas) => replicas === 1,
        5 * 60_000,
      );
      console.error(`keda-scaling: back to the minimum ${Date.now() - loadStopped} ms after the load stopped`);
    },
    9 * 60_000,
  );

  it(
    'raises the floor while a schedule window is open (a cron trigger)',
    async () => {
      await eventually(
        'york at its minimum before the window',
        () => desiredReplicas(site),
        (replicas) => replicas === 1,
        5 * 60_000,
      );
      const now = new Date();
      const clock = (date: Date) => date.toISOString().slice(11, 16);
      const window = { name: 'peak', start: clock(new Date(now.getTime() - 5 * 60_000)), end: clock(new Date(now.getTime() + 60 * 60_000)), minReplicas: 3 };
      await applyCity(kube, york({ schedules: [window] }));
      const started = Date.now();
      await eventually(
        '3 replicas while the window is open',
        () => desiredReplicas(site),
        (replicas) => replicas === 3,
        90_000,
      );
      console.error(`keda-scaling: the open window raised york to 3 replicas in ${Date.now() - started} ms`);
    },
    7 * 60_000,
  );
});
