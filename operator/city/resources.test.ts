import { describe, expect, it } from 'vitest';
import { configSchema } from '../../api/config.js';
import { deriveCityKey } from '../../api/replication/signing.js';
import { cacheNetworkPolicy, cacheObjects, databaseCluster, databaseNetworkPolicy, replicationSecret, seedSecrets } from './data-resources.js';
import {
  apiNetworkPolicy,
  deployment,
  deploymentReplicas,
  desiredChildren,
  ingress,
  podDisruptionBudget,
  service,
  serviceAccount,
  serviceMonitor,
} from './resources.js';
import { testCity } from '../../test/support/test-city.js';
import type { Autoscaling } from './autoscaling.js';

// 12:00 UTC on a Wednesday: 12:00 in London (winter).
const noon = new Date('2026-11-18T12:00:00Z');
const observed = {
  siteNumber: 7,
  now: noon,
  serviceMonitors: true,
  autoscaling: { by: 'hpa' } as const,
  vault: { address: 'https://vault.example:8200', transitKey: 'crashdesk-platform-london' },
  prometheusNamespaces: ['monitoring'],
};
const london = testCity('london');
type Env = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };
// The builders return plain Kubernetes JSON; the tests read into it freely.
const spec = (object: { readonly [key: string]: unknown } | undefined) => object?.spec as any;

