// The operator image under a real OCI runtime (podman with runc), as its Deployment runs it: non-root,
// read-only root filesystem, every capability dropped, authenticated as the operator's ServiceAccount
// with the generated RBAC, reconciling a City to Ready on the test control plane.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureImages, type ImageSet } from '../../images/build.js';
import { podmanEnvironment } from '../../images/podman.js';
import { operatorRbac } from '../../manifests/operator.js';
import { resourcePath } from '../../operator/kube.js';
import { freePort, launch, logTail, type ManagedProcess } from '../controlplane/processes.js';
import { createTestNamespace, testKubeConfig } from './kube-client.js';
import {
  applyHqUntilReady,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  serviceAccountKubeConfig,
  waitUntilLeading,
} from './operator-support.js';

const adminConfig = testKubeConfig();
const kube = createKube(adminConfig);
let images: ImageSet;
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let dir: string;
let container: ManagedProcess | undefined;
const clusterScoped: { apiVersion: string; kind: string; metadata: { name: string } }[] = [];

beforeAll(async () => {
  images = await ensureImages({ log: (line) => console.error(line) });
  await installCityCrd(kube);
  namespace = await createTestNamespace(adminConfig, 'operator-image');
  await createPlatformSecrets(kube, namespace.name);
  for (const object of operatorRbac({
    operatorNamespace: namespace.name,
    image: images.operator.name,
    vault: { address: 'https://unused.example' },
    watchNamespaces: [namespace.name],
  })) {
    await kube.apply(object, 'crashdesk-test-setup');
    if (!object.metadata.namespace) clusterScoped.push(object);
  }
  dir = await mkdtemp(join(tmpdir(), 'crashdesk-operator-image-'));
}, 1_200_000);

afterAll(async () => {
  await deleteAllCities(kube, namespace.name).catch(() => undefined);
  await container?.stop();
  for (const object of clusterScoped) await kube.delete(resourcePath(object.apiVersion, object.kind, undefined, object.metadata.name)).catch(() => undefined);
  await namespace?.remove();
  await rm(dir, { recursive: true, force: true });
});

/** The ServiceAccount's kubeconfig with the cluster's CA inline, so that one mounted file is all the container needs. */
async function selfContainedKubeconfig(): Promise<string> {
  const config = await serviceAccountKubeConfig(kube, adminConfig, namespace.name, 'crashdesk-operator');
  const cluster = config.getCurrentCluster()!;
  const caData = cluster.caData ?? (cluster.caFile ? (await readFile(cluster.caFile)).toString('base64') : undefined);
  const user = config.getCurrentUser()!;
  const inline = new KubeConfig();
  inline.loadFromOptions({
    clusters: [{ name: 'test', server: cluster.server, caData, skipTLSVerify: false }],
    users: [{ name: user.name, token: user.token }],
    contexts: [{ name: 'operator', cluster: 'test', user: user.name }],
    currentContext: 'operator',
  });
  const path = join(dir, 'kubeconfig');
  await writeFile(path, inline.exportConfig(), { mode: 0o644 });
  return path;
}

describe('the operator image', () => {
  it('reconciles a City to Ready as the operator ServiceAccount, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = {
      KUBECONFIG: '/config/kubeconfig',
      VAULT_ADDR: inject('vaultAddress'),
      VAULT_AUTH_METHOD: 'token',
      VAULT_TOKEN: inject('vaultToken'),
      OPERATOR_NAMESPACE: namespace.name,
      WATCH_NAMESPACES: namespace.name,
      OPERATOR_IDENTITY: 'operator-image',
      OPERATOR_HTTP_PORT: String(port),
      OPERATOR_LEASE_DURATION_MS: '3000',
    };
    const args = [
      'run',
      '--rm',
      '--name',
      `crashdesk-operator-test-${port}`,
      '--network',
      'host',
      '--read-only',
      '--read-only-tmpfs=false',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--volume',
      `${await selfContainedKubeconfig()}:/config/kubeconfig:ro`,
      ...Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
      images.operator.name,
    ];
    container = launch('operator-image', 'podman', args, dir, podmanEnvironment());
    const running = container;
    await waitUntilLeading(
      `http://127.0.0.1:${port}/metrics`,
      () => !running.hasExited(),
      () => logTail(running),
      60_000,
    );
    const ready = await applyHqUntilReady(kube, namespace.name, inject('vaultAddress'));
    expect(ready?.status?.siteNumber).toBe(0);
    await deleteAllCities(kube, namespace.name);
    await running.stop();
    expect(await running.exited).toBe('0');
  });
});
