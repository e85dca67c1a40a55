// The operator's generated RBAC is enough: an operator that authenticates as the chart's
// ServiceAccount (a real token from the TokenRequest API, checked by the API server's RBAC)
// reconciles a City to Ready and releases it on deletion.
import { Testing } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Operator, startOperator } from '../../operator/controller.js';
import { resourcePath } from '../../operator/kube.js';
import { OperatorChart } from '../../manifests/operator.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import { applyHqUntilReady, createKube, createPlatformSecrets, deleteAllCities, installCityCrd, serviceAccountKubeConfig } from './operator-support.js';

const adminConfig = testKubeConfig();
const admin = createKube(adminConfig);
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let ns: string;
let operator: Operator | undefined;
const applied: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[] = [];

beforeAll(async () => {
  await installCityCrd(admin);
  namespace = await createTestNamespace(adminConfig, 'operator-rbac');
  ns = namespace.name;
  await createPlatformSecrets(admin, ns);
  const objects = Testing.synth(
    new OperatorChart(Testing.app(), 'operator', {
      operatorNamespace: ns,
      image: 'unused',
      vault: { address: 'https://unused.example', tokenSecret: 'unused' },
    }),
  ) as typeof applied;
  for (const object of objects.filter((o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind))) {
    await admin.apply(object, 'crashdesk-test-setup');
    applied.push(object);
  }
});

afterAll(async () => {
  await deleteAllCities(admin, ns).catch(() => undefined);
  await operator?.stop();
  for (const object of applied.filter((o) => o.kind.startsWith('Cluster'))) {
    await admin.delete(resourcePath(object.apiVersion, object.kind, undefined, object.metadata.name));
  }
  await namespace?.remove();
});

describe('the generated RBAC', () => {
  it('lets the operator reconcile a City to Ready and release it, as its ServiceAccount', async () => {
    operator = await startOperator({
      kubeConfig: await serviceAccountKubeConfig(admin, adminConfig, ns, 'crashdesk-operator'),
      logger: pino({ level: process.env.OPERATOR_TEST_LOG_LEVEL ?? 'silent' }),
      registry: new Registry(),
      vault: {
        auth: { method: 'token', token: inject('vaultToken') },
        addresses: { address: inject('vaultAddress'), allowed: [inject('vaultAddress')] },
      },
      namespace: ns,
      leaseDurationMs: 3_000,
      notReadyRequeueMs: 2_000,
    });
    await eventually('the operator to lead', async () => operator?.isLeader(), Boolean, 15_000);
    const ready = await applyHqUntilReady(admin, ns, inject('vaultAddress'));
    expect(ready?.status?.siteNumber).toBe(0);
    await deleteAllCities(admin, ns);
  });
});