describe('children metadata', () => {
  it('labels every child as managed and makes the City its controlling owner', () => {
    for (const child of desiredChildren(london, observed)) {
      expect(child.metadata.namespace).toBe('platform');
      expect(child.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('crashdesk-operator');
      expect(child.metadata.ownerReferences).toEqual([
        { apiVersion: 'crashdesk.io/v1alpha1', kind: 'City', name: 'london', uid: 'uid-london', controller: true, blockOwnerDeletion: true },
      ]);
    }
  });

  it('leaves out the ServiceMonitor when its CRD is not installed, and the Cluster for an external database', () => {
    const kinds = desiredChildren(testCity('leeds', { database: { external: { secretName: 'db', urlKey: 'uri' } } }), {
      ...observed,
      serviceMonitors: false,
    }).map((c) => c.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('Cluster');
    expect(kinds).toContain('Deployment');
  });
});

describe('the autoscaler among the children', () => {
  it('is a ScaledObject with KEDA and an HPA without, never both', () => {
    const kinds = (autoscaling: Autoscaling) =>
      desiredChildren(london, { ...observed, autoscaling })
        .map((child) => child.kind)
        .filter((kind) => ['ScaledObject', 'HorizontalPodAutoscaler'].includes(kind));
    expect(kinds({ by: 'keda' })).toEqual(['ScaledObject']);
    expect(kinds({ by: 'hpa' })).toEqual(['HorizontalPodAutoscaler']);
  });
});

describe('serviceAccount', () => {
  it('is the identity Vault binds the city role to', () => {
    expect(serviceAccount(london).metadata.name).toBe('crashdesk-api-london');
  });
});

describe('deployment', () => {
  const built = deployment(london, observed);
  const pod = spec(built).template.spec;
  const env = pod.containers[0].env as Env[];
  const byName = Object.fromEntries(env.map((v) => [v.name, v.value ?? v.valueFrom?.secretKeyRef]));

  it('runs one site with an environment the api config schema accepts', () => {
    const values = Object.fromEntries(
      env.map((v) => [
        v.name,
        v.value ??
          (v.name === 'CRASHDESK_BLIND_INDEX_KEY'
            ? Buffer.alloc(32).toString('base64')
            : /^DATABASE_(OWNER_|READ_)?URL$/.test(v.name)
              ? 'postgres://db/app'
              : 'k'.repeat(64)),
      ]),
    );
    const parsed = configSchema.safeParse(values);
    expect(parsed.success).toBe(true);
    expect(byName).toMatchObject({
      CRASHDESK_SITE: 'london',
      CRASHDESK_SITE_NUMBER: '7',
      CRASHDESK_KEY_PROVIDER: 'vault',
      VAULT_AUTH_METHOD: 'kubernetes',
      CRASHDESK_TRUST_PROXY_HOPS: '1',
    });
  });

  it('logs the api in as its own role of the managed database, with the owner (CloudNativePG app secret) only to migrate, or as the external secret says', () => {
    expect(byName.DATABASE_URL).toEqual({ name: 'crashdesk-london-db-api', key: 'uri' });
    expect(byName.DATABASE_OWNER_URL).toEqual({ name: 'crashdesk-london-db-app', key: 'uri' });
    const external = deployment(testCity('leeds', { database: { external: { secretName: 'leeds-db', urlKey: 'url', ownerUrlKey: 'owner' } } }), observed);
    const externalEnv = Object.fromEntries((spec(external).template.spec.containers[0].env as Env[]).map((v) => [v.name, v.valueFrom?.secretKeyRef]));
    expect(externalEnv).toMatchObject({ DATABASE_URL: { name: 'leeds-db', key: 'url' }, DATABASE_OWNER_URL: { name: 'leeds-db', key: 'owner' } });
  });

  it('gives the api the City’s Redis: the managed cache’s Service, the given URL, or none', () => {
    const env = (city: ReturnType<typeof testCity>) =>
      Object.fromEntries((spec(deployment(city, observed)).template.spec.containers[0].env as Env[]).map((v) => [v.name, v.value]));
    expect(env(testCity('london', { cache: { managed: { image: 'redis:7.4-alpine', memory: '256Mi' } } })).REDIS_URL).toBe(
      'redis://crashdesk-london-cache.platform.svc:6379',
    );
    expect(env(testCity('leeds', { cache: { url: 'rediss://cache.example:6380' } })).REDIS_URL).toBe('rediss://cache.example:6380');
    expect(env(testCity('york', { cache: {} })).REDIS_URL).toBeUndefined();
  });

  it('reads lists and lookups from the -ro service of a managed database with replicas, and from the primary with one instance', () => {
    expect(byName.DATABASE_READ_URL).toEqual({ name: 'crashdesk-london-db-api', key: 'readUri', optional: true });
    const [login] = seedSecrets(testCity('london'));
    expect((login as unknown as { stringData: { readUri: string } }).stringData.readUri).toMatch(
      /^postgresql:\/\/crashdesk_api:[^@]+@crashdesk-london-db-ro\.platform\.svc:5432\/app\?sslmode=verify-full$/,
    );
    const single = deployment(testCity('york', { database: { managed: { instances: 1, storageSize: '5Gi' } } }), observed);
    const singleEnv = (spec(single).template.spec.containers[0].env as Env[]).map((v) => v.name);
    expect(singleEnv).toContain('DATABASE_URL');
    expect(singleEnv).not.toContain('DATABASE_READ_URL');
  });

  it('names the Vault role derived from namespace and name, and the address and key the operator resolved', () => {
    expect(byName).toMatchObject({
      VAULT_ADDR: 'https://vault.example:8200',
      VAULT_KUBERNETES_ROLE: 'crashdesk-platform-london',
      VAULT_TRANSIT_MOUNT: 'transit',
      VAULT_TRANSIT_KEY: 'crashdesk-platform-london',
    });
    // A City stored before names were derived may still carry its own; the role stays derived, the key is Vault's record.
    const legacy = deployment(testCity('york', { encryption: { ...london.spec.encryption, keyName: 'york-key', authRole: 'york-role' } }), {
      ...observed,
      vault: { ...observed.vault, transitKey: 'york-key' },
    });
    const legacyEnv = Object.fromEntries((spec(legacy).template.spec.containers[0].env as Env[]).map((v) => [v.name, v.value]));
    expect(legacyEnv).toMatchObject({ VAULT_TRANSIT_KEY: 'york-key', VAULT_KUBERNETES_ROLE: 'crashdesk-platform-york' });
  });

  it('ships a city to hq with its derived key at hq internal port over https, and gives hq the platform secret and the addresses cities may register', () => {
    expect(byName).toMatchObject({
      CRASHDESK_HQ_URL: 'https://crashdesk-api-hq.platform.svc:8443',
      CRASHDESK_REPLICATION_URL: 'https://crashdesk-api-london.platform.svc:8443',
      CRASHDESK_REPLICATION_SECRET: { name: 'crashdesk-london-replication', key: 'key' },
    });
    const hqEnv = spec(deployment(testCity('hq'), { ...observed, siteNumber: 0 })).template.spec.containers[0].env as Env[];
    expect(hqEnv.find((v) => v.name === 'CRASHDESK_REPLICATION_SECRET')?.valueFrom?.secretKeyRef).toEqual({ name: 'crashdesk-replication', key: 'secret' });
    expect(hqEnv.some((v) => v.name === 'CRASHDESK_HQ_URL')).toBe(false);
    const pattern = new RegExp(`^(?:${hqEnv.find((v) => v.name === 'CRASHDESK_PEER_URL_PATTERN')?.value?.replaceAll('{city}', 'london')})$`);
    expect(pattern.test('https://crashdesk-api-london.platform.svc:8443')).toBe(true);
    expect(pattern.test('https://crashdesk-api-london.platformXsvc:8443')).toBe(false);
  });

  it('mounts the internal certificate and the database CA (only its ca.crt) for mutual TLS and verify-full', () => {
    expect(byName).toMatchObject({
      CRASHDESK_INTERNAL_PORT: '8443',
      CRASHDESK_INTERNAL_TLS_CERT: '/etc/crashdesk/internal-tls/tls.crt',
      CRASHDESK_INTERNAL_TLS_CA: '/etc/crashdesk/internal-tls/ca.crt',
      DATABASE_CA_FILE: '/etc/crashdesk/database-ca/ca.crt',
    });
    expect(pod.volumes).toEqual([
      { name: 'internal-tls', secret: { secretName: 'crashdesk-api-london-internal-tls' } },
      { name: 'database-ca', secret: { secretName: 'crashdesk-london-db-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ]);
    expect(pod.containers[0].ports).toEqual([
      { name: 'http', containerPort: 8080 },
      { name: 'internal', containerPort: 8443 },
    ]);
  });

  it('probes the site prefix, drains before stopping and spreads over zones and nodes', () => {
    const container = pod.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/london/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/london/healthz');
    expect(container.lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
    expect(pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(pod.serviceAccountName).toBe('crashdesk-api-london');
    expect(container.image).toBe('registry.example/crashdesk/api:1.0.0');
  });

  it('keeps the replica count the autoscaler chose, and puts a hand-scaled count back between the bounds', () => {
    for (const autoscaling of [{ by: 'hpa' }, { by: 'keda' }] as const) {
      expect(deploymentReplicas(london, { now: noon, autoscaling })).toBe(2);
      expect(deploymentReplicas(london, { now: noon, autoscaling, currentReplicas: 5 })).toBe(5);
      expect(deploymentReplicas(london, { now: noon, autoscaling, currentReplicas: 0 })).toBe(2);
      expect(deploymentReplicas(london, { now: noon, autoscaling, currentReplicas: 40 })).toBe(10);
    }
  });

  it("starts at an open window's minimum only without KEDA, whose cron trigger raises it instead", () => {
    const peak = testCity('london', {
      scaling: { ...london.spec.scaling, schedules: [{ name: 'lunch', days: ['wed'], start: '11:30', end: '13:00', minReplicas: 6 }] },
    });
    expect(deploymentReplicas(peak, { now: noon, autoscaling: { by: 'hpa' } })).toBe(6);
    expect(deploymentReplicas(peak, { now: noon, autoscaling: { by: 'keda' } })).toBe(2);
  });
});

describe('service and ingress', () => {
  it('selects the Deployment pods and routes /{name} on the host to them', () => {
    expect(spec(service(london)).selector).toEqual(spec(deployment(london, observed)).selector.matchLabels);
    expect(spec(ingress(london)).rules).toEqual([
      {
        host: 'crashdesk.example',
        http: { paths: [{ path: '/london', pathType: 'Prefix', backend: { service: { name: 'crashdesk-api-london', port: { name: 'http' } } } }] },
      },
    ]);
    expect(spec(ingress(london)).tls).toBeUndefined();
  });

  it('serves /{name} whatever path a City stored before carries, with its class and TLS secret', () => {
    const built = spec(
      ingress(
        testCity('paris', {
          ingress: { host: 'fr.example', path: '/paris/v1/auth', className: 'nginx', tlsSecretName: 'fr-tls', controllerNamespace: 'ingress' },
        }),
      ),
    );
    expect(built).toMatchObject({ ingressClassName: 'nginx', tls: [{ hosts: ['fr.example'], secretName: 'fr-tls' }] });
    expect(built.rules[0].http.paths[0].path).toBe('/paris');
  });
});

describe('podDisruptionBudget and network policies', () => {
  it('lets one api pod go at a time', () => {
    expect(spec(podDisruptionBudget(london))).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: spec(deployment(london, observed)).selector.matchLabels },
    });
  });

  const namespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
  type Rule = { from: object[]; ports: { protocol: string; port: number }[] };
  const rulesFor = (port: number, city = london, prometheusNamespaces = observed.prometheusNamespaces) =>
    (spec(apiNetworkPolicy(city, { prometheusNamespaces })).ingress as Rule[]).filter((rule) => rule.ports.some((allowed) => allowed.port === port));

  it('admits the ingress controller and Prometheus namespaces to the http port only, and crashdesk-api pods to the internal port only', () => {
    expect(spec(apiNetworkPolicy(london, observed)).ingress).toEqual([
      { from: [namespace('ingress-nginx')], ports: [{ protocol: 'TCP', port: 8080 }] },
      { from: [namespace('monitoring')], ports: [{ protocol: 'TCP', port: 8080 }] },
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'crashdesk-api' } } }], ports: [{ protocol: 'TCP', port: 8443 }] },
    ]);
  });

  it('admits Prometheus to the port the ServiceMonitor scrapes, and never to the internal port', () => {
    const scraped = spec(deployment(london, observed)).template.spec.containers[0].ports.find(
      (port: { name: string }) => port.name === spec(serviceMonitor(london)).endpoints[0].port,
    );
    expect(rulesFor(scraped.containerPort).flatMap((rule) => rule.from)).toContainEqual(namespace('monitoring'));
    expect(rulesFor(8443).flatMap((rule) => rule.from)).not.toContainEqual(namespace('monitoring'));
  });

  it("admits every namespace the operator's Prometheus runs in, and a City's own Prometheus besides, never instead", () => {
    const own = testCity('london', { scaling: { ...london.spec.scaling, prometheusNamespaces: ['london-prometheus', 'monitoring'] } });
    expect(rulesFor(8080, own, ['monitoring', 'thanos'])[1]?.from).toEqual([namespace('monitoring'), namespace('thanos'), namespace('london-prometheus')]);
    expect(rulesFor(8443, own, ['monitoring', 'thanos']).flatMap((rule) => rule.from)).toEqual([
      { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'crashdesk-api' } } },
    ]);
  });

  it('leaves out the Prometheus rule rather than admit every pod when no namespace is named', () => {
    const rules = spec(apiNetworkPolicy(london, { prometheusNamespaces: [] })).ingress as Rule[];
    expect(rules).toHaveLength(2);
    for (const rule of rules) expect(rule.from.length).toBeGreaterThan(0);
  });

  it('admits to the database and the cache only this site api pods (and the database its own instances)', () => {
    const apiPods = spec(deployment(london, observed)).selector.matchLabels;
    expect(spec(databaseNetworkPolicy(london)).ingress[0]).toEqual({
      from: [{ podSelector: { matchLabels: apiPods } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    });
    const cached = testCity('london', { cache: { managed: { image: 'redis:7.4-alpine', memory: '256Mi' } } });
    expect(spec(cacheNetworkPolicy(cached)).ingress).toEqual([{ from: [{ podSelector: { matchLabels: apiPods } }], ports: [{ protocol: 'TCP', port: 6379 }] }]);
  });
});

