// A stand-in for metrics-server: the resource metrics API (metrics.k8s.io/v1beta1) that the HPA
// controller reads a CPU target from. KWOK's pods run nothing, so every container of every pod is
// said to use the same small, fixed CPU. Without it the HPA could not compute a CPU trigger, and an
// HPA with any metric it cannot compute never scales down (kube-controller-manager's
// computeReplicasForMetrics), even when every other metric asks it to.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { type AggregatedApi, registerAggregatedApi } from './aggregated-api.js';
import type { TestCa } from './test-ca.js';

const group = 'metrics.k8s.io';
const version = 'v1beta1';
const serviceName = 'test-resource-metrics';

export interface ResourceMetricsOptions {
  readonly ca: TestCa;
  /** Namespace of the APIService's Service; it must exist. */
  readonly namespace: string;
  /** What each container uses; default 10m, far below any utilisation target of a 250m request. */
  readonly cpuMillicores?: number;
}

export interface ResourceMetrics {
  stop(): Promise<void>;
}

/**
 * Serves PodMetrics for the pods the API server lists, registered as `v1beta1.metrics.k8s.io`. It
 * trusts every caller: it is reached only through the kube-apiserver, on loopback, and serves made-up numbers.
 */
export async function startResourceMetrics(kubeConfig: KubeConfig, options: ResourceMetricsOptions): Promise<ResourceMetrics> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const cpu = `${options.cpuMillicores ?? 10}m`;
  const certificate = await options.ca.issue(serviceName, { dnsNames: [`${serviceName}.${options.namespace}.svc`] });
  const podsPath = new RegExp(`^/apis/${group}/${version}/namespaces/([^/]+)/pods$`);

  const server = createServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://localhost');
    const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === `/apis/${group}/${version}`) {
      send(200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: `${group}/${version}`,
        resources: [{ name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] }],
      });
      return;
    }
    const namespace = podsPath.exec(url.pathname)?.[1];
    if (request.method !== 'GET' || namespace === undefined) {
      send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${url.pathname} is not served here` });
      return;
    }
    const labelSelector = url.searchParams.get('labelSelector') ?? undefined;
    core.listNamespacedPod({ namespace, labelSelector }).then(
      (pods) => {
        const timestamp = new Date().toISOString();
        send(200, {
          kind: 'PodMetricsList',
          apiVersion: `${group}/${version}`,
          metadata: {},
          items: pods.items.map((pod) => ({
            metadata: { name: pod.metadata?.name, namespace, labels: pod.metadata?.labels },
            timestamp,
            window: '10s',
            containers: (pod.spec?.containers ?? []).map((container) => ({ name: container.name, usage: { cpu, memory: '64Mi' } })),
          })),
        });
      },
      (error: unknown) => send(500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: String(error) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  let registration: AggregatedApi;
  try {
    registration = await registerAggregatedApi(kubeConfig, {
      group,
      version,
      namespace: options.namespace,
      serviceName,
      port: (server.address() as AddressInfo).port,
      caBundle: options.ca.ca,
    });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    async stop() {
      await registration.remove();
      server.closeAllConnections();
      await close();
    },
  };
}
