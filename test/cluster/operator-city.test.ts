// The operator, in process, turns Cities into their children on the
// test control plane (KWOK nodes, the real CloudNativePG schema, the transit server).
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { configSchema } from '../../api/config.js';
import { deriveCityKey } from '../../api/replication/signing.js';
import type { City } from '../../operator/city/types.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  actAsCnpg,
  applyCity,
  cityManifest,
  cityPath,
  conditionOf,
  counterValue,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  isReady,
  readCity,
  refusal,
  startTestOperator,
  type TestOperator,
  vaultRead,
} from './operator-support.js';
import { resourcePath } from '../../operator/kube.js';

const kubeConfig = testKubeConfig();
const kube = createKube(kubeConfig);
const vaultAddress = inject('vaultAddress');
const vaultToken = inject('vaultToken');
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let operator: TestOperator;
let ns: string;

type Obj = {
  metadata: { uid: string; name: string; ownerReferences?: { kind: string; name: string; controller?: boolean }[]; generation?: number };
  spec: Record<string, any>;
  status?: Record<string, any>;
  data?: Record<string, string>;
};
const read = (apiVersion: string, kind: string, name: string) => kube.get<Obj>(resourcePath(apiVersion, kind, ns, name));
const cities = ['hq', 'london', 'manchester'];

beforeAll(async () => {
  await installCityCrd(kube);
  namespace = await createTestNamespace(kubeConfig, 'operator-city');
  ns = namespace.name;
  await createPlatformSecrets(kube, ns);
  operator = await startTestOperator(kubeConfig, ns, { address: vaultAddress, token: vaultToken }, { resyncMs: 1_000 });
  await eventually(
    'the operator to lead',
    async () => operator.isLeader(),
    (leading) => leading,
    15_000,
  );
});

afterAll(async () => {
  await deleteAllCities(kube, ns).catch(() => undefined);
  await operator?.stop();
  await namespace?.remove();
});

