// Deleting a City removes its children (garbage collection) and its Vault role and
// policy; while Vault is down the finalizer retries with back-off, says so in a condition, and
// completes once Vault is back. This file runs its own transit server, so it can stop it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcePath } from '../../operator/kube.js';
import { freePort } from '../controlplane/processes.js';
import { ensureTestbin, type Testbin } from '../controlplane/testbin.js';
import { startTransit, type TransitServer } from '../controlplane/transit.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  applyCity,
  applyHqUntilReady,
  cityManifest,
  cityPath,
  conditionOf,
  counterValue,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  readCity,
  startTestOperator,
  type TestOperator,
  vaultRead,
} from './operator-support.js';

const kubeConfig = testKubeConfig();
const kube = createKube(kubeConfig);
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let ns: string;
let operator: TestOperator;
let testbin: Testbin;
let dir: string;
let transit: TransitServer;
let vault: { address: string; token: string; port: number };

beforeAll(async () => {
  testbin = await ensureTestbin({ log: () => undefined });
  dir = await mkdtemp(join(tmpdir(), 'crashdesk-operator-vault-'));
  const port = await freePort();
  transit = await startTransit(testbin, dir, { port });
  vault = { address: transit.address, token: transit.token, port };
  await installCityCrd(kube);
  namespace = await createTestNamespace(kubeConfig, 'operator-deletion');
  ns = namespace.name;
  await createPlatformSecrets(kube, ns);
  operator = await startTestOperator(kubeConfig, ns, vault, { resyncMs: 1_000 });
});

afterAll(async () => {
  await deleteAllCities(kube, ns).catch(() => undefined);
  await operator?.stop();
  await namespace?.remove();
  await transit?.process.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const exists = async (apiVersion: string, kind: string, name: string) => (await kube.getOrUndefined(resourcePath(apiVersion, kind, ns, name))) !== undefined;

describe('deleting a City', () => {
  it('removes its children and its Vault role, and keeps its transit key with only the record of whose it is', async () => {
    await applyHqUntilReady(kube, ns, vault.address);
    const role = `auth/kubernetes/role/crashdesk-${ns}-hq`;
    const policy = `sys/policies/acl/crashdesk-${ns}-hq`;
    expect((await vaultRead(vault.address, vault.token, role)).status).toBe(200);

    await kube.delete(cityPath(ns, 'hq'));
    await eventually(
      'hq to be released',
      () => readCity(kube, ns, 'hq'),
      (city) => city === undefined,
      15_000,
    );
    expect((await vaultRead(vault.address, vault.token, role)).status).toBe(404);
    const kept = (await vaultRead(vault.address, vault.token, policy)).data?.policy;
    expect(kept).toContain(`# crashdesk-operator: City ${ns}/hq owns transit key transit/keys/crashdesk-${ns}-hq`);
    expect(kept).not.toContain('"update"');
    expect((await vaultRead(vault.address, vault.token, `transit/keys/crashdesk-${ns}-hq`)).status).toBe(200);
    const children: [string, string, string][] = [
      ['apps/v1', 'Deployment', 'crashdesk-api-hq'],
      ['v1', 'Service', 'crashdesk-api-hq'],
      ['keda.sh/v1alpha1', 'ScaledObject', 'crashdesk-api-hq'],
      ['postgresql.cnpg.io/v1', 'Cluster', 'crashdesk-hq-db'],
      ['v1', 'ServiceAccount', 'crashdesk-api-hq'],
    ];
    const remaining = await eventually(
      'garbage collection of every child',
      async () =>
        (await Promise.all(children.map(async ([apiVersion, kind, name]) => ((await exists(apiVersion, kind, name)) ? kind : undefined)))).filter(Boolean),
      (left) => left.length === 0,
      30_000,
    );
    expect(remaining).toEqual([]);
  });

  it('also deletes the transit key when deleteKeyOnDelete is set', async () => {
    await applyCity(kube, cityManifest(ns, 'york', vault.address, { encryption: { vaultAddress: vault.address, deleteKeyOnDelete: true } }));
    await eventually(
      'york to have its key',
      () => vaultRead(vault.address, vault.token, `transit/keys/crashdesk-${ns}-york`),
      (read) => read.status === 200,
      15_000,
    );
    await eventually(
      'york to hold its finalizer',
      () => readCity(kube, ns, 'york'),
      (city) => conditionOf(city, 'EncryptionReady')?.status === 'True',
      15_000,
    );
    await kube.delete(cityPath(ns, 'york'));
    await eventually(
      'york to be released',
      () => readCity(kube, ns, 'york'),
      (city) => city === undefined,
      15_000,
    );
    expect((await vaultRead(vault.address, vault.token, `transit/keys/crashdesk-${ns}-york`)).status).toBe(404);
    expect((await vaultRead(vault.address, vault.token, `sys/policies/acl/crashdesk-${ns}-york`)).status).toBe(404);
  });

  it('puts back a Vault role and policy that Vault lost (a restarted dev server), at the next resync', async () => {
    await applyCity(kube, cityManifest(ns, 'bath', vault.address));
    await eventually(
      'bath to have Vault configured',
      () => readCity(kube, ns, 'bath'),
      (city) => conditionOf(city, 'EncryptionReady')?.status === 'True',
      15_000,
    );
    await transit.process.stop();
    transit = await startTransit(testbin, dir, { port: vault.port, token: vault.token });
    const role = await eventually(
      'the role to be back',
      () => vaultRead(vault.address, vault.token, `auth/kubernetes/role/crashdesk-${ns}-bath`),
      (read) => read.status === 200,
      15_000,
    );
    expect(role.data?.bound_service_account_names).toEqual(['crashdesk-api-bath']);
    expect((await vaultRead(vault.address, vault.token, `transit/keys/crashdesk-${ns}-bath`)).status).toBe(200);
    await kube.delete(cityPath(ns, 'bath'));
    await eventually(
      'bath to be released',
      () => readCity(kube, ns, 'bath'),
      (city) => city === undefined,
      15_000,
    );
  });

  it('waits for Vault with back-off and a condition while Vault is down, then completes', async () => {
    await applyCity(kube, cityManifest(ns, 'leeds', vault.address));
    await eventually(
      'leeds to have Vault configured',
      () => readCity(kube, ns, 'leeds'),
      (city) => conditionOf(city, 'EncryptionReady')?.status === 'True',
      15_000,
    );
    await transit.process.stop();
    const errorsBefore = await counterValue(operator.registry, 'crashdesk_operator_reconcile_errors_total');

    await kube.delete(cityPath(ns, 'leeds'));
    const waiting = await eventually(
      'leeds to report the failed clean-up',
      () => readCity(kube, ns, 'leeds'),
      (city) => conditionOf(city, 'EncryptionReady')?.reason === 'VaultCleanupFailed',
      15_000,
    );
    expect(waiting?.metadata.deletionTimestamp).toBeDefined();
    expect(conditionOf(waiting, 'EncryptionReady')?.message).toContain('unreachable');
    expect(conditionOf(waiting, 'Ready')).toMatchObject({ status: 'False', reason: 'Deleting' });
    await eventually(
      'several retries',
      () => counterValue(operator.registry, 'crashdesk_operator_reconcile_errors_total'),
      (errors) => errors >= errorsBefore + 3,
      15_000,
    );
    expect(await readCity(kube, ns, 'leeds')).toBeDefined();

    transit = await startTransit(testbin, dir, { port: vault.port, token: vault.token });
    await eventually(
      'leeds to be released once Vault is back',
      () => readCity(kube, ns, 'leeds'),
      (city) => city === undefined,
      30_000,
    );
  });
});
