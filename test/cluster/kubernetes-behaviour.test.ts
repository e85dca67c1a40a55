// Behaviour the operator depends on and that only a real API server and controllers provide.
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, eventually, isNotFound, rejection, testKubeConfig } from './kube-client.js';

const kubeConfig = testKubeConfig();
const apps = kubeConfig.makeApiClient(AppsV1Api);
const core = kubeConfig.makeApiClient(CoreV1Api);
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;

beforeAll(async () => {
  namespace = await createTestNamespace(kubeConfig, 'behaviour');
});
afterAll(async () => {
  await namespace.remove();
});

describe('Deployments on KWOK nodes', () => {
  it('reach availableReplicas 2, and a ConfigMap they own is garbage-collected after they are deleted', async () => {
    const labels = { app: 'web' };
    const deployment = await apps.createNamespacedDeployment({
      namespace: namespace.name,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            // KWOK plays the kubelet and never pulls it; on an external cluster (kind) the pause
            // image is the smallest one that runs and becomes Ready.
            spec: { containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10' }] },
          },
        },
      },
    });

    const available = await eventually(
      'the Deployment to have 2 available replicas',
      () => apps.readNamespacedDeploymentStatus({ name: 'web', namespace: namespace.name }),
      (current) => current.status?.availableReplicas === 2,
    );
    expect(available.status?.availableReplicas).toBe(2);

    await core.createNamespacedConfigMap({
      namespace: namespace.name,
      body: {
        metadata: {
          name: 'web-settings',
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: deployment.metadata?.uid ?? '', controller: true }],
        },
        data: { greeting: 'hello' },
      },
    });
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: namespace.name, propagationPolicy: 'Background' });

    const collected = await eventually(
      'the owned ConfigMap to be garbage-collected',
      () => isNotFound(core.readNamespacedConfigMap({ name: 'web-settings', namespace: namespace.name })),
      (gone) => gone,
    );
    expect(collected).toBe(true);
  });
});

describe('a CRD with a CEL validation rule', () => {
  const group = 'test.crashdesk.dev';
  const crd: V1CustomResourceDefinition = {
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { minReplicas: { type: 'integer' }, maxReplicas: { type: 'integer' } },
                  x_kubernetes_validations: [{ rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' }],
                },
              },
            },
          },
        },
      ],
    },
  };

  beforeAll(async () => {
    const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
    await extensions.createCustomResourceDefinition({ body: crd });
    await eventually(
      'the Widget CRD to be Established',
      () => extensions.readCustomResourceDefinition({ name: `widgets.${group}` }),
      (current) => current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true,
    );
    return async () => void (await extensions.deleteCustomResourceDefinition({ name: `widgets.${group}` }));
  });

  const createWidget = (name: string, spec: { minReplicas: number; maxReplicas: number }) =>
    kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: namespace.name,
      plural: 'widgets',
      body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name }, spec },
    });

  it('rejects an object that breaks the rule with the rule message', async () => {
    const rejected = await rejection(createWidget('inverted', { minReplicas: 5, maxReplicas: 2 }));
    expect(rejected.code).toBe(422);
    expect(rejected.message).toContain('minReplicas must not exceed maxReplicas');
  });

  it('accepts an object that keeps the rule', async () => {
    await expect(createWidget('ordered', { minReplicas: 2, maxReplicas: 5 })).resolves.toMatchObject({ kind: 'Widget' });
  });
});

describe('server-side apply', () => {
  it('reports a conflict when a second field manager applies a field another one owns', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    const settings = (colour: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared-settings', namespace: namespace.name },
      data: { colour },
    });
    await objects.patch(settings('red'), undefined, undefined, 'first-manager', false, PatchStrategy.ServerSideApply);

    const conflict = await rejection(objects.patch(settings('blue'), undefined, undefined, 'second-manager', false, PatchStrategy.ServerSideApply));

    expect(conflict.code).toBe(409);
    expect(conflict.message).toMatch(/conflict with "first-manager"/);
    expect(conflict.message).toContain('.data.colour');
  });
});