describe('data services', () => {
  it('asks CloudNativePG for one primary plus replicas with the requested storage', () => {
    expect(spec(databaseCluster(london))).toMatchObject({ instances: 3, storage: { size: '20Gi' }, bootstrap: { initdb: { database: 'app', owner: 'app' } } });
    expect(spec(databaseCluster(london)).managed.roles).toEqual([
      expect.objectContaining({ name: 'crashdesk_api', login: true, superuser: false, passwordSecret: { name: 'crashdesk-london-db-api' } }),
    ]);
  });

  it('runs a managed cache without persistence, evicting at 80% of its memory', () => {
    const [redis, redisService] = cacheObjects(testCity('london', { cache: { managed: { image: 'redis:7.4-alpine', memory: '1Gi' } } }));
    expect(spec(redis).template.spec.containers[0].args).toEqual([
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory',
      '819mb',
      '--maxmemory-policy',
      'allkeys-lru',
    ]);
    expect(spec(redisService).ports[0].port).toBe(6379);
    expect(cacheObjects(london)).toEqual([]);
  });

  it('gives a city only its key derived from the platform replication secret', () => {
    const secret = replicationSecret(london, 'platform-secret') as unknown as { data: { key: string } };
    expect(Buffer.from(secret.data.key, 'base64').toString()).toBe(deriveCityKey('platform-secret', 'london'));
  });

  it("moves a city onto the key version its City names (after hq's rotate): a Secret of another name, and the version it signs with", () => {
    const rotated = testCity('london', { replication: { ...london.spec.replication, keyVersion: 2 } });
    const secret = replicationSecret(rotated, 'platform-secret') as unknown as { metadata: { name: string }; data: { key: string } };
    expect(Buffer.from(secret.data.key, 'base64').toString()).toBe(deriveCityKey('platform-secret', 'london', 2));
    expect(secret.metadata.name).not.toBe(replicationSecret(london, 'platform-secret').metadata.name);
    const env = spec(deployment(rotated, observed)).template.spec.containers[0].env as Env[];
    expect(env).toContainEqual({ name: 'CRASHDESK_REPLICATION_KEY_VERSION', value: '2' });
    const hqEnv = spec(deployment(testCity('hq'), { ...observed, siteNumber: 0 })).template.spec.containers[0].env as Env[];
    expect(hqEnv.some((v) => v.name === 'CRASHDESK_REPLICATION_KEY_VERSION')).toBe(false);
  });

  it("passes the City's time zone and intake settings, the model's key from the City's Secret", () => {
    const withModel = testCity('london', {
      timezone: 'Asia/Shanghai',
      intake: { retentionDays: 3, llm: { url: 'http://llm.models.svc:8000/v1', model: 'qwen', timeoutMs: 5000, apiKeySecretName: 'llm-key' } },
    });
    const env = spec(deployment(withModel, observed)).template.spec.containers[0].env as Env[];
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'CRASHDESK_SITE_TIMEZONE', value: 'Asia/Shanghai' },
        { name: 'CRASHDESK_INTAKE_RETENTION_DAYS', value: '3' },
        { name: 'CRASHDESK_INTAKE_LLM_URL', value: 'http://llm.models.svc:8000/v1' },
        { name: 'CRASHDESK_INTAKE_LLM_MODEL', value: 'qwen' },
        { name: 'CRASHDESK_INTAKE_LLM_TIMEOUT_MS', value: '5000' },
        { name: 'CRASHDESK_INTAKE_LLM_API_KEY', valueFrom: { secretKeyRef: { name: 'llm-key', key: 'apiKey' } } },
      ]),
    );
    const plain = spec(deployment(london, observed)).template.spec.containers[0].env as Env[];
    expect(plain.some((v) => v.name === 'CRASHDESK_INTAKE_LLM_URL')).toBe(false);
  });

  it('scrapes the api /metrics on its http port', () => {
    expect(spec(serviceMonitor(london)).endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
  });
});
