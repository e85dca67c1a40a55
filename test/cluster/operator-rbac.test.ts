// Least privilege, proved by running on it: an operator that authenticates to the API server as the
// chart's ServiceAccount (a real token from the TokenRequest API, checked by RBAC) with the generated,
// namespaced RBAC, and to Vault as that ServiceAccount through Kubernetes auth under the policy the
// chart ships, reconciles Cities to Ready and releases them (deleting a key it made), and its Vault
// token may do nothing outside crashdesk-* keys, policies and roles.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OperatorChart } from '../../manifests/operator.js';
import { type Operator, startOperator } from '../../operator/controller.js';
import { resourcePath } from '../../operator/kube.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  applyCity,
  applyHqUntilReady,
  cityManifest,
  conditionOf,
  configureVaultKubernetesAuth,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  readCity,
  serviceAccountKubeConfig,
  vaultRead,
} from './operator-support.js';

const adminConfig = testKubeConfig();
const admin = createKube(adminConfig);
const vault = { address: inject('vaultAddress'), token: inject('vaultToken') };
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let ns: string;
let dir: string;
let jwtFile: string;
let vaultAuth: Awaited<ReturnType<typeof configureVaultKubernetesAuth>> | undefined;
let operator: Operator | undefined;
const applied: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[] = [];

beforeAll(async () => {
  await installCityCrd(admin);
  namespace = await createTestNamespace(adminConfig, 'operator-rbac');
  ns = namespace.name;
  await createPlatformSecrets(admin, ns);
  const objects = Testing.synth(
    new OperatorChart(Testing.app(), 'operator', { operatorNamespace: ns, image: 'unused', vault: { address: vault.address }, watchNamespaces: [ns] }),
  ) as typeof applied;
  for (const object of objects.filter((o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind))) {
    await admin.apply(object, 'crashdesk-test-setup');
    applied.push(object);
  }
  vaultAuth = await configureVaultKubernetesAuth(admin, adminConfig, vault, { namespace: ns, serviceAccount: 'crashdesk-operator' });
  dir = await mkdtemp(join(tmpdir(), 'crashdesk-operator-rbac-'));
  jwtFile = join(dir, 'token');
  await writeFile(jwtFile, vaultAuth.jwt);
});

