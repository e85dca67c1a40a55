// The City's data services: its CloudNativePG Cluster or external database, its cache, and the
// network policies that let only its api reach them.
import { createHash, randomBytes } from 'node:crypto';
import { deriveCityKey } from '../../api/replication/signing.js';
import type { SecretKey } from './api-deployment.js';
import { siteLabels } from './api-deployment.js';
import { childMetadata, type KubeObject } from './metadata.js';
import { type City, cityNames } from './types.js';

/** The role the api logs in as to a managed database: not the owner, so it cannot alter the schema or the audit trail. */
export const API_DATABASE_ROLE = 'crashdesk_api';

/**
 * Where the api finds its database. Managed: its own login for everything (the Secret the
 * operator made for CloudNativePG's managed role), and the schema owner (CloudNativePG's `-app`
 * Secret, whose `uri` points at the `-rw` service) only to migrate and grant. External: the
 * Secret's two keys.
 */
export function databaseUrl(city: City): { databaseUrl: SecretKey; databaseOwnerUrl?: SecretKey; databaseReadUrl?: SecretKey } {
  const external = city.spec.database.external;
  const names = cityNames(city);
  if (!external) {
    return {
      databaseUrl: { name: names.databaseLogin, key: 'uri' },
      databaseOwnerUrl: { name: `${names.database}-app`, key: 'uri' },
      // With replicas, lists and lookups read from the `-ro` service. Optional: a login Secret made
      // before it carried `readUri` is never rewritten, and its api reads from the primary only.
      ...((city.spec.database.managed?.instances ?? 1) > 1 && { databaseReadUrl: { name: names.databaseLogin, key: 'readUri', optional: true } }),
    };
  }
  return {
    databaseUrl: { name: external.secretName, key: external.urlKey },
    ...(external.ownerUrlKey ? { databaseOwnerUrl: { name: external.secretName, key: external.ownerUrlKey } } : {}),
  };
}

export function databaseCluster(city: City): KubeObject {
  const managed = city.spec.database.managed;
  if (!managed) throw new Error(`City ${city.metadata.name} has an external database; no Cluster to build`);
  const names = cityNames(city);
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: childMetadata(city, names.database, { 'crashdesk.io/site': names.site }),
    spec: {
      // One primary, the rest streaming replicas behind the `-ro` service.
      instances: managed.instances,
      storage: { size: managed.storageSize, ...(managed.storageClass ? { storageClass: managed.storageClass } : {}) },
      // `app` owns the schema (CloudNativePG's `-app` Secret); the api logs in as its own role.
      bootstrap: { initdb: { database: 'app', owner: 'app' } },
      managed: {
        roles: [
          {
            name: API_DATABASE_ROLE,
            ensure: 'present',
            login: true,
            superuser: false,
            createdb: false,
            createrole: false,
            replication: false,
            bypassrls: false,
            inherit: true,
            connectionLimit: -1,
            passwordSecret: { name: names.databaseLogin },
          },
        ],
      },
      primaryUpdateStrategy: 'unsupervised',
      inheritedMetadata: { labels: { 'crashdesk.io/site': names.site } },
    },
  };
}

export function databaseNetworkPolicy(city: City): KubeObject {
  const names = cityNames(city);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(city, names.database),
    spec: {
      podSelector: { matchLabels: { 'cnpg.io/cluster': names.database } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: siteLabels(names.site) } }], ports: [{ protocol: 'TCP', port: 5432 }] },
        // The instances stream to each other, and the CloudNativePG operator polls their status.
        { from: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': names.database } } }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' } } }], ports: [{ protocol: 'TCP', port: 8000 }] },
      ],
    },
  };
}

const cacheLabels = (city: City) => ({ 'app.kubernetes.io/name': 'crashdesk-cache', 'app.kubernetes.io/instance': city.metadata.name });

/** Where the api finds the City's Redis: the managed one's Service, or the given URL; none without either. */
export function cacheUrl(city: City): string | undefined {
  if (city.spec.cache.managed) return `redis://${cityNames(city).cache}.${city.metadata.namespace}.svc:6379`;
  return city.spec.cache.url;
}

/** A cache-only Redis: no persistence, evicting least recently used keys at its memory limit. */
export function cacheObjects(city: City): KubeObject[] {
  const managed = city.spec.cache.managed;
  if (!managed) return [];
  const names = cityNames(city);
  const labels = cacheLabels(city);
  const maxMemoryMb = Math.floor(Number.parseInt(managed.memory, 10) * (managed.memory.endsWith('Gi') ? 1024 : 1) * 0.8);
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: childMetadata(city, names.cache, labels),
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'redis',
                image: managed.image,
                args: ['--save', '', '--appendonly', 'no', '--maxmemory', `${maxMemoryMb}mb`, '--maxmemory-policy', 'allkeys-lru'],
                ports: [{ name: 'redis', containerPort: 6379 }],
                readinessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 5 },
                resources: { requests: { cpu: '50m', memory: managed.memory }, limits: { memory: managed.memory } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: childMetadata(city, names.cache, labels),
      spec: { selector: labels, ports: [{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }] },
    },
  ];
}

export function cacheNetworkPolicy(city: City): KubeObject {
  const names = cityNames(city);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(city, names.cache),
    spec: {
      podSelector: { matchLabels: cacheLabels(city) },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: siteLabels(names.site) } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    },
  };
}

/**
 * A city's replication key, derived from the platform secret: the city never holds the secret
 * itself. Named by its content, so the operator only ever creates it: a new platform secret is a
 * new Secret, and the Deployment's change to it rolls the pods.
 */
export function replicationSecret(city: City, platformSecret: string): KubeObject {
  const key = deriveCityKey(platformSecret, city.metadata.name, city.spec.replication.keyVersion);
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 10);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMetadata(city, `${cityNames(city).replicationSecret}-${digest}`),
    type: 'Opaque',
    data: { key: Buffer.from(key).toString('base64') },
  };
}

/**
 * Secrets the operator creates once and never writes again, each with a random value made as it is
 * created: whoever rotates one by hand (or CloudNativePG, reading one) keeps what they set.
 */
export function seedSecrets(city: City): KubeObject[] {
  const names = cityNames(city);
  const databaseLogin = (): KubeObject => {
    const password = randomBytes(24).toString('base64url');
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      // CloudNativePG sets the managed role's password from it, and again when it changes (the reload label).
      metadata: childMetadata(city, names.databaseLogin, { 'cnpg.io/reload': 'true' }),
      type: 'kubernetes.io/basic-auth',
      stringData: {
        username: API_DATABASE_ROLE,
        password,
        uri: `postgresql://${API_DATABASE_ROLE}:${password}@${names.database}-rw.${city.metadata.namespace}.svc:5432/app?sslmode=verify-full`,
        readUri: `postgresql://${API_DATABASE_ROLE}:${password}@${names.database}-ro.${city.metadata.namespace}.svc:5432/app?sslmode=verify-full`,
      },
    };
  };
  return [
    ...(city.spec.database.managed ? [databaseLogin()] : []),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: childMetadata(city, names.adminSecret),
      type: 'Opaque',
      // The api sets the admin account to it at each start; nobody reads it from a log.
      stringData: { password: randomBytes(24).toString('base64url') },
    },
  ];
}
