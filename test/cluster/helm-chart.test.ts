// The Helm chart as a platform team meets it, with helm built from Go modules: lint, the same objects
// as the cdk8s app's one definition, a server-side dry run of everything it renders, and install →
// the operator Available on the KWOK nodes → a City Ready → upgrade → uninstall on the test control plane.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { operatorDeployment, operatorRbac, type OperatorProps } from '../../manifests/operator.js';
import { cityCrd } from '../../operator/city/crd.js';
import { isNotFound, resourcePath } from '../../operator/kube.js';
import { operatorVaultPolicy } from '../../operator/vault-policy.js';
import { freePort, launch, logTail, type ManagedProcess } from '../controlplane/processes.js';
import { CHART, createHelm, type Helm, type RenderedObject } from './helm.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  applyHqUntilReady,
  configureVaultKubernetesAuth,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  serviceAccountKubeConfig,
  waitUntilLeading,
} from './operator-support.js';

const adminConfig = testKubeConfig();
const kube = createKube(adminConfig);
const repository = fileURLToPath(new URL('../../', import.meta.url));
const image = { repository: 'registry.example/crashdesk/operator', tag: '1.0.0' };
const imageValues = ['--set', `image.repository=${image.repository}`, '--set', `image.tag=${image.tag}`];
let helm: Helm;

beforeAll(async () => {
  helm = await createHelm(inject('kubeconfigPath'));
});
afterAll(async () => {
  await helm?.remove();
});

/** The rendered object carries every label of the defined one (Helm adds its own) and is otherwise the same. */
function expectSameObject(rendered: RenderedObject | undefined, defined: RenderedObject) {
  const what = `${defined.kind} ${defined.metadata.namespace ?? ''}/${defined.metadata.name}`;
  expect(rendered, `${what} is not rendered`).toBeDefined();
  const { metadata: renderedMetadata, ...renderedRest } = structuredClone(rendered!);
  const { metadata: definedMetadata, ...definedRest } = structuredClone(defined);
  expect(renderedMetadata.labels, what).toMatchObject(definedMetadata.labels ?? {});
  expect({ ...renderedMetadata, labels: undefined }, what).toEqual({ ...definedMetadata, labels: undefined });
  if (defined.kind === 'Deployment') {
    expect(renderedRest.spec.template.metadata.labels, `${what} pod labels`).toMatchObject(definedRest.spec.template.metadata.labels);
    delete renderedRest.spec.template.metadata.labels;
    delete definedRest.spec.template.metadata.labels;
  }
  expect(renderedRest, what).toEqual(definedRest);
}

const find = (objects: readonly RenderedObject[], kind: string, name: string, namespace?: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name && object.metadata.namespace === namespace);

