import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppsV1Api, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { ensureTestbin } from '../controlplane/testbin.js';
import { type Keda, startKeda } from '../support/keda.js';
import { type Prometheus, startPrometheus } from '../support/prometheus.js';
import { type ResourceMetrics, startResourceMetrics } from '../support/resource-metrics.js';
import { type TestCa, createTestCa } from '../support/test-ca.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';

const kubeConfig = testKubeConfig();
let load = 0;
const target = createServer((_request, response) => response.end(`# TYPE test_load gauge\ntest_load ${load}\n`));
let ns: Awaited<ReturnType<typeof createTestNamespace>>;
let ca: TestCa;
let keda: Keda | undefined;
let prometheus: Prometheus | undefined;
let metrics: ResourceMetrics | undefined;

beforeAll(async () => {
  ns = await createTestNamespace(kubeConfig, 'keda-smoke');
  ca = await createTestCa();
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  prometheus = await startPrometheus({
    scrapeConfigs: [{ jobName: 'load', targets: [{ address: `127.0.0.1:${(target.address() as AddressInfo).port}`, labels: { namespace: ns.name } }] }],
  });
  metrics = await startResourceMetrics(kubeConfig, { ca, namespace: ns.name });
  keda = await startKeda({ testbin: await ensureTestbin(), kubeConfig, kubeconfigPath: inject('kubeconfigPath'), ca });
}, 240_000);

afterAll(async () => {
  await keda?.stop();
  await metrics?.stop();
  await prometheus?.stop();
  target.close();
  await ca?.remove();
  await ns?.remove();
});

it('KEDA scales a Deployment on a Prometheus query and back', async () => {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const apply = (object: object) => objects.patch(object as never, undefined, undefined, 'test', true, PatchStrategy.ServerSideApply);
  const labels = { app: 'web' };
  await apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns.name },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'example/web', resources: { requests: { cpu: '100m' } } }] } },
    },
  });
  await apply({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'web', namespace: ns.name },
    spec: {
      scaleTargetRef: { name: 'web' },
      minReplicaCount: 1,
      maxReplicaCount: 5,
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } },
      triggers: [
        {
          type: 'prometheus',
          metricType: 'AverageValue',
          metadata: { serverAddress: prometheus!.address, query: `sum(test_load{namespace="${ns.name}"})`, threshold: '1' },
        },
        { type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
      ],
    },
  });
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const replicas = async () => (await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name })).spec?.replicas;
  load = 4;
  const started = Date.now();
  await eventually('4 replicas', replicas, (count) => count === 4, 120_000);
  console.error(`scaled up in ${Date.now() - started} ms`);
  load = 0;
  await eventually('1 replica', replicas, (count) => count === 1, 120_000);
  console.error(`scaled down after ${Date.now() - started} ms`);
  expect(await replicas()).toBe(1);
}, 300_000);