afterAll(async () => {
  await deleteAllCities(admin, ns).catch(() => undefined);
  await operator?.stop();
  for (const object of applied.filter((o) => o.kind.startsWith('Cluster'))) {
    await admin.delete(resourcePath(object.apiVersion, object.kind, undefined, object.metadata.name));
  }
  await vaultAuth?.remove();
  await namespace?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('least privilege', () => {
  it('the namespaced RBAC and the shipped Vault policy, through Kubernetes auth, let the operator reconcile Cities to Ready and release them', async () => {
    operator = await startOperator({
      kubeConfig: await serviceAccountKubeConfig(admin, adminConfig, ns, 'crashdesk-operator'),
      logger: pino({ level: process.env.OPERATOR_TEST_LOG_LEVEL ?? 'silent' }),
      registry: new Registry(),
      vault: {
        auth: { method: 'kubernetes', role: 'crashdesk_operator', mount: 'kubernetes', jwtFile },
        addresses: { address: vault.address, allowed: [vault.address] },
      },
      namespace: ns,
      watchNamespaces: [ns],
      leaseDurationMs: 3_000,
      notReadyRequeueMs: 2_000,
    });
    await eventually('the operator to lead', async () => operator?.isLeader(), Boolean, 15_000);
    const ready = await applyHqUntilReady(admin, ns, vault.address);
    expect(ready?.status?.siteNumber).toBe(0);
    await applyCity(admin, cityManifest(ns, 'york', vault.address, { encryption: { vaultAddress: vault.address, deleteKeyOnDelete: true } }));
    await eventually(
      'york to have Vault configured',
      () => readCity(admin, ns, 'york'),
      (city) => conditionOf(city, 'EncryptionReady')?.status === 'True',
      15_000,
    );
    expect((await vaultRead(vault.address, vault.token, `transit/keys/crashdesk-${ns}-york`)).status).toBe(200);

    // york's api, logged in as its own ServiceAccount under the role and policy the operator wrote,
    // may do all the api does with its key (seal fields, sign and check the audit chain's head), and
    // nothing with hq's.
    const apiJwt = (
      await admin.create<{ status: { token: string } }>(`${resourcePath('v1', 'ServiceAccount', ns, 'crashdesk-api-york')}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 600 },
      })
    ).status.token;
    const apiLogin = await fetch(`${vault.address}/v1/auth/kubernetes/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: `crashdesk-${ns}-york`, jwt: apiJwt }),
    });
    expect(apiLogin.status).toBe(200);
    const apiToken = ((await apiLogin.json()) as { auth: { client_token: string } }).auth.client_token;
    const asApi = async (path: string, body: unknown) => {
      const response = await fetch(`${vault.address}/v1/transit/${path}`, {
        method: 'POST',
        headers: { 'X-Vault-Token': apiToken, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, data: response.ok ? ((await response.json()) as { data: Record<string, unknown> }).data : undefined };
    };
    const input = Buffer.from('audit head').toString('base64');
    const york = `crashdesk-${ns}-york`;
    const signed = await asApi(`hmac/${york}`, { input });
    expect(signed.status).toBe(200);
    const uses = {
      encrypt: (await asApi(`encrypt/${york}`, { plaintext: input })).status,
      'data key': (await asApi(`datakey/wrapped/${york}`, { bits: 256 })).status,
      verify: (await asApi(`verify/${york}`, { input, hmac: signed.data?.hmac })).status,
      "hq's key": (await asApi(`encrypt/crashdesk-${ns}-hq`, { plaintext: input })).status,
      "an hmac with hq's key": (await asApi(`hmac/crashdesk-${ns}-hq`, { input })).status,
    };
    expect(uses).toEqual({ encrypt: 200, 'data key': 200, verify: 200, "hq's key": 403, "an hmac with hq's key": 403 });
    await deleteAllCities(admin, ns);
    expect((await vaultRead(vault.address, vault.token, `transit/keys/crashdesk-${ns}-york`)).status).toBe(404);
    expect((await vaultRead(vault.address, vault.token, `transit/keys/crashdesk-${ns}-hq`)).status).toBe(200);
  });

  it('the operator Vault token may manage crashdesk-* keys, policies and roles, and nothing else: not its own policy, not a key use', async () => {
    const login = await fetch(`${vault.address}/v1/auth/kubernetes/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'crashdesk_operator', jwt: vaultAuth?.jwt }),
    });
    expect(login.status).toBe(200);
    const token = ((await login.json()) as { auth: { client_token: string } }).auth.client_token;
    const call = async (method: string, path: string, body?: unknown) =>
      (
        await fetch(`${vault.address}/v1/${path}`, {
          method,
          headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      ).status;
    expect(await call('GET', `transit/keys/crashdesk-${ns}-hq`)).toBe(200);
    const refused = {
      'its own policy': await call('POST', 'sys/policies/acl/crashdesk_operator', { policy: 'path "*" { capabilities = ["sudo"] }' }),
      'its own role': await call('POST', 'auth/kubernetes/role/crashdesk_operator', { bound_service_account_names: ['*'] }),
      'another policy': await call('GET', 'sys/policies/acl/default'),
      'a key of another name': await call('POST', 'transit/keys/payroll', { type: 'aes256-gcm96' }),
      encrypting: await call('POST', `transit/encrypt/crashdesk-${ns}-hq`, { plaintext: 'aGk=' }),
      'a data key': await call('POST', `transit/datakey/plaintext/crashdesk-${ns}-hq`, {}),
      'mounting an engine': await call('POST', 'sys/mounts/elsewhere', { type: 'transit' }),
      'the auth configuration': await call('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://attacker.example' }),
    };
    expect(refused).toEqual(Object.fromEntries(Object.keys(refused).map((what) => [what, 403])));
  });
});
