// Desired children of a City: pure functions of the City, of what the operator observed (the site
// number it allocated, the Deployment's current replica count, the clock for schedules) and of the
// settings it passes along with that (its Vault, its certificate issuer, its Prometheus's namespaces).
import { API_PORT, apiDeployment, INTERNAL_PORT, siteLabels } from './api-deployment.js';
import { cacheNetworkPolicy, cacheObjects, cacheUrl, databaseCluster, databaseNetworkPolicy, databaseUrl } from './data-resources.js';
import { autoscaler, type Autoscaling, minReplicasNow } from './autoscaling.js';
import { childMetadata, type KubeObject } from './metadata.js';
import { type City, cityNames } from './types.js';

export type { KubeObject };

export interface Observed {
  readonly siteNumber: number;
  readonly now: Date;
  /** The api Deployment's replica count as the cluster has it (the HPA moves it). */
  readonly currentReplicas?: number;
  /** Whether the ServiceMonitor CRD is installed. */
  readonly serviceMonitors: boolean;
  /** What scales the api: KEDA's ScaledObject when its CRD is installed, else an HPA (autoscaling.ts). */
  readonly autoscaling: Autoscaling;
  /** The Vault the City's api uses (its allowed address) and the transit key Vault's record names. */
  readonly vault: { readonly address: string; readonly transitKey: string };
  /** A city's replication key Secret (named by its content), once the platform secret was read. */
  readonly replicationSecret?: string;
  /** Where the internal port's certificate comes from: the operator's cert-manager issuer, when its CRD is installed. */
  readonly certificates?: { readonly issuer: CertificateIssuer };
  /** The namespaces of the operator's Prometheus (OPERATOR_PROMETHEUS_NAMESPACES), which scrapes every City's api. */
  readonly prometheusNamespaces: readonly string[];
}

/** The operator's cert-manager issuer of every site's internal certificate (OPERATOR_CERTIFICATE_ISSUER). */
export interface CertificateIssuer {
  readonly kind: 'Issuer' | 'ClusterIssuer';
  readonly name: string;
}

export function serviceAccount(city: City): KubeObject {
  // Vault's Kubernetes auth binds the city's role to exactly this account.
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: childMetadata(city, cityNames(city).serviceAccount, siteLabels(city.metadata.name)) };
}

/** Between the autoscaler's bounds; a hand-scaled count outside them is put back. */
export function deploymentReplicas(city: City, observed: Pick<Observed, 'now' | 'currentReplicas' | 'autoscaling'>): number {
  const minReplicas = minReplicasNow(city, observed);
  return Math.min(city.spec.api.replicas.max, Math.max(minReplicas, observed.currentReplicas ?? minReplicas));
}

/** A site's internal port as its peers reach it: through its Service, over mutual TLS. */
export function apiServiceUrl(city: Pick<City, 'metadata'>, name = city.metadata.name): string {
  return `https://crashdesk-api-${name}.${city.metadata.namespace}.svc:${INTERNAL_PORT}`;
}

/** hq lets a city register only with its own internal address (api's CRASHDESK_PEER_URL_PATTERN, `{city}` its name). */
export function peerUrlPattern(city: Pick<City, 'metadata'>): string {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return `${escape('https://crashdesk-api-')}{city}${escape(`.${city.metadata.namespace}.svc:${INTERNAL_PORT}`)}`;
}

/** The Secret with the internal port's certificate: the City's own, or the one cert-manager writes. */
export function internalTlsSecret(city: City): string {
  return city.spec.internalTls?.secretName ?? cityNames(city).certificateSecret;
}

export function deployment(city: City, observed: Observed): KubeObject {
  const names = cityNames(city);
  const { spec } = city;
  const isHq = spec.role === 'hq';
  const metadata = childMetadata(city, names.api);
  return apiDeployment({
    site: names.site,
    siteNumber: observed.siteNumber,
    image: spec.api.image,
    name: names.api,
    namespace: metadata.namespace,
    labels: metadata.labels,
    ownerReferences: metadata.ownerReferences,
    replicas: deploymentReplicas(city, observed),
    serviceAccountName: names.serviceAccount,
    ...databaseUrl(city),
    ...(cacheUrl(city) && { cacheUrl: cacheUrl(city) }),
    blindIndexKey: { name: spec.encryption.blindIndexSecretName, key: 'key' },
    adminPassword: { name: names.adminSecret, key: 'password' },
    vault: {
      address: observed.vault.address,
      role: names.vaultRole,
      transitMount: spec.encryption.transitMount,
      transitKey: observed.vault.transitKey,
      authMount: spec.encryption.authMount,
    },
    // hq signs with the platform secret itself; a city holds only the key derived for it.
    replication: isHq
      ? { secret: { name: spec.replication.secretName, key: 'secret' }, peerUrlPattern: peerUrlPattern(city) }
      : {
          secret: { name: observed.replicationSecret ?? names.replicationSecret, key: 'key' },
          keyVersion: spec.replication.keyVersion,
          hqUrl: apiServiceUrl(city, spec.replication.hq),
          ownUrl: apiServiceUrl(city),
        },
    internalTlsSecret: internalTlsSecret(city),
    ...(spec.database.managed ? { databaseCaSecret: `${names.database}-ca` } : {}),
    resources: spec.api.resources as { requests?: Record<string, string>; limits?: Record<string, string> },
    timezone: spec.timezone,
    intake: {
      retentionDays: spec.intake.retentionDays,
      ...(spec.intake.llm && {
        llm: {
          url: spec.intake.llm.url,
          model: spec.intake.llm.model,
          timeoutMs: spec.intake.llm.timeoutMs,
          ...(spec.intake.llm.apiKeySecretName && { apiKey: { name: spec.intake.llm.apiKeySecretName, key: 'apiKey' } }),
        },
      }),
    },
  });
}

