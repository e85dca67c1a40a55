// The City controller: watch caches of Cities and of their children, a work queue that only the
// leader drains, a periodic resync, and a clean stop. No process-level effects: main.ts owns those.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { type KubeConfig, type KubernetesObject, makeInformer } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEFAULT_PROMETHEUS_ADDRESS, DEFAULT_PROMETHEUS_NAMESPACE } from './city/autoscaling.js';
import { CHILD_KINDS } from './city/children.js';
import { createEventRecorder } from './city/events.js';
import { MANAGED_SELECTOR } from './city/metadata.js';
import { type ChildLookup, createCrdProbe, type ObservedObject } from './city/observe.js';
import { createCityReconciler } from './city/reconcile.js';
import type { VaultAddresses } from './city/refusals.js';
import type { CertificateIssuer } from './city/resources.js';
import { type City, API_VERSION, cityNames, KIND } from './city/types.js';
import { createVaultClient } from './city/vault.js';
import { createVaultHttp, type VaultAuth } from './vault-http.js';
import { createKube, type Kube, resourcePath } from './kube.js';
import { type LeaderElector, startLeaderElection } from './leader.js';
import { operatorMetrics } from './metrics.js';
import { createWorkQueue } from './queue.js';

export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  /** The operator's Vault identity, and the addresses it may use (a City only chooses among them). */
  readonly vault: { readonly auth: VaultAuth; readonly addresses: VaultAddresses };
  /** A development cluster may serve Cities without ingress TLS. */
  readonly developmentCluster?: boolean;
  /** The cert-manager issuer of the sites' internal certificates (default the ClusterIssuer crashdesk-internal-ca). */
  readonly certificateIssuer?: CertificateIssuer;
  /** The Prometheus KEDA asks for a City's requests per second, unless the City names one (default DEFAULT_PROMETHEUS_ADDRESS). */
  readonly prometheusAddress?: string;
  /** The namespaces of the Prometheus that scrapes every City's api, admitted by its NetworkPolicy (default DEFAULT_PROMETHEUS_NAMESPACE). */
  readonly prometheusNamespaces?: readonly string[];
  /** Namespace of the leader Lease. */
  readonly namespace: string;
  /** Reconcile only the Cities of these namespaces (default, or empty: every namespace). */
  readonly watchNamespaces?: readonly string[];
  readonly leaseName?: string;
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly resyncMs?: number;
  readonly concurrency?: number;
  /** How often an optional CRD not yet installed is asked about again (default a minute). */
  readonly crdProbeIntervalMs?: number;
  /** How long a not-Ready City waits before it is looked at again. */
  readonly notReadyRequeueMs?: number;
}

export interface Operator {
  readonly identity: string;
  isLeader(): boolean;
  /** Resolves once no City is queued or being reconciled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

type Owned = KubernetesObject & { metadata: { ownerReferences?: { kind: string; apiVersion: string; name: string; controller?: boolean }[] } };

export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const { kubeConfig, logger, registry } = options;
  const identity = options.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  const metrics = operatorMetrics(registry);
  const kube = createKube(kubeConfig, { requests: metrics.kubeRequests });
  // One informer per kind and watched namespace (or one per kind for every namespace), so that RBAC
  // limited to Roles in the listed namespaces suffices.
  const scopes: readonly (string | undefined)[] = options.watchNamespaces?.length ? options.watchNamespaces : [undefined];
  const caches = new Map<string, ReturnType<typeof makeInformer<KubernetesObject>>>();
  const cacheKey = (kind: string, namespace: string | undefined) => `${kind}/${namespace ?? '*'}`;
  let stopped = false;
  let leading = false;

  const lookup: ChildLookup = (kind, namespace, name) =>
    (caches.get(cacheKey(kind, namespace)) ?? caches.get(cacheKey(kind, undefined)))?.get(name, namespace) as ObservedObject | undefined;
  const onChild = (child: KubernetesObject) => {
    const owner = (child as Owned).metadata.ownerReferences?.find((ref) => ref.controller && ref.kind === KIND && ref.apiVersion === API_VERSION);
    if (owner) enqueue(`${child.metadata?.namespace}/${owner.name}`);
  };
  /** The watches of one kind of the table (city/children.ts), in every scope; an optional kind's once its CRD is found. */
  const watchChildKind = async (kind: string) => {
    const child = CHILD_KINDS.find((candidate) => candidate.kind === kind);
    if (!child || caches.has(cacheKey(kind, scopes[0]))) return;
    for (const namespace of scopes) {
      const informer = await startInformer(kubeConfig, kube, resourcePath(child.apiVersion, kind, namespace), MANAGED_SELECTOR, logger, () => stopped);
      caches.set(cacheKey(kind, namespace), informer);
      informer.on('add', onChild);
      informer.on('update', onChild);
      informer.on('delete', onChild);
    }
    if (child.crd) logger.info({ kind, crd: child.crd }, 'optional CRD installed: watching its children');
  };
  const childKindAvailable = createCrdProbe(kube, { intervalMs: options.crdProbeIntervalMs, onInstalled: watchChildKind });
  const reconciler = createCityReconciler({
    kube,
    childKindAvailable,
    vault: createVaultClient(createVaultHttp({ auth: options.vault.auth, allowedAddresses: options.vault.addresses.allowed }), options.vault.addresses),
    admission: { vault: options.vault.addresses, developmentCluster: options.developmentCluster ?? false },
    certificateIssuer: options.certificateIssuer ?? { kind: 'ClusterIssuer', name: 'crashdesk-internal-ca' },
    prometheusAddress: options.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS,
    prometheusNamespaces: options.prometheusNamespaces ?? [DEFAULT_PROMETHEUS_NAMESPACE],
    cities: () => cityCaches.flatMap((cities) => cities.list() as City[]),
    events: createEventRecorder(kube, logger),
    logger,
    lookup,
    notReadyRequeueMs: options.notReadyRequeueMs,
  });
  const queue = createWorkQueue(
    async (key) => {
      const end = metrics.reconcileDuration.startTimer();
      try {
        const result = await reconciler.reconcile(key);
        metrics.reconciles.inc({ result: result?.requeueAfterMs === undefined ? 'success' : 'requeue' });
        return result;
      } catch (error) {
        metrics.reconciles.inc({ result: 'error' });
        metrics.reconcileErrors.inc();
        logger.warn({ err: error, city: key }, 'reconcile failed; retrying with back-off');
        throw error;
      } finally {
        end();
      }
    },
    { concurrency: options.concurrency ?? 4, onDepth: (depth) => metrics.queueDepth.set(depth) },
  );
  const enqueue = (key: string) => {
    if (leading && !stopped) queue.add(key);
  };

