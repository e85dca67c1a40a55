// Shared by the operator's cluster tests: the City CRD, an in-process operator, City manifests,
// and a stand-in for the CloudNativePG operator (no database runs here: the test reports the
// Cluster healthy and creates its app Secret, as CNPG would).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { cityCrd } from '../../operator/city/crd.js';
import { API_VERSION, type City, PLURAL } from '../../operator/city/types.js';
import { type Operator, startOperator } from '../../operator/controller.js';
import { createKube, isNotFound, type Kube, KubeError, resourcePath } from '../../operator/kube.js';
import { operatorVaultPolicy } from '../../operator/vault-policy.js';
import { eventually } from './kube-client.js';

export async function installCityCrd(kube: Kube): Promise<void> {
  await kube.apply(cityCrd, 'crashdesk-test-setup');
  await eventually(
    'the City CRD to be Established',
    () =>
      kube.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, cityCrd.metadata.name),
      ),
    (crd) => crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true,
  );
}

export interface TestOperator extends Operator {
  readonly registry: Registry;
}

export async function startTestOperator(
  kubeConfig: KubeConfig,
  namespace: string,
  vault: { readonly address: string; readonly token: string },
  options: { leaseDurationMs?: number; resyncMs?: number; crdProbeIntervalMs?: number; watchNamespaces?: readonly string[] } = {},
): Promise<TestOperator> {
  const registry = new Registry();
  const operator = await startOperator({
    kubeConfig,
    logger: pino({ level: process.env.OPERATOR_TEST_LOG_LEVEL ?? 'silent' }),
    registry,
    vault: { auth: { method: 'token', token: vault.token }, addresses: { address: vault.address, allowed: [vault.address] } },
    namespace,
    watchNamespaces: options.watchNamespaces ?? [namespace],
    leaseName: `operator-${randomBytes(3).toString('hex')}`,
    leaseDurationMs: options.leaseDurationMs ?? 3_000,
    notReadyRequeueMs: 2_000,
    resyncMs: options.resyncMs,
    crdProbeIntervalMs: options.crdProbeIntervalMs,
  });
  return Object.assign(operator, { registry });
}

export function cityManifest(namespace: string, name: string, vaultAddress: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: API_VERSION,
    kind: 'City',
    metadata: { name, namespace },
    spec: {
      role: name === 'hq' ? 'hq' : 'city',
      displayName: name,
      api: { image: 'registry.example/crashdesk/api:1.0.0', replicas: { min: 2, max: 4 } },
      ingress: { host: 'crashdesk.example', className: 'nginx', tlsSecretName: 'crashdesk-tls' },
      database: { managed: { instances: 2, storageSize: '1Gi' } },
      encryption: { vaultAddress },
      ...spec,
    },
  };
}

export const cityPath = (namespace: string, name?: string) => resourcePath(API_VERSION, 'City', namespace, name);

/** Applies a City as `kubectl apply --server-side` would, under a field manager of its own. */
export async function applyCity(kube: Kube, manifest: ReturnType<typeof cityManifest>): Promise<void> {
  await kube.apply(manifest, 'kubectl-test');
}

/** Awaits a request the API server must refuse; returns its status code and message. */
export async function refusal(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await request;
  } catch (error) {
    if (error instanceof KubeError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the request was expected to be refused, but it succeeded');
}

/** The platform-wide Secrets every City of a namespace reads. */
export async function createPlatformSecrets(kube: Kube, namespace: string): Promise<void> {
  const secret = (name: string, data: Record<string, string>) =>
    kube.create(resourcePath('v1', 'Secret', namespace), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    });
  await secret('crashdesk-blind-index', { key: randomBytes(32).toString('base64') });
  await secret('crashdesk-replication', { secret: randomBytes(32).toString('hex') });
}

/** Plays the CloudNativePG operator for one Cluster: its app Secret, and a healthy status. */
export async function actAsCnpg(kube: Kube, namespace: string, cluster: string): Promise<void> {
  const path = resourcePath('postgresql.cnpg.io/v1', 'Cluster', namespace, cluster);
  const current = await eventually(
    `Cluster ${cluster} to exist`,
    () => kube.getOrUndefined<{ spec: { instances: number } }>(path),
    (found) => found !== undefined,
    30_000,
  );
  const instances = current?.spec.instances ?? 1;
  await kube
    .create(resourcePath('v1', 'Secret', namespace), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${cluster}-app`, namespace },
      stringData: { uri: `postgresql://app:secret@${cluster}-rw.${namespace}:5432/app` },
    })
    .catch((error: unknown) => {
      if (!(error instanceof Error && error.message.includes('409'))) throw error;
    });
  await kube.mergePatch(`${path}/status`, { status: { instances, readyInstances: instances, phase: 'Cluster in healthy state' } });
}

export async function readCity(kube: Kube, namespace: string, name: string): Promise<City | undefined> {
  return kube.getOrUndefined<City>(cityPath(namespace, name));
}

export const conditionOf = (city: City | undefined, type: string) => city?.status?.conditions?.find((condition) => condition.type === type);

export function isReady(city: City | undefined): boolean {
  return conditionOf(city, 'Ready')?.status === 'True' && city?.status?.observedGeneration === city?.metadata.generation;
}

