// How a City's api scales, on the test control plane: with KEDA's real ScaledObject CRD (no KEDA
// runs here) the operator's ScaledObject is stored as built, and the City says so; with the CRD
// gone the api gets an HPA on CPU alone, and when it comes back the HPA makes way for the
// ScaledObject again. This file removes the KEDA CRD for a while and puts it back, so no other
// file sees it gone (the cluster project runs its files one at a time).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scaledObject } from '../../operator/city/autoscaling.js';
import type { City } from '../../operator/city/types.js';
import { resourcePath } from '../../operator/kube.js';
import { installCrds, upstreamCrdDirectory } from '../controlplane/crds.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  actAsCnpg,
  applyCity,
  cityManifest,
  cityPath,
  conditionOf,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  isReady,
  readCity,
  refusal,
  startTestOperator,
  type TestOperator,
} from './operator-support.js';

const kubeConfig = testKubeConfig();
const kube = createKube(kubeConfig);
const vaultAddress = inject('vaultAddress');
const kedaCrd = resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'scaledobjects.keda.sh');
const installKeda = () => installCrds(kubeConfig, join(upstreamCrdDirectory, 'keda'));
const prometheusAddress = 'http://prometheus.monitoring-hq.svc:9090';
const scaling = {
  targetRequestsPerSecond: 30,
  schedules: [
    { name: 'monday-morning', days: ['mon'], start: '08:00', end: '11:00', minReplicas: 3 },
    { name: 'friday-night', days: ['fri'], start: '22:00', end: '02:00', minReplicas: 4 },
  ],
  prometheusAddress,
};
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let ns: string;
let operator: TestOperator | undefined;

type Stored = { metadata: { ownerReferences?: { kind: string; name: string }[] }; spec: Record<string, any> };
const scaledObjectPath = () => resourcePath('keda.sh/v1alpha1', 'ScaledObject', ns, 'crashdesk-api-hq');
const hpaPath = () => resourcePath('autoscaling/v2', 'HorizontalPodAutoscaler', ns, 'crashdesk-api-hq');
const scalingReason = async () => conditionOf(await readCity(kube, ns, 'hq'), 'ScalingConfigured')?.reason;

beforeAll(async () => {
  await installCityCrd(kube);
  namespace = await createTestNamespace(kubeConfig, 'operator-scaling');
  ns = namespace.name;
  await createPlatformSecrets(kube, ns);
  operator = await startTestOperator(kubeConfig, ns, { address: vaultAddress, token: inject('vaultToken') }, { resyncMs: 1_000, crdProbeIntervalMs: 500 });
  await eventually('the operator to lead', async () => operator?.isLeader(), Boolean, 15_000);
});

afterAll(async () => {
  await deleteAllCities(kube, ns).catch(() => undefined);
  await operator?.stop();
  await installKeda();
  await namespace?.remove();
});

describe("a City's autoscaler", () => {
  it("with KEDA's CRD is a ScaledObject that the real schema stores exactly as built, and the City says what it scales on", async () => {
    await applyCity(kube, cityManifest(ns, 'hq', vaultAddress, { scaling }));
    await actAsCnpg(kube, ns, 'crashdesk-hq-db');
    const hq = (await eventually('hq to be Ready', () => readCity(kube, ns, 'hq'), isReady, 60_000)) as City;

    const stored = await kube.get<Stored>(scaledObjectPath());
    const built = scaledObject(hq, { prometheusAddress }) as unknown as Stored;
    // Structural schemas drop fields they do not know: equal specs mean KEDA would see every field the operator set.
    expect(stored.spec).toEqual(built.spec);
    expect(stored.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'City', name: 'hq' })]);
    // And the strict field validation a client can ask for finds nothing unknown either.
    await kube.send('PATCH', `${scaledObjectPath()}?fieldManager=strict-check&dryRun=All&fieldValidation=Strict`, built, 'application/apply-patch+yaml');
    expect(stored.spec.triggers.map((trigger: { name: string }) => trigger.name)).toEqual([
      'requests-per-second',
      'cpu',
      'schedule-monday-morning',
      'schedule-friday-night',
    ]);
    expect(stored.spec.triggers[3].metadata).toEqual({ timezone: 'UTC', start: '0 22 * * 5', end: '0 2 * * 6', desiredReplicas: '4' });
    expect(await kube.getOrUndefined(hpaPath())).toBeUndefined();

    expect(conditionOf(hq, 'ScalingConfigured')).toMatchObject({ status: 'True', reason: 'KedaScaledObject', observedGeneration: hq.metadata.generation });
    expect(conditionOf(hq, 'ScalingConfigured')?.message).toContain(`from Prometheus at ${prometheusAddress}`);
  });

  it('is refused a Prometheus address that is not an http(s) URL, by a CEL rule naming the field', async () => {
    for (const address of ['prometheus:9090', 'ftp://prometheus:9090', 'http://prometheus:9090/?query=up']) {
      const refused = await refusal(kube.create(cityPath(ns), cityManifest(ns, 'invalid', vaultAddress, { scaling: { prometheusAddress: address } })));
      expect(refused.code, address).toBe(422);
      expect(refused.message, address).toContain('scaling.prometheusAddress must be an http(s) URL');
    }
  });

  it('without the KEDA CRD is an HPA on CPU alone, the City still Ready; and makes way for the ScaledObject when KEDA comes back', async () => {
    await kube.delete(kedaCrd);
    await eventually(
      'the KEDA CRD to be gone',
      () => kube.getOrUndefined(kedaCrd),
      (crd) => crd === undefined,
      60_000,
    );

    const hpa = await eventually('an HPA on CPU', () => kube.getOrUndefined<Stored>(hpaPath()), Boolean, 30_000);
    expect(hpa?.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect(hpa?.spec).toMatchObject({ minReplicas: 2, maxReplicas: 4, behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } });
    const cpuOnly = await eventually(
      'ScalingConfigured=CpuOnly',
      () => readCity(kube, ns, 'hq'),
      (city) => conditionOf(city, 'ScalingConfigured')?.reason === 'CpuOnly',
      15_000,
    );
    expect(conditionOf(cpuOnly, 'ScalingConfigured')).toMatchObject({ status: 'True' });
    expect(conditionOf(cpuOnly, 'ScalingConfigured')?.message).toContain('KEDA is not installed');
    expect(isReady(cpuOnly)).toBe(true);

    await installKeda();
    await eventually('the ScaledObject again', () => kube.getOrUndefined(scaledObjectPath()), Boolean, 30_000);
    await eventually(
      'the HPA to be deleted',
      () => kube.getOrUndefined(hpaPath()),
      (found) => found === undefined,
      15_000,
    );
    await eventually('ScalingConfigured=KedaScaledObject', scalingReason, (reason) => reason === 'KedaScaledObject', 15_000);
    const events = await kube.list<{ reason: string; message: string; involvedObject: { name: string } }>(resourcePath('v1', 'Event', ns));
    expect(events.items.filter((event) => event.reason === 'AutoscalerReplaced' && event.involvedObject.name === 'hq').map((event) => event.message)).toEqual([
      'deleted HorizontalPodAutoscaler crashdesk-api-hq: ScaledObject crashdesk-api-hq scales the api now',
    ]);
  }, 180_000);
});