describe('the crashdesk Helm chart', () => {
  it('passes helm lint --strict, and refuses values its schema does not know', async () => {
    await helm.run(['lint', '--strict', CHART, ...imageValues]);
    await expect(helm.run(['lint', '--strict', CHART, '--set', 'replicas=3'])).rejects.toThrow(/additional properties 'replicas' not allowed/);
  });

  const modes: { name: string; values: string[]; props: Partial<OperatorProps> }[] = [
    { name: 'the default: one namespace, Kubernetes auth', values: [], props: {} },
    {
      name: 'listed namespaces, a development cluster with a Vault token, a Prometheus of its own',
      values: [
        '--set-json',
        'watchNamespaces=["cities-a","cities-b"]',
        '--set',
        'developmentCluster=true',
        '--set',
        'vault.auth.method=token',
        '--set-json',
        'vault.allowedAddresses=["https://vault-eu.example:8200"]',
        '--set',
        'prometheus.address=https://thanos.example/prometheus',
        '--set-json',
        'prometheus.namespaces=["monitoring","thanos"]',
      ],
      props: {
        watchNamespaces: ['cities-a', 'cities-b'],
        developmentCluster: true,
        prometheusAddress: 'https://thanos.example/prometheus',
        prometheusNamespaces: ['monitoring', 'thanos'],
        vault: {
          address: 'https://vault.vault.svc:8200',
          allowedAddresses: ['https://vault-eu.example:8200'],
          auth: { method: 'token', tokenSecret: { name: 'crashdesk-operator-vault', key: 'token' } },
        },
      },
    },
    { name: 'every namespace', values: ['--set', 'clusterWide=true'], props: { clusterWide: true } },
  ];
  for (const mode of modes) {
    it(`renders the CRD, RBAC and Deployment that the cdk8s app defines (${mode.name})`, async () => {
      const rendered = await helm.template('crashdesk', 'crashdesk-system', ['--include-crds', ...imageValues, ...mode.values]);
      const props: OperatorProps = {
        operatorNamespace: 'crashdesk-system',
        image: `${image.repository}:${image.tag}`,
        vault: { address: 'https://vault.vault.svc:8200' },
        instance: 'crashdesk',
        ...mode.props,
      };
      expect(rendered.find((object) => object.kind === 'CustomResourceDefinition')).toEqual(cityCrd);
      const defined = [...operatorRbac(props), operatorDeployment(props)] as RenderedObject[];
      for (const object of defined) expectSameObject(find(rendered, object.kind, object.metadata.name, object.metadata.namespace), object);
      // Nothing with RBAC rules beyond the definition.
      const rbacKinds = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
      expect(rendered.filter((o) => rbacKinds.includes(o.kind)).length).toBe(defined.filter((o) => rbacKinds.includes(o.kind)).length);
    });
  }

  it('refuses to render with no namespace to watch unless cluster-wide', async () => {
    await expect(helm.template('crashdesk', 'crashdesk-system', [...imageValues, '--set-json', 'watchNamespaces=[]'])).rejects.toThrow(
      /watchNamespaces is empty: list the namespaces with Cities, or set clusterWide=true/,
    );
  });

  it('ships the operator Vault policy it is tested under', async () => {
    const shipped = await readFile(join(CHART, 'files/vault/operator-policy.hcl'), 'utf8');
    expect(shipped).toContain(operatorVaultPolicy());
  });

  it('renders only objects that the API server accepts, by server-side dry run', async () => {
    const namespace = await createTestNamespace(adminConfig, 'helm-dry-run');
    try {
      const rendered = await helm.template('crashdesk', namespace.name, [
        '--include-crds',
        ...imageValues,
        '--set-json',
        `watchNamespaces=${JSON.stringify([namespace.name])}`,
        '--set',
        'metrics.serviceMonitor.enabled=true',
        '--set',
        'prometheusRule.enabled=true',
      ]);
      expect(new Set(rendered.map((object) => object.kind))).toEqual(
        new Set([
          'CustomResourceDefinition',
          'NetworkPolicy',
          'PodDisruptionBudget',
          'ServiceAccount',
          'ConfigMap',
          'ClusterRole',
          'ClusterRoleBinding',
          'Role',
          'RoleBinding',
          'Service',
          'Deployment',
          'ServiceMonitor',
          'PrometheusRule',
        ]),
      );
      const client = KubernetesObjectApi.makeApiClient(adminConfig);
      for (const object of rendered) {
        await client.patch(object as never, undefined, 'All', 'helm-dry-run', true, PatchStrategy.ServerSideApply).catch((error: unknown) => {
          throw new Error(`${object.kind} ${object.metadata.name} was refused: ${(error as { body?: string }).body ?? String(error)}`);
        });
      }
    } finally {
      await namespace.remove();
    }
  });

  it('installs, runs the operator as its ServiceAccount until a City is Ready, upgrades with changed values, and uninstalls leaving the CRD', async () => {
    // Helm installs crds/ only when the CRD is absent; other test files install it themselves.
    const crdPath = resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, cityCrd.metadata.name);
    await kube.delete(crdPath).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
    await eventually(
      'the City CRD to be gone',
      () => kube.getOrUndefined(crdPath),
      (crd) => crd === undefined,
      60_000,
    );

    const release = await createTestNamespace(adminConfig, 'helm-release');
    const cities = await createTestNamespace(adminConfig, 'helm-cities');
    const dir = await mkdtemp(join(tmpdir(), 'crashdesk-helm-operator-'));
    let operator: ManagedProcess | undefined;
    let vaultAuth: Awaited<ReturnType<typeof configureVaultKubernetesAuth>> | undefined;
    try {
      await createPlatformSecrets(kube, cities.name);
      await helm.run([
        'install',
        'crashdesk',
        CHART,
        '--namespace',
        release.name,
        ...imageValues,
        '--set-json',
        `watchNamespaces=${JSON.stringify([cities.name])}`,
        '--set',
        `vault.address=${inject('vaultAddress')}`,
        '--wait',
        '--timeout',
        '2m',
      ]);
      expect(await kube.getOrUndefined(crdPath)).toBeDefined();
      const deploymentPath = resourcePath('apps/v1', 'Deployment', release.name, 'crashdesk-operator');
      type Deployment = {
        spec: { replicas: number; template: { spec: { containers: { env: { name: string; value?: string; valueFrom?: unknown }[] }[] } } };
        status: { availableReplicas?: number; updatedReplicas?: number };
      };
      const installed = await kube.get<Deployment>(deploymentPath);
      expect(installed.status.availableReplicas).toBe(2);

      // The pods on KWOK nodes run nothing, so the operator runs here, configured exactly as the
      // chart's container and authenticated as the chart's ServiceAccount.
      const kubeconfigPath = join(dir, 'kubeconfig');
      await writeFile(kubeconfigPath, (await serviceAccountKubeConfig(kube, adminConfig, release.name, 'crashdesk-operator')).exportConfig(), { mode: 0o600 });
      const port = await freePort();
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, KUBECONFIG: kubeconfigPath, OPERATOR_HTTP_HOST: '127.0.0.1' };
      for (const variable of installed.spec.template.spec.containers[0]!.env) {
        const from = variable.valueFrom as { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } } | undefined;
        if (variable.value !== undefined) env[variable.name] = variable.value;
        else if (from?.fieldRef?.fieldPath === 'metadata.namespace') env[variable.name] = release.name;
        else if (from?.fieldRef?.fieldPath === 'metadata.name') env[variable.name] = 'crashdesk-operator-test-pod';
        else if (from?.secretKeyRef) {
          const secret = await kube.get<{ data: Record<string, string> }>(resourcePath('v1', 'Secret', release.name, from.secretKeyRef.name));
          env[variable.name] = Buffer.from(secret.data[from.secretKeyRef.key]!, 'base64').toString('utf8');
        } else throw new Error(`the chart's container sets ${variable.name} in a way this test cannot resolve`);
      }
      env.OPERATOR_HTTP_PORT = String(port);
      // The chart's default: Kubernetes auth with the ServiceAccount token the kubelet would mount.
      expect(env).toMatchObject({ VAULT_AUTH_METHOD: 'kubernetes', VAULT_KUBERNETES_ROLE: 'crashdesk_operator' });
      expect(env.VAULT_TOKEN).toBeUndefined();
      vaultAuth = await configureVaultKubernetesAuth(
        kube,
        adminConfig,
        { address: inject('vaultAddress'), token: inject('vaultToken') },
        {
          namespace: release.name,
          serviceAccount: 'crashdesk-operator',
        },
      );
      env.VAULT_KUBERNETES_JWT_FILE = join(dir, 'service-account-token');
      await writeFile(env.VAULT_KUBERNETES_JWT_FILE, vaultAuth.jwt, { mode: 0o600 });
      const loader = pathToFileURL(join(repository, 'node_modules/tsx/dist/loader.mjs')).href;
      operator = launch('operator', process.execPath, ['--import', loader, join(repository, 'operator/main.ts')], dir, env);
      const running = operator;
      await waitUntilLeading(
        `http://127.0.0.1:${port}/metrics`,
        () => !running.hasExited(),
        () => logTail(running),
      );
      await applyHqUntilReady(kube, cities.name, inject('vaultAddress'));

      await helm.run([
        'upgrade',
        'crashdesk',
        CHART,
        '--namespace',
        release.name,
        '--reuse-values',
        '--set',
        'replicaCount=3',
        '--set',
        'operator.logLevel=debug',
        '--wait',
        '--timeout',
        '2m',
      ]);
      // helm --wait returns once the new pods are available; a pod of the old template may still be
      // terminating then (available 4 for a moment), so wait for the rollout to settle on 3.
      const upgraded = await eventually(
        'the upgraded operator Deployment to settle on 3 available replicas of the new template',
        () => kube.get<Deployment>(deploymentPath),
        (deployment) => deployment.status.availableReplicas === 3 && deployment.status.updatedReplicas === 3,
      );
      expect(upgraded.spec.replicas).toBe(3);
      expect(upgraded.spec.template.spec.containers[0]!.env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });

      await deleteAllCities(kube, cities.name);
      await operator.stop();
      await helm.run(['uninstall', 'crashdesk', '--namespace', release.name, '--wait', '--timeout', '2m']);
      expect(await kube.getOrUndefined(deploymentPath)).toBeUndefined();
      expect(await kube.getOrUndefined(resourcePath('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'crashdesk-operator-crd-probe'))).toBeUndefined();
      expect(await kube.getOrUndefined(resourcePath('rbac.authorization.k8s.io/v1', 'Role', cities.name, 'crashdesk-operator'))).toBeUndefined();
      // Helm keeps CRDs (and so every City) on uninstall.
      expect(await kube.getOrUndefined(crdPath)).toBeDefined();
    } finally {
      await operator?.stop();
      await vaultAuth?.remove();
      await helm.run(['uninstall', 'crashdesk', '--namespace', release.name, '--ignore-not-found']).catch(() => undefined);
      await cities.remove();
      await release.remove();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
