// A City author who may create Cities in one watched namespace tries to reach what is not theirs:
// another city's transit key or Vault role (by the same name in another namespace, or by a name
// that collides once namespace and name are joined), the operator's Vault token (by pointing
// encryption.vaultAddress elsewhere), another city's ingress path, or plain HTTP. The operator
// refuses each with Ready=False naming the rule, and deletes only the keys it made for the City.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resourcePath } from '../../operator/kube.js';
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
  startTestOperator,
  type TestOperator,
  vaultRead,
} from './operator-support.js';

const kubeConfig = testKubeConfig();
const kube = createKube(kubeConfig);
const vaultAddress = inject('vaultAddress');
const vaultToken = inject('vaultToken');
let victim: Awaited<ReturnType<typeof createTestNamespace>>;
/** Named `<victim>-east`, so that City `london` here and City `east-london` there join to one name. */
let hostile: string;
let operator: TestOperator | undefined;
// A server posing as Vault at an address the operator does not allow: it records every request's token.
const tokensSeen: (string | undefined)[] = [];
const impostor = createServer((request, response) => {
  tokensSeen.push(request.headers['x-vault-token'] as string | undefined);
  request.resume();
  response.writeHead(request.method === 'GET' ? 404 : 204).end();
});
let impostorAddress: string;

const roleOf = (namespace: string, name: string) => vaultRead(vaultAddress, vaultToken, `auth/kubernetes/role/crashdesk-${namespace}-${name}`);
const refusedWith = (namespace: string, name: string, reason: string) =>
  eventually(
    `City ${namespace}/${name} to be refused with ${reason}`,
    () => readCity(kube, namespace, name),
    (city) => conditionOf(city, 'Ready')?.reason === reason,
    30_000,
  );

beforeAll(async () => {
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  impostorAddress = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
  await installCityCrd(kube);
  victim = await createTestNamespace(kubeConfig, 'hostile');
  hostile = `${victim.name}-east`;
  await kube.create(resourcePath('v1', 'Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: hostile } });
  await createPlatformSecrets(kube, victim.name);
  await createPlatformSecrets(kube, hostile);
  operator = await startTestOperator(
    kubeConfig,
    victim.name,
    { address: vaultAddress, token: vaultToken },
    { resyncMs: 2_000, watchNamespaces: [victim.name, hostile] },
  );
  await eventually('the operator to lead', async () => operator?.isLeader(), Boolean, 15_000);
  // The victim: hq, london and east-london, Ready, with their keys.
  for (const name of ['hq', 'london', 'east-london']) {
    await applyCity(kube, cityManifest(victim.name, name, vaultAddress, { ingress: { host: 'victim.example', tlsSecretName: 'tls' } }));
    await actAsCnpg(kube, victim.name, `crashdesk-${name}-db`);
  }
  for (const name of ['hq', 'london', 'east-london']) await eventually(`${name} to be Ready`, () => readCity(kube, victim.name, name), isReady, 60_000);
});

afterAll(async () => {
  await deleteAllCities(kube, hostile).catch(() => undefined);
  await deleteAllCities(kube, victim?.name ?? '').catch(() => undefined);
  await operator?.stop();
  await kube.delete(resourcePath('v1', 'Namespace', undefined, hostile)).catch(() => undefined);
  await victim?.remove();
  await new Promise((resolve) => impostor.close(resolve));
});

const keyOf = async (namespace: string, name: string) =>
  /path "transit\/encrypt\/([^"]+)"/.exec(
    String((await vaultRead(vaultAddress, vaultToken, `sys/policies/acl/crashdesk-${namespace}-${name}`)).data?.policy),
  )?.[1];
const hostileCity = (name: string, spec: Record<string, unknown> = {}) =>
  cityManifest(hostile, name, vaultAddress, { ingress: { host: 'hostile.example', tlsSecretName: 'tls' }, ...spec });