describe('an hq City and two city Cities', () => {
  it('become Ready with every child in place', async () => {
    for (const name of cities) await applyCity(kube, cityManifest(ns, name, vaultAddress));
    // Before CloudNativePG reports the Cluster healthy, the City says so and is not Ready.
    const waiting = await eventually(
      'london to wait for its database',
      () => readCity(kube, ns, 'london'),
      (city) => conditionOf(city, 'DatabaseReady')?.reason === 'ClusterNotReady',
      30_000,
    );
    expect(conditionOf(waiting, 'DatabaseReady')?.message).toContain('0 of 2 instances ready');
    expect(conditionOf(waiting, 'Ready')?.status).toBe('False');
    await Promise.all(cities.map((name) => actAsCnpg(kube, ns, `crashdesk-${name}-db`)));
    const ready = await Promise.all(cities.map((name) => eventually(`City ${name} to be Ready`, () => readCity(kube, ns, name), isReady, 60_000)));
    expect(ready.map((city) => city?.status?.siteNumber).sort()).toEqual([0, 1, 2]);
    expect(ready[0]?.status?.siteNumber).toBe(0);
  });

  it('runs each api as a single site with an environment its config schema accepts', async () => {
    const london = (await readCity(kube, ns, 'london')) as City;
    const deployment = await read('apps/v1', 'Deployment', 'crashdesk-api-london');
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const env = Object.fromEntries(
      container.env.map((v: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }) => [
        v.name,
        v.value ?? v.valueFrom?.secretKeyRef,
      ]),
    );
    expect(env).toMatchObject({
      CRASHDESK_SITE: 'london',
      CRASHDESK_SITE_NUMBER: String(london.status?.siteNumber),
      DATABASE_URL: { name: 'crashdesk-london-db-api', key: 'uri' },
      DATABASE_OWNER_URL: { name: 'crashdesk-london-db-app', key: 'uri' },
      DATABASE_READ_URL: { name: 'crashdesk-london-db-api', key: 'readUri' },
      CRASHDESK_BLIND_INDEX_KEY: { name: 'crashdesk-blind-index', key: 'key' },
      CRASHDESK_KEY_PROVIDER: 'vault',
      VAULT_ADDR: vaultAddress,
      VAULT_AUTH_METHOD: 'kubernetes',
      VAULT_KUBERNETES_ROLE: `crashdesk-${ns}-london`,
      VAULT_TRANSIT_KEY: `crashdesk-${ns}-london`,
      CRASHDESK_TRUST_PROXY_HOPS: '1',
      CRASHDESK_REPLICATION_SECRET: { name: expect.stringMatching(/^crashdesk-london-replication-/), key: 'key' },
      CRASHDESK_HQ_URL: `https://crashdesk-api-hq.${ns}.svc:8443`,
    });
    const asValues = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        typeof v === 'string'
          ? v
          : k === 'CRASHDESK_BLIND_INDEX_KEY'
            ? Buffer.alloc(32).toString('base64')
            : /^DATABASE_(OWNER_|READ_)?URL$/.test(k)
              ? 'postgres://db/app'
              : 'x'.repeat(40),
      ]),
    );
    expect(configSchema.safeParse(asValues).success).toBe(true);
    expect(container.readinessProbe.httpGet.path).toBe('/london/readyz');
    expect(container.lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
    expect(pod.serviceAccountName).toBe('crashdesk-api-london');
    expect(pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey)).toContain('topology.kubernetes.io/zone');
    expect(deployment.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'City', name: 'london', controller: true })]);
    const status = await eventually(
      '2 available replicas',
      () => read('apps/v1', 'Deployment', 'crashdesk-api-london'),
      (d) => d.status?.availableReplicas === 2,
    );
    expect(status.status?.availableReplicas).toBe(2);
  });

  it('gives hq the platform replication secret and each city only its derived key', async () => {
    const hq = await read('apps/v1', 'Deployment', 'crashdesk-api-hq');
    const hqEnv = hq.spec.template.spec.containers[0].env as { name: string; valueFrom?: unknown }[];
    expect(hqEnv.find((v) => v.name === 'CRASHDESK_REPLICATION_SECRET')?.valueFrom).toEqual({ secretKeyRef: { name: 'crashdesk-replication', key: 'secret' } });
    expect(hqEnv.some((v) => v.name === 'CRASHDESK_HQ_URL')).toBe(false);
    const platform = Buffer.from((await read('v1', 'Secret', 'crashdesk-replication')).data?.secret ?? '', 'base64').toString();
    const londonEnv = (await read('apps/v1', 'Deployment', 'crashdesk-api-london')).spec.template.spec.containers[0].env as {
      name: string;
      valueFrom?: { secretKeyRef: { name: string; key: string } };
    }[];
    const keyRef = londonEnv.find((v) => v.name === 'CRASHDESK_REPLICATION_SECRET')?.valueFrom?.secretKeyRef;
    // Named by its content (the operator only ever creates it), owned by the City.
    expect(keyRef).toEqual({ name: expect.stringMatching(/^crashdesk-london-replication-[0-9a-f]{10}$/), key: 'key' });
    const derived = Buffer.from((await read('v1', 'Secret', keyRef?.name ?? '')).data?.key ?? '', 'base64').toString();
    expect(derived).toBe(deriveCityKey(platform, 'london'));
  });

  it('gives each api its admin password from a Secret it creates once, crashdesk-<name>-admin, and never overwrites', async () => {
    const passwordOf = async (name: string) => Buffer.from((await read('v1', 'Secret', `crashdesk-${name}-admin`)).data?.password ?? '', 'base64').toString();
    const [london, manchester] = [await passwordOf('london'), await passwordOf('manchester')];
    expect(london).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(manchester).not.toBe(london);
    const env = (await read('apps/v1', 'Deployment', 'crashdesk-api-london')).spec.template.spec.containers[0].env as { name: string; valueFrom?: unknown }[];
    expect(env.find((v) => v.name === 'CRASHDESK_ADMIN_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'crashdesk-london-admin', key: 'password' } });
    // A password the platform team set by hand stays, through a change that applies every child again.
    await kube.mergePatch(resourcePath('v1', 'Secret', ns, 'crashdesk-london-admin'), { stringData: { password: 'set-by-hand-and-kept' } });
    const before = (await readCity(kube, ns, 'london')) as City;
    await applyCity(kube, cityManifest(ns, 'london', vaultAddress, { displayName: 'London, renamed' }));
    await eventually(
      'london to apply its new generation',
      () => readCity(kube, ns, 'london'),
      (city) => city !== undefined && city.metadata.generation > before.metadata.generation && isReady(city),
      30_000,
    );
    expect(await passwordOf('london')).toBe('set-by-hand-and-kept');
  });

  it('serves the api through a Service, an Ingress path, a KEDA ScaledObject, a PDB and network policies', async () => {
    const deployment = await read('apps/v1', 'Deployment', 'crashdesk-api-london');
    const service = await read('v1', 'Service', 'crashdesk-api-london');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    const ingress = await read('networking.k8s.io/v1', 'Ingress', 'crashdesk-api-london');
    expect(ingress.spec.rules[0]).toMatchObject({
      host: 'crashdesk.example',
      http: { paths: [{ path: '/london', pathType: 'Prefix', backend: { service: { name: 'crashdesk-api-london' } } }] },
    });
    // The test control plane has KEDA's CRD (not KEDA): the operator scales with a ScaledObject and no HPA of its own.
    const scaled = await read('keda.sh/v1alpha1', 'ScaledObject', 'crashdesk-api-london');
    expect(scaled.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 4, scaleTargetRef: { kind: 'Deployment', name: 'crashdesk-api-london' } });
    expect(scaled.spec.triggers.map((trigger: { type: string }) => trigger.type)).toEqual(['prometheus', 'cpu']);
    expect(await kube.getOrUndefined(resourcePath('autoscaling/v2', 'HorizontalPodAutoscaler', ns, 'crashdesk-api-london'))).toBeUndefined();
    const pdb = await read('policy/v1', 'PodDisruptionBudget', 'crashdesk-api-london');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const apiPolicy = await read('networking.k8s.io/v1', 'NetworkPolicy', 'crashdesk-api-london');
    expect(apiPolicy.spec.ingress).toHaveLength(3);
    const dbPolicy = await read('networking.k8s.io/v1', 'NetworkPolicy', 'crashdesk-london-db');
    expect(dbPolicy.spec.ingress[0].from[0].podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const monitor = await read('monitoring.coreos.com/v1', 'ServiceMonitor', 'crashdesk-api-london');
    expect(monitor.spec.endpoints[0].port).toBe('http');
  });

  it('serves replication on an internal port of its own over mutual TLS, with a cert-manager certificate per site, never through the Ingress', async () => {
    type Pod = {
      containers: {
        ports: { name: string; containerPort: number }[];
        env: { name: string; value?: string }[];
        volumeMounts: { name: string; mountPath: string }[];
      }[];
      volumes: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
    };
    const certificate = await read('cert-manager.io/v1', 'Certificate', 'crashdesk-api-london-internal');
    expect(certificate.spec).toMatchObject({
      secretName: 'crashdesk-api-london-internal-tls',
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'crashdesk-internal-ca' },
      usages: expect.arrayContaining(['server auth', 'client auth']),
    });
    expect(certificate.spec.dnsNames).toContain(`crashdesk-api-london.${ns}.svc`);
    const pod = (await read('apps/v1', 'Deployment', 'crashdesk-api-london')).spec.template.spec as Pod;
    const [container] = pod.containers;
    const env = Object.fromEntries(container!.env.map((v) => [v.name, v.value]));
    expect(container!.ports).toContainEqual(expect.objectContaining({ name: 'internal', containerPort: 8443 }));
    expect(env).toMatchObject({
      CRASHDESK_INTERNAL_PORT: '8443',
      CRASHDESK_INTERNAL_TLS_CERT: '/etc/crashdesk/internal-tls/tls.crt',
      CRASHDESK_INTERNAL_TLS_KEY: '/etc/crashdesk/internal-tls/tls.key',
      CRASHDESK_INTERNAL_TLS_CA: '/etc/crashdesk/internal-tls/ca.crt',
      DATABASE_CA_FILE: '/etc/crashdesk/database-ca/ca.crt',
      CRASHDESK_HQ_URL: `https://crashdesk-api-hq.${ns}.svc:8443`,
      CRASHDESK_REPLICATION_URL: `https://crashdesk-api-london.${ns}.svc:8443`,
    });
    const volume = (mountPath: string) => pod.volumes.find((v) => v.name === container!.volumeMounts.find((m) => m.mountPath === mountPath)?.name)?.secret;
    expect(volume('/etc/crashdesk/internal-tls')).toMatchObject({ secretName: 'crashdesk-api-london-internal-tls' });
    expect(volume('/etc/crashdesk/database-ca')).toMatchObject({ secretName: 'crashdesk-london-db-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
    const hqEnv = (await read('apps/v1', 'Deployment', 'crashdesk-api-hq')).spec.template.spec.containers[0].env as { name: string; value?: string }[];
    const pattern = hqEnv.find((v) => v.name === 'CRASHDESK_PEER_URL_PATTERN')?.value ?? '';
    expect(new RegExp(`^(?:${pattern.replaceAll('{city}', 'london')})$`).test(`https://crashdesk-api-london.${ns}.svc:8443`)).toBe(true);
    expect(new RegExp(`^(?:${pattern.replaceAll('{city}', 'london')})$`).test(`https://elsewhere.example:8443`)).toBe(false);

    const service = await read('v1', 'Service', 'crashdesk-api-london');
    expect(service.spec.ports).toEqual([
      expect.objectContaining({ name: 'http', port: 80, targetPort: 'http' }),
      expect.objectContaining({ name: 'internal', port: 8443, targetPort: 'internal' }),
    ]);
    const ingress = await read('networking.k8s.io/v1', 'Ingress', 'crashdesk-api-london');
    expect(ingress.spec.rules.flatMap((rule: { http: { paths: { path: string; backend: unknown }[] } }) => rule.http.paths)).toEqual([
      { path: '/london', pathType: 'Prefix', backend: { service: { name: 'crashdesk-api-london', port: { name: 'http' } } } },
    ]);
    const policy = await read('networking.k8s.io/v1', 'NetworkPolicy', 'crashdesk-api-london');
    expect(policy.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      // The operator's default Prometheus namespace scrapes /metrics on the http port, and only there.
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'crashdesk-api' } } }], ports: [{ protocol: 'TCP', port: 8443 }] },
    ]);
  });

  it('asks CloudNativePG for the schema owner and a separate login for the api, which gets the owner only to migrate', async () => {
    const cluster = await read('postgresql.cnpg.io/v1', 'Cluster', 'crashdesk-london-db');
    expect(cluster.spec.bootstrap.initdb).toMatchObject({ database: 'app', owner: 'app' });
    expect(cluster.spec.managed.roles).toEqual([
      expect.objectContaining({
        name: 'crashdesk_api',
        ensure: 'present',
        login: true,
        superuser: false,
        createdb: false,
        createrole: false,
        replication: false,
        passwordSecret: { name: 'crashdesk-london-db-api' },
      }),
    ]);
    const login = await kube.get<{ type: string; data: Record<string, string> }>(resourcePath('v1', 'Secret', ns, 'crashdesk-london-db-api'));
    const field = (key: string) => Buffer.from(login.data[key] ?? '', 'base64').toString();
    expect(login.type).toBe('kubernetes.io/basic-auth');
    expect(field('username')).toBe('crashdesk_api');
    expect(field('password')).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(field('uri')).toBe(`postgresql://crashdesk_api:${field('password')}@crashdesk-london-db-rw.${ns}.svc:5432/app?sslmode=verify-full`);
  });

  it('creates a CloudNativePG Cluster the real schema accepts, and the Vault key, policy and role', async () => {
    const cluster = await read('postgresql.cnpg.io/v1', 'Cluster', 'crashdesk-london-db');
    expect(cluster.spec).toMatchObject({ instances: 2, storage: { size: '1Gi' }, bootstrap: { initdb: { database: 'app', owner: 'app' } } });
    expect((await vaultRead(vaultAddress, vaultToken, `transit/keys/crashdesk-${ns}-london`)).status).toBe(200);
    const policy = await vaultRead(vaultAddress, vaultToken, `sys/policies/acl/crashdesk-${ns}-london`);
    expect(policy.data?.policy).toContain(`transit/encrypt/crashdesk-${ns}-london`);
    const role = await vaultRead(vaultAddress, vaultToken, `auth/kubernetes/role/crashdesk-${ns}-london`);
    expect(role.data).toMatchObject({
      bound_service_account_names: ['crashdesk-api-london'],
      bound_service_account_namespaces: [ns],
      token_policies: [`crashdesk-${ns}-london`],
    });
  });

  it('reports endpoint, replicas and every condition True for the current generation', async () => {
    const london = await eventually(
      'london to report 2 replicas',
      () => readCity(kube, ns, 'london'),
      (city) => city?.status?.replicas === 2,
    );
    expect(london?.status?.endpoint).toBe('https://crashdesk.example/london');
    for (const type of ['Ready', 'DatabaseReady', 'ApiAvailable', 'EncryptionReady', 'ReplicationConfigured', 'ScalingConfigured']) {
      expect(conditionOf(london, type)).toMatchObject({ status: 'True', observedGeneration: london?.metadata.generation });
    }
  });

  it('prints Role, Ready, Replicas and Endpoint in kubectl get', async () => {
    const table = await kube.send<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(
      'GET',
      cityPath(ns, 'london'),
      undefined,
      undefined,
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    );
    expect(table.columnDefinitions.map((column) => column.name)).toEqual(['Name', 'Role', 'Ready', 'Replicas', 'Endpoint', 'Age']);
    expect(table.rows[0]?.cells.slice(0, 5)).toEqual(['london', 'city', 'True', 2, 'https://crashdesk.example/london']);
  });

  it('records Events on the City', async () => {
    const events = await kube.list<{ reason: string; involvedObject: { name: string; kind: string } }>(resourcePath('v1', 'Event', ns));
    const reasons = events.items.filter((event) => event.involvedObject.kind === 'City' && event.involvedObject.name === 'london').map((event) => event.reason);
    expect(reasons).toEqual(expect.arrayContaining(['SiteNumberAllocated', 'Applied', 'Ready']));
  });

  it('makes no writes while nothing changes, through several resyncs (only its lease renewals)', async () => {
    await operator.idle();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Writes by verb and resource, so that a failure names what was written.
    const writes = async () => {
      const { values } = await (operator.registry.getSingleMetric('crashdesk_operator_kube_requests_total')?.get() ?? Promise.resolve({ values: [] }));
      return Object.fromEntries(
        values.filter((v) => v.labels.verb !== 'GET' && v.labels.resource !== 'leases').map((v) => [`${v.labels.verb} ${v.labels.resource}`, v.value]),
      );
    };
    const renewals = () =>
      counterValue(operator.registry, 'crashdesk_operator_kube_requests_total', (labels) => labels.resource === 'leases' && labels.verb === 'PUT');
    const versions = async () => (await Promise.all(cities.map((name) => readCity(kube, ns, name)))).map((city) => city?.metadata.resourceVersion);
    const reconciles = () => counterValue(operator.registry, 'crashdesk_operator_reconciles_total');
    const before = { writes: await writes(), versions: await versions(), reconciles: await reconciles(), renewals: await renewals() };
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await reconciles()).toBeGreaterThan(before.reconciles); // the resyncs ran
    expect(await renewals()).toBeGreaterThan(before.renewals); // and the lease was renewed
    expect(await writes()).toEqual(before.writes);
    expect(await versions()).toEqual(before.versions);
  });
});

