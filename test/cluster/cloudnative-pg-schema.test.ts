// The upstream CloudNativePG Cluster CRD (installed from shared/crds by the global set-up) is
// enforced by the API server: its OpenAPI schema and its CEL rules.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, rejection, testKubeConfig } from './kube-client.js';

const kubeConfig = testKubeConfig();
const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;

beforeAll(async () => {
  namespace = await createTestNamespace(kubeConfig, 'cnpg');
});
afterAll(async () => {
  await namespace.remove();
});

function createCluster(name: string, spec: Record<string, unknown>) {
  return customObjects.createNamespacedCustomObject({
    group: 'postgresql.cnpg.io',
    version: 'v1',
    namespace: namespace.name,
    plural: 'clusters',
    body: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name }, spec },
  });
}

describe('CloudNativePG Cluster', () => {
  it('is accepted when it follows the schema', async () => {
    const created = (await createCluster('accidents-db', { instances: 3, storage: { size: '1Gi' } })) as {
      spec: { instances: number };
    };
    expect(created.spec.instances).toBe(3);
  });

  it('is rejected when instances is below the schema minimum', async () => {
    const rejected = await rejection(createCluster('no-instances', { instances: 0, storage: { size: '1Gi' } }));
    expect(rejected.code).toBe(422);
    expect(rejected.message).toContain('spec.instances');
    expect(rejected.message).toContain('should be greater than or equal to 1');
  });

  it('is rejected by its CEL rule when imageName and imageCatalogRef are both set', async () => {
    const rejected = await rejection(
      createCluster('two-images', {
        instances: 1,
        storage: { size: '1Gi' },
        imageName: 'ghcr.io/cloudnative-pg/postgresql:17',
        imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: 'postgresql', major: 17 },
      }),
    );
    expect(rejected.code).toBe(422);
    expect(rejected.message).toContain('imageName and imageCatalogRef are mutually exclusive');
  });
});