export function service(city: City): KubeObject {
  const names = cityNames(city);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(city, names.api, siteLabels(names.site)),
    spec: {
      selector: siteLabels(names.site),
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        // Not for agents: the Ingress routes the http port alone. The NetworkPolicy admits any crashdesk-api pod of the
        // namespace here; mutual TLS decides which of them are peers.
        { name: 'internal', port: INTERNAL_PORT, targetPort: 'internal', protocol: 'TCP' },
      ],
    },
  };
}

/** The internal port's certificate from cert-manager: for the Service's names, usable as server and as client. */
export function certificate(city: City, issuer: CertificateIssuer): KubeObject {
  const names = cityNames(city);
  const service = `${names.api}.${city.metadata.namespace}`;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: childMetadata(city, names.certificate, siteLabels(names.site)),
    spec: {
      secretName: names.certificateSecret,
      issuerRef: { group: 'cert-manager.io', kind: issuer.kind, name: issuer.name },
      commonName: `${service}.svc`,
      dnsNames: [names.api, service, `${service}.svc`, `${service}.svc.cluster.local`],
      usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    },
  };
}

export function ingress(city: City): KubeObject {
  const names = cityNames(city);
  const { host, className, tlsSecretName } = city.spec.ingress;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: childMetadata(city, names.api, siteLabels(names.site)),
    spec: {
      ...(className ? { ingressClassName: className } : {}),
      ...(tlsSecretName ? { tls: [{ hosts: [host], secretName: tlsSecretName }] } : {}),
      rules: [{ host, http: { paths: [{ path: names.path, pathType: 'Prefix', backend: { service: { name: names.api, port: { name: 'http' } } } }] } }],
    },
  };
}

export function podDisruptionBudget(city: City): KubeObject {
  const names = cityNames(city);
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMetadata(city, names.api, siteLabels(names.site)),
    spec: { maxUnavailable: 1, selector: { matchLabels: siteLabels(names.site) } },
  };
}

/** Who scrapes the api: the operator's Prometheus, and the City's own if it names one (never instead of the operator's). */
export function prometheusNamespacesOf(city: City, observed: Pick<Observed, 'prometheusNamespaces'>): string[] {
  return [...new Set([...observed.prometheusNamespaces, ...(city.spec.scaling.prometheusNamespaces ?? [])])];
}

const namespacePeer = (namespace: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } });

export function apiNetworkPolicy(city: City, observed: Pick<Observed, 'prometheusNamespaces'>): KubeObject {
  const names = cityNames(city);
  const scrapers = prometheusNamespacesOf(city, observed);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(city, names.api, siteLabels(names.site)),
    spec: {
      podSelector: { matchLabels: siteLabels(names.site) },
      policyTypes: ['Ingress'],
      ingress: [
        // Agents, through the ingress controller, on the http port only.
        { from: [namespacePeer(city.spec.ingress.controllerNamespace)], ports: [{ protocol: 'TCP', port: API_PORT }] },
        // Prometheus scrapes /metrics there too (the ServiceMonitor's endpoint): KEDA's requests trigger and the
        // dashboards read what it scraped. A rule with no peers would admit every pod, so none without a namespace.
        ...(scrapers.length > 0 ? [{ from: scrapers.map(namespacePeer), ports: [{ protocol: 'TCP', port: API_PORT }] }] : []),
        // Any crashdesk-api pod of the namespace on the internal port, and only there; mutual TLS decides which are peers.
        { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'crashdesk-api' } } }], ports: [{ protocol: 'TCP', port: INTERNAL_PORT }] },
      ],
    },
  };
}

export function serviceMonitor(city: City): KubeObject {
  const names = cityNames(city);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: childMetadata(city, names.api, siteLabels(names.site)),
    spec: { selector: { matchLabels: siteLabels(names.site) }, endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }] },
  };
}

/** Every child of the City (the ServiceMonitor only where its CRD is installed; a ScaledObject or an HPA). */
export function desiredChildren(city: City, observed: Observed): KubeObject[] {
  return [
    serviceAccount(city),
    ...(city.spec.database.managed ? [databaseCluster(city), databaseNetworkPolicy(city)] : []),
    ...(city.spec.cache.managed ? [...cacheObjects(city), cacheNetworkPolicy(city)] : []),
    deployment(city, observed),
    service(city),
    ingress(city),
    autoscaler(city, observed),
    podDisruptionBudget(city),
    apiNetworkPolicy(city, observed),
    ...(observed.serviceMonitors ? [serviceMonitor(city)] : []),
    ...(observed.certificates && !city.spec.internalTls?.secretName ? [certificate(city, observed.certificates.issuer)] : []),
  ];
}
