// At scale: 50 Cities, applied at once, all settle Ready within 60 s, each with its own
// site number. They use an external database Secret: the CloudNativePG path is covered elsewhere.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { City } from '../../operator/city/types.js';
import { resourcePath } from '../../operator/kube.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  applyCity,
  cityManifest,
  cityPath,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  isReady,
  startTestOperator,
  type TestOperator,
} from './operator-support.js';

const kubeConfig = testKubeConfig();
const kube = createKube(kubeConfig);
const vaultAddress = inject('vaultAddress');
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let ns: string;
let operator: TestOperator;

beforeAll(async () => {
  await installCityCrd(kube);
  namespace = await createTestNamespace(kubeConfig, 'operator-scale');
  ns = namespace.name;
  await createPlatformSecrets(kube, ns);
  await kube.create(resourcePath('v1', 'Secret', ns), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'external-db', namespace: ns },
    stringData: { uri: 'postgresql://crashdesk_api:pw@db.example:5432/app', 'owner-uri': 'postgresql://owner:pw@db.example:5432/app' },
  });
  operator = await startTestOperator(kubeConfig, ns, { address: vaultAddress, token: inject('vaultToken') });
  await eventually('the operator to lead', async () => operator.isLeader(), Boolean, 15_000);
});

afterAll(async () => {
  await deleteAllCities(kube, ns, 60_000).catch(() => undefined);
  await operator?.stop();
  await namespace?.remove();
});

describe('50 Cities', () => {
  it('settle Ready within 60 s, with 50 distinct site numbers', async () => {
    const names = ['hq', ...Array.from({ length: 49 }, (_, index) => `city-${String(index + 1).padStart(2, '0')}`)];
    const started = Date.now();
    await Promise.all(
      names.map((name) =>
        applyCity(
          kube,
          cityManifest(ns, name, vaultAddress, {
            api: { image: 'registry.example/crashdesk/api:1.0.0', replicas: { min: 1, max: 3 } },
            database: { external: { secretName: 'external-db', ownerUrlKey: 'owner-uri' } },
          }),
        ),
      ),
    );
    const settled = await eventually(
      'every City to be Ready',
      async () => (await kube.list<City>(cityPath(ns))).items,
      (cities) => cities.length === 50 && cities.every(isReady),
      60_000 - (Date.now() - started),
    );
    expect(settled.filter(isReady)).toHaveLength(50);
    expect(new Set(settled.map((city) => city.status?.siteNumber)).size).toBe(50);
    expect(settled.find((city) => city.metadata.name === 'hq')?.status?.siteNumber).toBe(0);
  });
});