describe('changes', () => {
  it('roll a new maximum, a schedule window and a new image through to the children', async () => {
    const before = (await readCity(kube, ns, 'london')) as City;
    await applyCity(
      kube,
      cityManifest(ns, 'london', vaultAddress, {
        api: { image: 'registry.example/crashdesk/api:1.1.0', replicas: { min: 2, max: 6 } },
        scaling: { schedules: [{ name: 'all-day', start: '00:00', end: '23:59', minReplicas: 3 }] },
      }),
    );
    const scaled = await eventually(
      'the ScaledObject to follow',
      () => read('keda.sh/v1alpha1', 'ScaledObject', 'crashdesk-api-london'),
      (so) => so.spec.maxReplicaCount === 6 && so.spec.triggers.some((trigger: { type: string }) => trigger.type === 'cron'),
      15_000,
    );
    expect(scaled.spec.triggers.find((trigger: { type: string }) => trigger.type === 'cron')).toMatchObject({
      name: 'schedule-all-day',
      metadata: { timezone: 'UTC', start: '0 0 * * *', end: '59 23 * * *', desiredReplicas: '3' },
    });
    const deployment = await eventually(
      'the Deployment to follow',
      () => read('apps/v1', 'Deployment', 'crashdesk-api-london'),
      (d) => d.spec.template.spec.containers[0].image.endsWith(':1.1.0'),
      15_000,
    );
    // KEDA's cron trigger raises the floor, not the operator: the Deployment keeps the count it had.
    expect(deployment.spec.replicas).toBe(2);
    const city = await eventually('london Ready at its new generation', () => readCity(kube, ns, 'london'), isReady, 30_000);
    expect(city?.metadata.generation).toBeGreaterThan(before.metadata.generation);
  });

  it('repair a Deployment deleted by hand within seconds', async () => {
    const before = await read('apps/v1', 'Deployment', 'crashdesk-api-manchester');
    await kube.delete(resourcePath('apps/v1', 'Deployment', ns, 'crashdesk-api-manchester'));
    const repaired = await eventually(
      'a new Deployment',
      () => kube.getOrUndefined<Obj>(resourcePath('apps/v1', 'Deployment', ns, 'crashdesk-api-manchester')),
      (d) => d !== undefined && d.metadata.uid !== before.metadata.uid,
      10_000,
    );
    expect(repaired?.spec.template.spec.containers[0].env.length).toBe(before.spec.template.spec.containers[0].env.length);
  });

  it('repair a Deployment scaled to zero by hand within seconds', async () => {
    await kube.mergePatch(resourcePath('apps/v1', 'Deployment', ns, 'crashdesk-api-hq'), { spec: { replicas: 0 } });
    const repaired = await eventually(
      'replicas back at the minimum',
      () => read('apps/v1', 'Deployment', 'crashdesk-api-hq'),
      (d) => d.spec.replicas === 2,
      10_000,
    );
    expect(repaired.spec.replicas).toBe(2);
  });

  it('add a cache-only Redis, which only the api may reach, when a City asks for a managed cache', async () => {
    await applyCity(kube, cityManifest(ns, 'manchester', vaultAddress, { cache: { managed: { memory: '512Mi' } } }));
    const redis = await eventually(
      'the Redis Deployment',
      () => kube.getOrUndefined<Obj>(resourcePath('apps/v1', 'Deployment', ns, 'crashdesk-manchester-cache')),
      Boolean,
      15_000,
    );
    expect(redis?.spec.template.spec.containers[0].args).toContain('allkeys-lru');
    expect((await read('v1', 'Service', 'crashdesk-manchester-cache')).spec.ports[0].port).toBe(6379);
    const policy = await read('networking.k8s.io/v1', 'NetworkPolicy', 'crashdesk-manchester-cache');
    expect(policy.spec.ingress[0].from[0].podSelector.matchLabels['crashdesk.io/site']).toBe('manchester');
  });

  it.each([
    ['minimum above maximum', { api: { image: 'x', replicas: { min: 5, max: 2 } } }, 'api.replicas.min must not exceed api.replicas.max'],
    [
      'both a managed and an external database',
      { database: { managed: {}, external: { secretName: 'db', ownerUrlKey: 'owner-uri' } } },
      'database needs exactly one of managed or external',
    ],
    [
      'a window above the maximum',
      { scaling: { schedules: [{ name: 'peak', start: '08:00', end: '10:00', minReplicas: 50 }] } },
      'a schedule window minReplicas must not exceed api.replicas.max',
    ],
    ['an unknown role', { role: 'capital' }, 'spec.role'],
  ])('refuse a City with %s, naming the rule', async (_, spec, message) => {
    const refused = await refusal(kube.create(cityPath(ns), cityManifest(ns, 'invalid', vaultAddress, spec)));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain(message);
  });

  // A City may not take another city's Vault key or role, its ingress path, or the Secrets the operator
  // and the platform keep: the CRD refuses such a City before the operator sees it, naming the rule.
  it.each([
    ['an ingress path inside another city (/london/v1/auth)', { ingress: { host: 'crashdesk.example', path: '/london/v1/auth' } }, 'rule ingress-path-is-site'],
    ['an ingress path other than its own name', { ingress: { host: 'crashdesk.example', path: '/invalid-elsewhere' } }, 'rule ingress-path-is-site'],
    ['a transit key of its choosing', { encryption: { vaultAddress, keyName: 'crashdesk-london' } }, 'rule vault-names-derived'],
    ['a Vault role of its choosing', { encryption: { vaultAddress, authRole: 'crashdesk-other-london' } }, 'rule vault-names-derived'],
    ['another replication Secret', { replication: { secretName: 'crashdesk-london-replication' } }, 'rule shared-secret-names'],
    ['another blind-index Secret', { encryption: { vaultAddress, blindIndexSecretName: 'crashdesk-london-db-app' } }, 'rule shared-secret-names'],
    [
      'an external database Secret of the operator',
      { database: { external: { secretName: 'crashdesk-replication', urlKey: 'secret', ownerUrlKey: 'secret' } } },
      'rule reserved-secret-names',
    ],
  ])('refuse a City with %s, naming the rule', async (_, spec, rule) => {
    const refused = await refusal(kube.create(cityPath(ns), cityManifest(ns, 'invalid', vaultAddress, spec)));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain(rule);
  });

  it('refuse a change of role, and an hq role on a City not named hq', async () => {
    const immutable = await refusal(applyCity(kube, cityManifest(ns, 'london', vaultAddress, { role: 'hq' })));
    expect(immutable.message).toContain('role is immutable');
    const misnamed = await refusal(kube.create(cityPath(ns), cityManifest(ns, 'paris', vaultAddress, { role: 'hq' })));
    expect(misnamed.message).toContain('the hq City must be named hq');
  });
});
