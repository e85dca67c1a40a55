// An API server of a test's own (KEDA's metrics server, a stand-in for metrics-server) registered
// with the test kube-apiserver's aggregation layer, though it listens on loopback outside the cluster.
import { type KubeConfig, KubernetesObjectApi, type KubernetesObject, PatchStrategy } from '@kubernetes/client-node';
import { type ManagedProcess, waitUntil } from '../controlplane/processes.js';

const fieldManager = 'crashdesk-test-setup';

export interface AggregatedApiOptions {
  readonly group: string;
  readonly version: string;
  /** Where the APIService's Service lives; the namespace must exist. */
  readonly namespace: string;
  readonly serviceName: string;
  /** The loopback port the server listens on (HTTPS). */
  readonly port: number;
  /** The CA of the server's certificate, which must name `<serviceName>.<namespace>.svc`: the kube-apiserver checks that name. */
  readonly caBundle: Buffer;
  /** The server's processes, if it has any: waiting stops, with their log, when one exits. */
  readonly watch?: readonly ManagedProcess[];
}

export interface AggregatedApi {
  /** Deletes the APIService (so that discovery never lists a group whose server is gone) and its Service. */
  remove(): Promise<void>;
}

/**
 * Registers `v<version>.<group>` and waits until the kube-apiserver reports it Available. The
 * Service is an ExternalName of 127.0.0.1: Endpoints and EndpointSlices may not hold a loopback
 * address, and without --enable-aggregator-routing the kube-apiserver dials an ExternalName
 * Service's name at the APIService's port as it is.
 */
export async function registerAggregatedApi(kubeConfig: KubeConfig, options: AggregatedApiOptions): Promise<AggregatedApi> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const name = `${options.version}.${options.group}`;
  const service: KubernetesObject & { spec: unknown } = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: options.serviceName, namespace: options.namespace },
    spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port: options.port }] },
  };
  const apiService: KubernetesObject & { spec: unknown } = {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name },
    spec: {
      group: options.group,
      version: options.version,
      service: { name: options.serviceName, namespace: options.namespace, port: options.port },
      caBundle: options.caBundle.toString('base64'),
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  };
  const apiServiceHeader = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name } };
  const remove = async () => {
    for (const object of [apiService, service]) {
      await objects.delete(object).catch((error: unknown) => {
        if ((error as { code?: number }).code !== 404) throw new Error(`deleting ${object.kind} ${object.metadata?.name}`, { cause: error });
      });
    }
  };
  try {
    for (const object of [service, apiService]) await objects.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
    await waitUntil(
      `APIService ${name} to be Available`,
      async () => {
        const current = (await objects.read(apiServiceHeader)) as { status?: { conditions?: { type: string; status: string }[] } };
        return current.status?.conditions?.some((condition) => condition.type === 'Available' && condition.status === 'True') === true;
      },
      { timeoutMs: 60_000, watch: options.watch },
    );
  } catch (error) {
    const current = await objects.read(apiServiceHeader).catch(() => undefined);
    await remove();
    throw new Error(`registering the aggregated API ${name}: ${JSON.stringify((current as { status?: unknown } | undefined)?.status)}`, { cause: error });
  }
  return { remove };
}