  const cityCaches: ReturnType<typeof makeInformer<KubernetesObject>>[] = [];
  for (const namespace of scopes) {
    const cities = await startInformer(kubeConfig, kube, resourcePath(API_VERSION, KIND, namespace), undefined, logger, () => stopped);
    caches.set(cacheKey(KIND, namespace), cities);
    cityCaches.push(cities);
    cities.on('add', (city) => enqueue(keyOf(city)));
    cities.on('update', (city) => enqueue(keyOf(city)));
    cities.on('delete', (city) => reconciler.forget(keyOf(city)));
  }

  // Every kind of the table now; an optional kind through the probe, which starts its watch once
  // its CRD is installed (now, or when a later probe by reconcile finds it).
  for (const { kind, crd } of CHILD_KINDS) {
    if (crd) await childKindAvailable(kind);
    else await watchChildKind(kind);
  }

  metrics.readCityReplicasFrom(() =>
    cityCaches.flatMap((cities) =>
      (cities.list() as City[]).map((city) => {
        const deployment = lookup('Deployment', city.metadata.namespace, cityNames(city).api);
        const replicas = (deployment?.spec as { replicas?: number } | undefined)?.replicas ?? 0;
        const ready = (deployment?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
        return { namespace: city.metadata.namespace, site: cityNames(city).site, desired: deployment ? replicas : 0, ready };
      }),
    ),
  );

  const resyncAll = () => cityCaches.forEach((cities) => cities.list().forEach((city) => enqueue(keyOf(city))));
  const resync = setInterval(resyncAll, options.resyncMs ?? 5 * 60_000);
  resync.unref();

  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const elector: LeaderElector = startLeaderElection(kube, {
    namespace: options.namespace,
    name: options.leaseName ?? 'crashdesk-operator',
    identity,
    leaseDurationMs,
    renewDeadlineMs: Math.round(leaseDurationMs * (2 / 3)),
    retryPeriodMs: Math.round(leaseDurationMs / 5),
    onStartedLeading: () => {
      leading = true;
      metrics.leader.set(1);
      logger.info({ identity }, 'leading: reconciling Cities');
      resyncAll();
    },
    onStoppedLeading: () => {
      leading = false;
      metrics.leader.set(0);
      if (stopped) logger.info({ identity }, 'released the leader lease');
      else logger.warn({ identity }, 'lost the leader lease: no longer reconciling');
    },
    onError: (error) => logger.warn({ err: error }, 'leader election'),
  });

  return {
    identity,
    isLeader: () => leading,
    idle: () => queue.idle(),
    async stop() {
      stopped = true;
      clearInterval(resync);
      await queue.shutdown();
      await elector.stop();
      await Promise.all([...caches.values()].map((informer) => informer.stop()));
    },
  };
}

const keyOf = (object: KubernetesObject) => `${object.metadata?.namespace}/${object.metadata?.name}`;

/** A list-then-watch cache that restarts itself after an error, and resolves once its first list is in. */
async function startInformer(kubeConfig: KubeConfig, kube: Kube, path: string, labelSelector: string | undefined, logger: Logger, stopped: () => boolean) {
  const informer = makeInformer<KubernetesObject>(kubeConfig, path, () => kube.list<KubernetesObject>(path, labelSelector), labelSelector);
  informer.on('error', (error: unknown) => {
    if (stopped()) return;
    logger.warn({ err: error, path }, 'watch failed; restarting in 1 s');
    setTimeout(() => void (stopped() ? undefined : informer.start()), 1_000).unref();
  });
  await informer.start();
  return informer;
}
