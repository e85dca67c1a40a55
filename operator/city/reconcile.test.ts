import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createMemoryKube, type MemoryKube, type Refusal } from '../../test/support/memory-kube.js';
import { createMemoryVault } from '../../test/support/memory-vault.js';
import { testCity } from '../../test/support/test-city.js';
import { resourcePath } from '../kube.js';
import { cityCrd } from './crd.js';
import { createEventRecorder } from './events.js';
import { createCrdProbe } from './observe.js';
import { createCityReconciler } from './reconcile.js';
import { createVaultClient } from './vault.js';
import { API_VERSION, type City, FINALIZER, SITE_NUMBER_ANNOTATION } from './types.js';

// The reconciler's decisions against an in-memory API server and Vault (test/support): real
// implementations of the interfaces it takes, so that what it wrote can be read back. The watch
// caches are the store itself, always current; the control plane is test/cluster/'s.
const now = new Date('2026-11-18T12:00:00Z');
const key = 'platform/london';
const cityPath = resourcePath(API_VERSION, 'City', 'platform', 'london');
const crds = resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
const secrets = resourcePath('v1', 'Secret', 'platform');
const deploymentPath = resourcePath('apps/v1', 'Deployment', 'platform', 'crashdesk-api-london');
const conflict: Refusal = {
  code: 409,
  reason: 'Conflict',
  message: 'Operation cannot be fulfilled on deployments.apps "crashdesk-api-london": the object has been modified',
};

const vaultAddresses = { address: 'http://vault.vault.svc:8200', allowed: ['http://vault.vault.svc:8200'] };

async function setUp(
  options: {
    developmentCluster?: boolean;
    certManager?: boolean;
    keda?: boolean;
    london?: Partial<City['spec']>;
    before?: (kube: MemoryKube) => Promise<void>;
  } = {},
) {
  const kube = createMemoryKube();
  const vault = createMemoryVault();
  const logger = pino({ level: 'silent' });
  await kube.create(crds, cityCrd);
  await kube.create(crds, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'clusters.postgresql.cnpg.io' } });
  if (options.certManager !== false)
    await kube.create(crds, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'certificates.cert-manager.io' } });
  if (options.keda) await installKeda(kube);
  await kube.create(secrets, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'crashdesk-replication' },
    stringData: { secret: 'the platform replication secret' },
  });
  await kube.create(secrets, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'crashdesk-blind-index' },
    stringData: { key: 'a blind-index key of 32 bytes...' },
  });
  await options.before?.(kube);
  // As a client sends it: what the API server sets (uid, generation, resourceVersion) it sets itself.
  const { metadata, ...london } = testCity('london', options.london);
  await kube.create(resourcePath(API_VERSION, 'City', 'platform'), { ...london, metadata: { name: metadata.name, namespace: metadata.namespace } });
  const reconciler = createCityReconciler({
    kube,
    vault: createVaultClient(vault, vaultAddresses),
    events: createEventRecorder(kube, logger),
    logger,
    lookup: kube.lookup,
    // Asked on every pass, so that a test may install or remove a CRD between passes.
    childKindAvailable: createCrdProbe(kube, { intervalMs: 0 }),
    now: () => now,
    admission: { vault: vaultAddresses, developmentCluster: options.developmentCluster ?? true },
    certificateIssuer: { kind: 'ClusterIssuer', name: 'crashdesk-internal-ca' },
    prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090',
    prometheusNamespaces: ['monitoring'],
    cities: kube.cities,
  });
  return {
    kube,
    vault,
    reconcile: () => reconciler.reconcile(key),
    /** The first pass records the finalizer and site number, the second applies, the third's status sees what it applied. */
    settle: async () => {
      for (let pass = 0; pass < 3; pass++) await reconciler.reconcile(key);
    },
    city: () => kube.getOrUndefined<City>(cityPath),
    events: async (reason: string) =>
      (await kube.list<{ reason: string; type: string; message: string }>(resourcePath('v1', 'Event', 'platform'))).items.filter(
        (event) => event.reason === reason,
      ),
    writesSince: (mark: number) => kube.requests.slice(mark).filter((request) => request.method !== 'GET'),
  };
}