describe('a hostile City author in another watched namespace', () => {
  it('gets a transit key and role of their own for a City of the same name, never the victim city key', async () => {
    await applyCity(kube, hostileCity('hq'));
    await actAsCnpg(kube, hostile, 'crashdesk-hq-db');
    await eventually('the hostile hq to be Ready', () => readCity(kube, hostile, 'hq'), isReady, 60_000);
    expect(await keyOf(hostile, 'hq')).toBeDefined();
    expect(await keyOf(hostile, 'hq')).not.toBe(await keyOf(victim.name, 'hq'));
    expect((await roleOf(hostile, 'hq')).data?.bound_service_account_namespaces).toEqual([hostile]);
  });

  it('cannot take the victim Vault role and key with a City whose namespace and name join to the same name (rule vault-names-owned)', async () => {
    // Namespace <victim>-east, City london, and namespace <victim>, City east-london: both crashdesk-<victim>-east-london.
    await applyCity(kube, hostileCity('london', { encryption: { vaultAddress, deleteKeyOnDelete: true } }));
    const refused = await refusedWith(hostile, 'london', 'VaultNamesTaken');
    expect(conditionOf(refused, 'Ready')?.message).toContain(`recorded as City ${victim.name}/east-london's`);
    expect(conditionOf(refused, 'Ready')?.message).toContain('(rule vault-names-owned)');
    expect((await roleOf(victim.name, 'east-london')).data).toMatchObject({
      bound_service_account_names: ['crashdesk-api-east-london'],
      bound_service_account_namespaces: [victim.name],
    });
  });

  it('deleting that City with deleteKeyOnDelete deletes no key of the victim, nor its role', async () => {
    const victimKeys = [await keyOf(victim.name, 'london'), await keyOf(victim.name, 'east-london')];
    expect(victimKeys.every(Boolean)).toBe(true);
    await kube.delete(cityPath(hostile, 'london'));
    await eventually(
      'the hostile london to be released',
      () => readCity(kube, hostile, 'london'),
      (city) => city === undefined,
      30_000,
    );
    for (const key of victimKeys) expect((await vaultRead(vaultAddress, vaultToken, `transit/keys/${key}`)).status).toBe(200);
    expect((await roleOf(victim.name, 'east-london')).status).toBe(200);
    expect((await roleOf(victim.name, 'london')).status).toBe(200);
  });

  it('is refused an encryption.vaultAddress the operator does not allow, and the operator token never goes there (rule vault-address-allowed)', async () => {
    await applyCity(kube, hostileCity('leeds', { encryption: { vaultAddress: impostorAddress } }));
    const refused = await refusedWith(hostile, 'leeds', 'VaultAddressNotAllowed');
    expect(conditionOf(refused, 'Ready')?.message).toContain('(rule vault-address-allowed)');
    expect(tokensSeen).toEqual([]);
    expect(await kube.getOrUndefined(resourcePath('apps/v1', 'Deployment', hostile, 'crashdesk-api-leeds'))).toBeUndefined();
  });

  it('is refused the victim host and path (rule ingress-path-unique), and its Ingress keeps its own host', async () => {
    await applyCity(kube, hostileCity('hq', { ingress: { host: 'victim.example', tlsSecretName: 'tls' } }));
    const refused = await refusedWith(hostile, 'hq', 'IngressPathTaken');
    expect(conditionOf(refused, 'Ready')?.message).toBe(`victim.example/hq is already served for City ${victim.name}/hq (rule ingress-path-unique)`);
    const ingress = await kube.get<{ spec: { rules: { host: string }[] } }>(resourcePath('networking.k8s.io/v1', 'Ingress', hostile, 'crashdesk-api-hq'));
    expect(ingress.spec.rules.map((rule) => rule.host)).toEqual(['hostile.example']);
  });

  it('is refused a City served without TLS on a cluster that is not a development one (rule ingress-tls-required)', async () => {
    await applyCity(kube, cityManifest(hostile, 'york', vaultAddress, { ingress: { host: 'hostile.example' } }));
    const refused = await refusedWith(hostile, 'york', 'IngressTlsRequired');
    expect(conditionOf(refused, 'Ready')?.message).toContain('(rule ingress-tls-required)');
  });
});
