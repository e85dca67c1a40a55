// An optional CRD installed after the operator started: the probe that finds it starts its watch,
// so its children are applied once and then read from the cache like any other, instead of being
// re-applied on every pass because the cache the operator looks in was never started.
// This file removes the ServiceMonitor CRD for a while and puts it back, so no other file sees it gone.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resourcePath } from '../../operator/kube.js';
import { installCrds, upstreamCrdDirectory } from '../controlplane/crds.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  applyHqUntilReady,
  counterValue,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  startTestOperator,
  type TestOperator,
} from './operator-support.js';

const kubeConfig = testKubeConfig();
const kube = createKube(kubeConfig);
const crdPath = resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'servicemonitors.monitoring.coreos.com');
const reinstall = () => installCrds(kubeConfig, join(upstreamCrdDirectory, 'prometheus-operator'));
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let ns: string;
let operator: TestOperator | undefined;

beforeAll(async () => {
  await installCityCrd(kube);
  namespace = await createTestNamespace(kubeConfig, 'operator-late-crd');
  ns = namespace.name;
  await createPlatformSecrets(kube, ns);
  await kube.delete(crdPath);
  await eventually(
    'the ServiceMonitor CRD to be gone',
    () => kube.getOrUndefined(crdPath),
    (crd) => crd === undefined,
    60_000,
  );
});

afterAll(async () => {
  await deleteAllCities(kube, ns).catch(() => undefined);
  await operator?.stop();
  await reinstall();
  await namespace?.remove();
});

describe('an optional CRD installed after the operator started', () => {
  it('has its children watched once a probe finds it: applied once, not again on every pass', async () => {
    operator = await startTestOperator(
      kubeConfig,
      ns,
      { address: inject('vaultAddress'), token: inject('vaultToken') },
      { resyncMs: 1_000, crdProbeIntervalMs: 500 },
    );
    await eventually('the operator to lead', async () => operator?.isLeader(), Boolean, 15_000);
    await applyHqUntilReady(kube, ns, inject('vaultAddress'));
    const monitorPath = resourcePath('monitoring.coreos.com/v1', 'ServiceMonitor', ns, 'crashdesk-api-hq');

    await reinstall();
    await eventually('the ServiceMonitor to be applied', () => kube.getOrUndefined(monitorPath), Boolean, 75_000);
    await operator.idle();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const applies = () =>
      counterValue(operator!.registry, 'crashdesk_operator_kube_requests_total', (labels) => labels.resource === 'servicemonitors' && labels.verb === 'PATCH');
    const reconciles = () => counterValue(operator!.registry, 'crashdesk_operator_reconciles_total');
    const before = { applies: await applies(), reconciles: await reconciles() };
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await reconciles()).toBeGreaterThan(before.reconciles + 1); // several resyncs ran
    expect(await applies()).toBe(before.applies);
  }, 150_000);
});