const kedaCrd = resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'scaledobjects.keda.sh');
const installKeda = (kube: MemoryKube) =>
  kube.create(crds, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'scaledobjects.keda.sh' } });

const condition = (city: City | undefined, type: string) => city?.status?.conditions?.find((candidate) => candidate.type === type);

describe('reconcile', () => {
  it('first records the finalizer and the site number, then applies the children and writes the status', async () => {
    const { kube, vault, reconcile, city, events, writesSince } = await setUp();
    expect(await reconcile()).toBeUndefined();
    expect((await city())?.metadata).toMatchObject({ finalizers: [FINALIZER], annotations: { [SITE_NUMBER_ANNOTATION]: '1' } });
    expect(await kube.getOrUndefined(deploymentPath)).toBeUndefined();
    expect(await events('SiteNumberAllocated')).toHaveLength(1);

    expect(await reconcile()).toEqual({ requeueAfterMs: 5_000 }); // not Ready: nothing runs its pods
    expect(await kube.getOrUndefined(deploymentPath)).toMatchObject({ spec: { replicas: 2 } });
    expect((await city())?.status).toMatchObject({ observedGeneration: 1, siteNumber: 1, endpoint: 'http://crashdesk.example/london' });
    expect(condition(await city(), 'EncryptionReady')).toMatchObject({ status: 'True', reason: 'VaultConfigured' });
    expect(vault.paths.has('transit/keys/crashdesk-platform-london')).toBe(true);

    // Observed before it was applied, the Cluster was missing; the next pass says so, applying nothing.
    expect(condition(await city(), 'DatabaseReady')?.reason).toBe('ClusterMissing');
    const mark = kube.requests.length;
    await reconcile();
    expect(condition(await city(), 'DatabaseReady')?.reason).toBe('ClusterNotReady');
    expect(writesSince(mark)).toEqual([{ method: 'PATCH', path: `${cityPath}/status` }]);
  });

  it('reconciles an unchanged City again without applying anything or writing its status', async () => {
    const { kube, vault, reconcile, settle, writesSince } = await setUp();
    await settle();
    const mark = kube.requests.length;
    expect(await reconcile()).toEqual({ requeueAfterMs: 5_000 });
    expect(writesSince(mark)).toEqual([]);
    const vaultMark = vault.requests.length;
    expect(await reconcile()).toEqual({ requeueAfterMs: 5_000 });
    expect(writesSince(mark)).toEqual([]);
    expect(vault.requests.slice(vaultMark).map((request) => request.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('applies again when a child was deleted by hand, and says which', async () => {
    const { kube, reconcile, settle, events } = await setUp();
    await settle();
    await kube.delete(resourcePath('v1', 'Service', 'platform', 'crashdesk-api-london'));
    await reconcile();
    expect(await kube.getOrUndefined(resourcePath('v1', 'Service', 'platform', 'crashdesk-api-london'))).toBeDefined();
    expect((await events('Applied')).at(-1)?.message).toBe('created or repaired Service crashdesk-api-london');
  });

  it('puts back Vault objects that Vault lost, in a pass that writes nothing to the cluster', async () => {
    const { kube, vault, reconcile, settle, writesSince } = await setUp();
    await settle();
    vault.forget();
    const mark = kube.requests.length;
    await reconcile();
    expect(vault.paths.has('auth/kubernetes/role/crashdesk-platform-london')).toBe(true);
    expect(writesSince(mark)).toEqual([]);
  });

  it('creates the admin password Secret once, with a random password, and never writes it again', async () => {
    const { kube, reconcile, settle } = await setUp();
    await settle();
    const adminPath = resourcePath('v1', 'Secret', 'platform', 'crashdesk-london-admin');
    const created = await kube.get<{ data: { password: string } }>(adminPath);
    expect(Buffer.from(created.data.password, 'base64').toString()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await kube.mergePatch(adminPath, { data: { password: Buffer.from('set-by-hand').toString('base64') } });
    await kube.delete(resourcePath('v1', 'Service', 'platform', 'crashdesk-api-london')); // so that the next pass applies
    await reconcile();
    expect((await kube.get<{ data: { password: string } }>(adminPath)).data.password).toBe(Buffer.from('set-by-hand').toString('base64'));
  });

  it('requeues quietly when an apply meets a conflict (409): no error, no failure event', async () => {
    const { kube, reconcile, events } = await setUp();
    await reconcile();
    const allow = kube.admit((request) => (request.kind === 'Deployment' ? conflict : undefined));
    expect(await reconcile()).toEqual({ requeueAfterMs: 100 });
    expect(await events('ReconcileFailed')).toEqual([]);
    allow();
    await reconcile();
    expect(await kube.getOrUndefined(deploymentPath)).toBeDefined();
  });

  it('records one ReconcileFailed event when the same failure repeats', async () => {
    const { vault, reconcile, events } = await setUp();
    await reconcile();
    vault.seal();
    await expect(reconcile()).rejects.toThrow('configuring Vault for City platform/london');
    await expect(reconcile()).rejects.toThrow('configuring Vault for City platform/london');
    expect(await events('ReconcileFailed')).toHaveLength(1);
  });

  it('records a different failure with an event of its own', async () => {
    const { kube, vault, reconcile, events } = await setUp();
    await reconcile();
    vault.seal();
    await expect(reconcile()).rejects.toThrow('configuring Vault');
    vault.unseal();
    kube.admit((request) => (request.kind === 'Deployment' ? { code: 500, reason: 'InternalError', message: 'etcdserver: request timed out' } : undefined));
    await expect(reconcile()).rejects.toThrow('applying Deployment crashdesk-api-london');
    expect((await events('ReconcileFailed')).map((event) => event.message)).toEqual([
      expect.stringContaining('Vault is sealed'),
      expect.stringContaining('etcdserver: request timed out'),
    ]);
  });
});

describe('deleting a City', () => {
  it('removes its Vault role and the grants of its policy, keeps its key and the record of whose it is, then releases the City', async () => {
    const { kube, vault, reconcile, settle, city } = await setUp();
    await settle();
    await kube.delete(cityPath);
    expect((await city())?.metadata.deletionTimestamp).toBeDefined(); // held by the finalizer
    expect(await reconcile()).toBeUndefined();
    expect([...vault.paths.keys()].sort()).toEqual(['sys/policies/acl/crashdesk-platform-london', 'transit/keys/crashdesk-platform-london']);
    expect(vault.paths.get('sys/policies/acl/crashdesk-platform-london')?.policy).toContain('capabilities = ["deny"]');
    expect(await city()).toBeUndefined();
    expect(await reconcile()).toBeUndefined(); // gone: nothing left to do
  });

  it('while Vault is sealed, keeps the finalizer, says EncryptionReady=False/VaultCleanupFailed and fails so that the queue retries', async () => {
    const { kube, vault, reconcile, settle, city, events } = await setUp();
    await settle();
    vault.seal();
    await kube.delete(cityPath);
    await expect(reconcile()).rejects.toThrow('removing Vault objects of City platform/london');
    const held = await city();
    expect(held?.metadata.finalizers).toEqual([FINALIZER]);
    expect(condition(held, 'EncryptionReady')).toMatchObject({ status: 'False', reason: 'VaultCleanupFailed' });
    expect(condition(held, 'Ready')).toMatchObject({ status: 'False', reason: 'Deleting' });
    expect(await events('VaultCleanupFailed')).toHaveLength(1);

    vault.unseal();
    expect(await reconcile()).toBeUndefined();
    expect(vault.paths.has('auth/kubernetes/role/crashdesk-platform-london')).toBe(false);
    expect(await city()).toBeUndefined();
  });

  it('records one VaultCleanupFailed event while the same clean-up failure repeats on every retry', async () => {
    const { kube, vault, reconcile, settle, events } = await setUp();
    await settle();
    vault.seal();
    await kube.delete(cityPath);
    for (let retry = 0; retry < 3; retry++) await expect(reconcile()).rejects.toThrow('removing Vault objects of City platform/london');
    expect(await events('VaultCleanupFailed')).toHaveLength(1);
    expect(await events('ReconcileFailed')).toHaveLength(1);
  });
});

describe('a City that would reach another city (its Vault key, role or path) or send the operator elsewhere is refused, naming the rule', () => {
  const ingress = resourcePath('networking.k8s.io/v1', 'Ingress', 'platform', 'crashdesk-api-london');

  it('refuses an encryption.vaultAddress the operator does not allow (vault-address-allowed): no Vault request, no children, one event', async () => {
    const { kube, vault, reconcile, city, events } = await setUp({
      london: { encryption: { ...testCity('london').spec.encryption, vaultAddress: 'https://vault.attacker.example' } },
    });
    await reconcile();
    expect(await reconcile()).toEqual({ requeueAfterMs: 30_000 });
    await reconcile();
    expect(condition(await city(), 'Ready')).toMatchObject({ status: 'False', reason: 'VaultAddressNotAllowed' });
    expect(condition(await city(), 'Ready')?.message).toContain('https://vault.attacker.example is not one of the Vault addresses the operator allows');
    expect(condition(await city(), 'Ready')?.message).toMatch(/\(rule vault-address-allowed\)$/);
    expect(vault.requests).toEqual([]);
    expect(await kube.getOrUndefined(deploymentPath)).toBeUndefined();
    expect((await events('Refused')).map((event) => event.type)).toEqual(['Warning']);

    await kube.delete(cityPath);
    expect(await reconcile()).toBeUndefined();
    expect(await city()).toBeUndefined();
    expect(vault.requests).toEqual([]);
  });

  it('refuses a City without ingress TLS unless the cluster is a development one (ingress-tls-required)', async () => {
    const { kube, reconcile, city } = await setUp({ developmentCluster: false });
    await reconcile();
    await reconcile();
    expect(condition(await city(), 'Ready')).toMatchObject({ status: 'False', reason: 'IngressTlsRequired' });
    expect(condition(await city(), 'Ready')?.message).toContain('(rule ingress-tls-required)');
    expect(await kube.getOrUndefined(ingress)).toBeUndefined();
  });

  it('refuses the later of two Cities serving the same host and path from different namespaces (ingress-path-unique)', async () => {
    const { kube, reconcile, city } = await setUp({
      before: async (kube) => {
        const { metadata, ...elder } = testCity('london', {}, { namespace: 'elder' });
        await kube.create(resourcePath(API_VERSION, 'City', 'elder'), { ...elder, metadata: { name: metadata.name, namespace: 'elder' } });
      },
    });
    await reconcile();
    await reconcile();
    expect(condition(await city(), 'Ready')).toMatchObject({ status: 'False', reason: 'IngressPathTaken' });
    expect(condition(await city(), 'Ready')?.message).toBe('crashdesk.example/london is already served for City elder/london (rule ingress-path-unique)');
    expect(await kube.getOrUndefined(ingress)).toBeUndefined();
  });

  it('refuses a City whose Vault names are recorded as another City (vault-names-owned), applying nothing', async () => {
    const { kube, vault, reconcile, city } = await setUp();
    await vault.write('http://vault.vault.svc:8200', 'sys/policies/acl/crashdesk-platform-london', {
      policy: '# crashdesk-operator: City platform-x/london owns transit key transit/keys/crashdesk-platform-london (created by the operator: yes)\n',
    });
    await reconcile();
    await reconcile();
    expect(condition(await city(), 'Ready')).toMatchObject({ status: 'False', reason: 'VaultNamesTaken' });
    expect(condition(await city(), 'Ready')?.message).toContain('(rule vault-names-owned)');
    expect(await kube.getOrUndefined(deploymentPath)).toBeUndefined();
    expect(vault.paths.has('auth/kubernetes/role/crashdesk-platform-london')).toBe(false);
  });

  it('refuses a City whose internal port would have no certificate: no cert-manager and no Secret of its own (internal-tls-source)', async () => {
    const { kube, reconcile, city } = await setUp({ certManager: false });
    await reconcile();
    await reconcile();
    expect(condition(await city(), 'Ready')).toMatchObject({ status: 'False', reason: 'InternalTlsMissing' });
    expect(condition(await city(), 'Ready')?.message).toContain('(rule internal-tls-source)');
    expect(await kube.getOrUndefined(deploymentPath)).toBeUndefined();
  });
});

describe('the internal port certificate', () => {
  const certificatePath = resourcePath('cert-manager.io/v1', 'Certificate', 'platform', 'crashdesk-api-london-internal');

  it('is asked of cert-manager when its CRD is installed', async () => {
    const { kube, settle } = await setUp();
    await settle();
    expect(await kube.getOrUndefined(certificatePath)).toMatchObject({ spec: { secretName: 'crashdesk-api-london-internal-tls' } });
  });

  it('is the Secret a City names, without cert-manager', async () => {
    const { kube, settle } = await setUp({ certManager: false, london: { internalTls: { secretName: 'london-internal' } } });
    await settle();
    const deployment = await kube.get<{ spec: { template: { spec: { volumes: { name: string; secret: { secretName: string } }[] } } } }>(deploymentPath);
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'internal-tls', secret: { secretName: 'london-internal' } });
  });
});

describe('scaling', () => {
  const hpaPath = resourcePath('autoscaling/v2', 'HorizontalPodAutoscaler', 'platform', 'crashdesk-api-london');
  const scaledObjectPath = resourcePath('keda.sh/v1alpha1', 'ScaledObject', 'platform', 'crashdesk-api-london');
  // Opens at 12:30 London time, half an hour after the tests' clock.
  const lunch = { ...testCity('london').spec.scaling, schedules: [{ name: 'lunch', days: [], start: '12:30', end: '14:00', minReplicas: 4 }] };

  /** london ships to hq: with it there, london can be Ready. */
  const withHq = async (kube: MemoryKube) => {
    const { metadata, ...hq } = testCity('hq');
    await kube.create(resourcePath(API_VERSION, 'City', 'platform'), { ...hq, metadata: { name: metadata.name, namespace: metadata.namespace } });
  };
  /** Plays CloudNativePG and the Deployment controller, so that the City is Ready and only the schedule requeues it. */
  async function makeReady(kube: MemoryKube) {
    await kube.mergePatch(`${resourcePath('postgresql.cnpg.io/v1', 'Cluster', 'platform', 'crashdesk-london-db')}/status`, { status: { readyInstances: 3 } });
    const { metadata, spec } = await kube.get<{ metadata: { generation: number }; spec: { replicas: number } }>(deploymentPath);
    await kube.mergePatch(`${deploymentPath}/status`, {
      status: {
        observedGeneration: metadata.generation,
        replicas: spec.replicas,
        updatedReplicas: spec.replicas,
        availableReplicas: spec.replicas,
        conditions: [{ type: 'Available', status: 'True' }],
      },
    });
  }

  it('without KEDA: an HPA on CPU alone, ScalingConfigured=CpuOnly, and a requeue at the next window edge', async () => {
    const { kube, reconcile, settle, city } = await setUp({ london: { scaling: lunch }, before: withHq });
    await settle();
    await makeReady(kube);
    expect(await reconcile()).toEqual({ requeueAfterMs: 30 * 60_000 });
    const hpa = await kube.get<{ spec: { metrics: { type: string }[] } }>(hpaPath);
    expect(hpa.spec.metrics.map((metric) => metric.type)).toEqual(['Resource']);
    expect(condition(await city(), 'ScalingConfigured')).toMatchObject({ status: 'True', reason: 'CpuOnly' });
    expect(condition(await city(), 'Ready')).toMatchObject({ status: 'True' });
  });

  it('with KEDA: a ScaledObject with a cron trigger instead of an HPA, ScalingConfigured=KedaScaledObject, and no requeue for the window', async () => {
    const { kube, reconcile, settle, city } = await setUp({ keda: true, london: { scaling: lunch }, before: withHq });
    await settle();
    await makeReady(kube);
    expect(await reconcile()).toBeUndefined();
    const scaled = await kube.get<{ spec: { triggers: { type: string; metadata: Record<string, string> }[] } }>(scaledObjectPath);
    expect(scaled.spec.triggers.map((trigger) => trigger.type)).toEqual(['cpu', 'cron']);
    expect(scaled.spec.triggers[1]?.metadata).toEqual({ timezone: 'Europe/London', start: '30 12 * * *', end: '0 14 * * *', desiredReplicas: '4' });
    expect(await kube.getOrUndefined(hpaPath)).toBeUndefined();
    expect(condition(await city(), 'ScalingConfigured')).toMatchObject({ status: 'True', reason: 'KedaScaledObject' });
  });

  it('asks Prometheus for requests per second once a ServiceMonitor makes it scrape the api, at the Prometheus the City names', async () => {
    const address = 'https://prometheus.london.example';
    const { kube, settle, city } = await setUp({
      keda: true,
      london: { scaling: { ...lunch, prometheusAddress: address } },
      before: (kube) =>
        kube.create(crds, {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'servicemonitors.monitoring.coreos.com' },
        }),
    });
    await settle();
    const scaled = await kube.get<{ spec: { triggers: { type: string; metadata: Record<string, string> }[] } }>(scaledObjectPath);
    expect(scaled.spec.triggers[0]).toMatchObject({ type: 'prometheus', metadata: { serverAddress: address } });
    expect(condition(await city(), 'ScalingConfigured')?.message).toContain(`from Prometheus at ${address}`);
  });

  it('once KEDA is installed, deletes its HPA before it applies the ScaledObject (which KEDA refuses while an HPA scales the Deployment)', async () => {
    const { kube, reconcile, settle, city, events } = await setUp();
    await settle();
    expect(await kube.getOrUndefined(hpaPath)).toBeDefined();
    const order: string[] = [];
    kube.admit((request) => {
      if (request.kind === 'ScaledObject' && kube.lookup('HorizontalPodAutoscaler', 'platform', 'crashdesk-api-london'))
        return { code: 403, reason: 'Forbidden', message: "the workload 'crashdesk-api-london' of type 'apps/v1.Deployment' is already managed by the hpa" };
      if (request.verb === 'delete' || request.kind === 'ScaledObject') order.push(`${request.verb} ${request.kind}`);
      return undefined;
    });
    await installKeda(kube);
    await reconcile();
    expect(order).toEqual(['delete HorizontalPodAutoscaler', 'create ScaledObject']);
    expect(await kube.getOrUndefined(hpaPath)).toBeUndefined();
    expect(await kube.getOrUndefined(scaledObjectPath)).toBeDefined();
    expect(condition(await city(), 'ScalingConfigured')?.reason).toBe('KedaScaledObject');
    expect((await events('AutoscalerReplaced')).map((event) => event.message)).toEqual([
      'deleted HorizontalPodAutoscaler crashdesk-api-london: ScaledObject crashdesk-api-london scales the api now',
    ]);
  });

  it('once KEDA is removed (its ScaledObjects with its CRD), scales with an HPA on CPU again', async () => {
    const { kube, reconcile, settle, city } = await setUp({ keda: true });
    await settle();
    await kube.delete(kedaCrd);
    await reconcile();
    expect(await kube.getOrUndefined(hpaPath)).toBeDefined();
    expect(condition(await city(), 'ScalingConfigured')?.reason).toBe('CpuOnly');
  });

  it('leaves alone an HPA of the same name that the City does not own', async () => {
    const { kube, settle } = await setUp({
      keda: true,
      before: (kube) =>
        kube.create(resourcePath('autoscaling/v2', 'HorizontalPodAutoscaler', 'platform'), {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: 'crashdesk-api-london', labels: { 'app.kubernetes.io/managed-by': 'crashdesk-operator' } },
          spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'crashdesk-api-london' }, maxReplicas: 3 },
        }),
    });
    await settle();
    expect(await kube.getOrUndefined(hpaPath)).toMatchObject({ spec: { maxReplicas: 3 } });
  });
});