/** Deletes every City of the namespace and waits until the operator has released them all. */
export async function deleteAllCities(kube: Kube, namespace: string, timeoutMs = 30_000): Promise<void> {
  const { items } = await kube.list<City>(cityPath(namespace));
  const deleteCity = async (name: string) => {
    try {
      await kube.delete(cityPath(namespace, name));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  };
  await Promise.all(items.map((city) => deleteCity(city.metadata.name)));
  await eventually(
    'every City to be released',
    async () => (await kube.list<City>(cityPath(namespace))).items.length,
    (count) => count === 0,
    timeoutMs,
  );
}

/** Sum of a counter's samples whose labels match, read from the operator's registry. */
export async function counterValue(
  registry: Registry,
  name: string,
  match: (labels: Record<string, string | number>) => boolean = () => true,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values.filter((sample) => match(sample.labels as Record<string, string | number>)).reduce((sum, sample) => sum + sample.value, 0);
}

export async function vaultRead(address: string, token: string, path: string): Promise<{ status: number; data?: Record<string, unknown> }> {
  const response = await fetch(`${address}/v1/${path}`, { headers: { 'X-Vault-Token': token } });
  const body = (await response.json().catch(() => undefined)) as { data?: Record<string, unknown> } | undefined;
  return { status: response.status, data: body?.data };
}

export { createKube, PLURAL };

/** A kubeconfig that authenticates as a ServiceAccount, with a real token from the TokenRequest API. */
export async function serviceAccountKubeConfig(admin: Kube, adminConfig: KubeConfig, namespace: string, serviceAccount: string): Promise<KubeConfig> {
  const request = await admin.create<{ status: { token: string } }>(`${resourcePath('v1', 'ServiceAccount', namespace, serviceAccount)}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  const cluster = adminConfig.getCurrentCluster();
  if (!cluster) throw new Error('the test kubeconfig has no cluster');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ ...cluster, name: 'test' }],
    users: [{ name: serviceAccount, token: request.status.token }],
    contexts: [{ name: serviceAccount, cluster: 'test', user: serviceAccount }],
    currentContext: serviceAccount,
  });
  return config;
}

/** Polls an operator's /metrics until it says it leads. */
export async function waitUntilLeading(metricsUrl: string, alive: () => boolean, describe: () => Promise<string>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the operator exited:\n${await describe()}`);
    const text = await fetch(metricsUrl).then(
      (response) => response.text(),
      () => '',
    );
    if (/^crashdesk_operator_leader(\{[^}]*\})? 1$/m.test(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the operator did not lead within ${timeoutMs} ms:\n${await describe()}`);
}

/** Applies the hq City, plays CloudNativePG for its database, and waits until the operator reports it Ready. */
export async function applyHqUntilReady(kube: Kube, namespace: string, vaultAddress: string): Promise<City> {
  await applyCity(kube, cityManifest(namespace, 'hq', vaultAddress));
  await actAsCnpg(kube, namespace, 'crashdesk-hq-db');
  const ready = await eventually('hq to be Ready', () => readCity(kube, namespace, 'hq'), isReady, 60_000);
  return ready!;
}

/**
 * Vault's Kubernetes auth for the operator, as the chart's README has the platform team set it up:
 * the auth method checks JWTs with the API server's TokenReview (as a reviewer ServiceAccount bound
 * to system:auth-delegator), the operator's policy is the one the chart ships, and its role binds
 * the operator's ServiceAccount. Returns a JWT of that ServiceAccount, as the kubelet would mount it.
 */
export async function configureVaultKubernetesAuth(
  admin: Kube,
  adminConfig: KubeConfig,
  vault: { readonly address: string; readonly token: string },
  operator: { readonly namespace: string; readonly serviceAccount: string },
): Promise<{ jwt: string; remove(): Promise<void> }> {
  const { namespace, serviceAccount } = operator;
  const reviewer = 'vault-token-reviewer';
  const binding = `vault-token-reviewer-${namespace}`;
  await admin.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: reviewer, namespace } }, 'crashdesk-test-setup');
  await admin.apply(
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: binding },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', name: reviewer, namespace }],
    } as never,
    'crashdesk-test-setup',
  );
  const tokenOf = async (name: string) =>
    (
      await admin.create<{ status: { token: string } }>(`${resourcePath('v1', 'ServiceAccount', namespace, name)}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      })
    ).status.token;
  const cluster = adminConfig.getCurrentCluster();
  if (!cluster) throw new Error('the test kubeconfig has no cluster');
  const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString() : cluster.caFile ? await readFile(cluster.caFile, 'utf8') : '';
  const write = async (path: string, body: unknown) => {
    const response = await fetch(`${vault.address}/v1/${path}`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.token, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`configuring Vault: POST ${path} answered ${response.status}: ${await response.text()}`);
  };
  await write('auth/kubernetes/config', { kubernetes_host: cluster.server, kubernetes_ca_cert: ca, token_reviewer_jwt: await tokenOf(reviewer) });
  await write('sys/policies/acl/crashdesk_operator', { policy: operatorVaultPolicy() });
  await write('auth/kubernetes/role/crashdesk_operator', {
    bound_service_account_names: [serviceAccount],
    bound_service_account_namespaces: [namespace],
    token_policies: ['crashdesk_operator'],
    token_ttl: '1h',
  });
  return {
    jwt: await tokenOf(serviceAccount),
    remove: async () => {
      await admin.delete(resourcePath('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', undefined, binding)).catch(() => undefined);
    },
  };
}
