// reconcile(key): get the City → finalize if it is being deleted → record its finalizer and site
// number → observe its children → apply its Vault objects and the desired children (unless nothing
// changed since the last apply, apply-children.ts) → write its status only when that changed.
import type { Logger } from 'pino';
import { causedByConflict, type Kube, resourcePath } from '../kube.js';
import type { WorkResult } from '../queue.js';
import { autoscalingOf } from './autoscaling.js';
import { createChildWriter } from './apply-children.js';
import { replicationSecret, seedSecrets } from './data-resources.js';
import type { EventRecorder } from './events.js';
import {
  allocateSiteNumber,
  type ChildLookup,
  type ChildKindAvailable,
  createCrdProbe,
  deploymentState,
  observeDatabase,
  observeReplication,
  recordedSiteNumber,
} from './observe.js';
import { type CertificateIssuer, desiredChildren } from './resources.js';
import { untilNextWindowEdge } from './schedule.js';
import {
  apiCondition,
  cleanupCondition,
  databaseCondition,
  desiredStatus,
  encryptionCondition,
  endpoint,
  errorMessage,
  replicationCondition,
  sameStatus,
  scalingCondition,
  setCondition,
} from './status.js';
import { API_VERSION, type City, type CityStatus, cityNames, FINALIZER, SITE_NUMBER_ANNOTATION } from './types.js';
import { type AdmissionContext, type Refusal, RefusedError, refusalsOf, vaultAddressAllowed, vaultAddressOf } from './refusals.js';
import type { VaultClient } from './vault.js';

export interface ReconcilerDeps {
  readonly kube: Kube;
  readonly vault: VaultClient;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly lookup: ChildLookup;
  /** Whether an optional child kind's CRD is installed (and watched); the controller shares its probe. */
  readonly childKindAvailable?: ChildKindAvailable;
  readonly now?: () => Date;
  /** While a City is not Ready, look again this often (Secrets and the hq City are not watched). */
  readonly notReadyRequeueMs?: number;
  /** What the operator's configuration allows a City (refusals.ts). */
  readonly admission: Omit<AdmissionContext, 'cities' | 'certificates'>;
  /** The cert-manager issuer of every site's internal certificate. */
  readonly certificateIssuer: CertificateIssuer;
  /** Where KEDA asks for a City's requests per second unless the City names its own Prometheus (OPERATOR_PROMETHEUS_ADDRESS). */
  readonly prometheusAddress: string;
  /** The namespaces of the Prometheus that scrapes every City's api, which its NetworkPolicy admits (OPERATOR_PROMETHEUS_NAMESPACES). */
  readonly prometheusNamespaces: readonly string[];
  /** Every City the operator watches, in every namespace (the watch caches), for the rules between Cities. */
  readonly cities: () => readonly City[];
}

/** A refused City is looked at again this often: the City it collides with may have gone. */
const REFUSED_REQUEUE_MS = 30_000;

export function createCityReconciler(deps: ReconcilerDeps) {
  const { kube, vault, events, logger, lookup, admission, cities, certificateIssuer, now = () => new Date(), notReadyRequeueMs = 5_000 } = deps;
  const writer = createChildWriter({ kube, events, logger, lookup });
  const lastFailure = new Map<string, string>();
  /** The clean-up failure last recorded per deleting City: like lastFailure, one event per distinct failure. */
  const lastCleanupFailure = new Map<string, string>();
  const available = deps.childKindAvailable ?? createCrdProbe(kube);
  let allocation: Promise<unknown> = Promise.resolve();

  async function reconcile(key: string): Promise<WorkResult> {
    const [namespace = '', name = ''] = key.split('/');
    const path = resourcePath(API_VERSION, 'City', namespace, name);
    const city = await kube.getOrUndefined<City>(path);
    if (!city) return; // deleted and released: nothing left to do
    try {
      if (city.metadata.deletionTimestamp) return await finalize(city, path);
      const siteNumber = await recordFinalizerAndSiteNumber(city, path);
      if (siteNumber === undefined) return; // the patch's watch event brings the City back

      const certificates = await available('Certificate');
      const refusals = refusalsOf(city, { ...admission, cities: cities(), certificates });
      if (refusals.length > 0) return await refuse(key, city, path, refusals);
      // Vault first: its record says which key the City's data is sealed with, which the Deployment names.
      let encryptionError: unknown;
      const sealedWith = await vault.ensure(city).catch((error: unknown) => {
        encryptionError = error;
        return undefined;
      });
      if (encryptionError instanceof RefusedError) return await refuse(key, city, path, [encryptionError.refusal]);
      const transitKey = sealedWith?.transitKey ?? city.status?.transitKey;

      const deployment = lookup('Deployment', namespace, cityNames(city).api);
      const database = observeDatabase(city, lookup);
      const [replication, serviceMonitors, keda] = await Promise.all([observeReplication(kube, city), available('ServiceMonitor'), available('ScaledObject')]);
      const autoscaling = autoscalingOf(city, { keda, serviceMonitors, prometheusAddress: deps.prometheusAddress });
      // Without a key known from Vault or from the status, a Deployment would name the wrong one: apply nothing yet.
      if (transitKey !== undefined) {
        const derivedKey = replication.platformSecret === undefined ? undefined : replicationSecret(city, replication.platformSecret);
        const children = desiredChildren(city, {
          replicationSecret: derivedKey?.metadata.name,
          siteNumber,
          now: now(),
          currentReplicas: (deployment?.spec as { replicas?: number } | undefined)?.replicas,
          serviceMonitors,
          autoscaling,
          vault: { address: vaultAddressOf(city, admission.vault), transitKey },
          prometheusNamespaces: deps.prometheusNamespaces,
          ...(certificates ? { certificates: { issuer: certificateIssuer } } : {}),
        });
        await writer.write(key, city, children, [...seedSecrets(city), ...(derivedKey ? [derivedKey] : [])], encryptionError === undefined);
      }

      const status = desiredStatus(
        city,
        {
          database: databaseCondition(database),
          api: apiCondition(deploymentState(lookup('Deployment', namespace, cityNames(city).api))),
          encryption: encryptionCondition(encryptionError, transitKey ?? ''),
          replication: replicationCondition(replication),
          scaling: scalingCondition(city, autoscaling),
          endpoint: endpoint(city),
          replicas: deploymentState(deployment)?.availableReplicas ?? 0,
          siteNumber,
          transitKey,
        },
        now(),
      );
      await writeStatus(city, path, status);
      if (encryptionError !== undefined) throw new Error(`configuring Vault for City ${key}`, { cause: encryptionError });
      // Only a pass that failed nowhere ends the failure; Vault's is thrown last, after the status.
      lastFailure.delete(key);
      const ready = status.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
      // KEDA's cron triggers open and close the windows themselves: only the HPA's floor waits on the operator.
      const edge = autoscaling.by === 'hpa' ? untilNextWindowEdge(city.spec, now()) : undefined;
      const delays = [edge, ready ? undefined : notReadyRequeueMs].filter((delay): delay is number => delay !== undefined);
      return delays.length > 0 ? { requeueAfterMs: Math.min(...delays) } : undefined;
    } catch (error) {
      if (causedByConflict(error)) return { requeueAfterMs: 100 }; // someone wrote first; read again, quietly
      // One event per distinct failure, not one per retry.
      const message = errorMessage(error);
      if (lastFailure.get(key) !== message) await events.warning(city, 'ReconcileFailed', message);
      lastFailure.set(key, message);
      throw error;
    }
  }

  /** Adds the finalizer and the site number in one write guarded by resourceVersion; undefined when it wrote. */
  async function recordFinalizerAndSiteNumber(city: City, path: string): Promise<number | undefined> {
    const recorded = recordedSiteNumber(city);
    const hasFinalizer = city.metadata.finalizers?.includes(FINALIZER) ?? false;
    if (recorded !== undefined && hasFinalizer) return recorded;
    // One allocation at a time, from a fresh list, so two Cities never take the same number.
    const run = allocation.then(async () => {
      const siteNumber = recorded ?? allocateSiteNumber(city, (await kube.list<City>(resourcePath(API_VERSION, 'City', city.metadata.namespace))).items);
      await kube.mergePatch(path, {
        metadata: {
          resourceVersion: city.metadata.resourceVersion,
          finalizers: hasFinalizer ? city.metadata.finalizers : [...(city.metadata.finalizers ?? []), FINALIZER],
          annotations: { [SITE_NUMBER_ANNOTATION]: String(siteNumber) },
        },
      });
      if (recorded === undefined) await events.normal(city, 'SiteNumberAllocated', `site number ${siteNumber}`);
    });
    allocation = run.catch(() => undefined);
    await run;
    return undefined;
  }

  /** A City that breaks a rule gets nothing applied: Ready=False naming the rule, and one event per distinct refusal. */
  async function refuse(key: string, city: City, path: string, refusals: readonly Refusal[]): Promise<WorkResult> {
    writer.forget(key);
    const message = refusals.map((refused) => refused.message).join('; ');
    const conditions = setCondition(
      [...(city.status?.conditions ?? [])],
      { type: 'Ready', status: 'False', reason: refusals[0]?.reason ?? 'Refused', message },
      city.metadata.generation,
      now(),
    );
    await writeStatus(city, path, { ...city.status, observedGeneration: city.metadata.generation, conditions }, { readyEvent: false });
    if (lastFailure.get(key) !== message) await events.warning(city, 'Refused', message);
    lastFailure.set(key, message);
    logger.warn({ city: key, rules: refusals.map((refused) => refused.rule) }, 'City refused');
    return { requeueAfterMs: REFUSED_REQUEUE_MS };
  }

  async function finalize(city: City, path: string): Promise<WorkResult> {
    const key = `${city.metadata.namespace}/${city.metadata.name}`;
    writer.forget(key);
    if (!city.metadata.finalizers?.includes(FINALIZER)) return;
    try {
      // A Vault the operator may not use never got anything from it: nothing to clean up there.
      if (vaultAddressAllowed(city, admission.vault)) await vault.remove(city);
    } catch (error) {
      const conditions = setCondition([...(city.status?.conditions ?? [])], cleanupCondition(error), city.metadata.generation, now());
      const withReady = setCondition(
        conditions,
        { type: 'Ready', status: 'False', reason: 'Deleting', message: 'waiting for Vault to remove the role and policy' },
        city.metadata.generation,
        now(),
      );
      await writeStatus(city, path, { ...city.status, conditions: withReady });
      const message = errorMessage(error);
      if (lastCleanupFailure.get(key) !== message) await events.warning(city, 'VaultCleanupFailed', message);
      lastCleanupFailure.set(key, message);
      throw new Error(`removing Vault objects of City ${key}`, { cause: error });
    }
    lastCleanupFailure.delete(key);
    await kube.mergePatch(path, {
      metadata: { resourceVersion: city.metadata.resourceVersion, finalizers: city.metadata.finalizers.filter((f) => f !== FINALIZER) },
    });
    logger.info({ city: key }, 'Vault role and policy removed; City released');
  }

  async function writeStatus(city: City, path: string, status: CityStatus, options: { readyEvent?: boolean } = {}) {
    if (sameStatus(city.status, status)) return;
    await kube.mergePatch(`${path}/status`, { metadata: { resourceVersion: city.metadata.resourceVersion }, status });
    const before = new Map((city.status?.conditions ?? []).map((condition) => [condition.type, condition.status]));
    for (const condition of status.conditions ?? []) {
      if (options.readyEvent !== false && condition.type === 'Ready' && before.get('Ready') !== condition.status) {
        await (condition.status === 'True' ? events.normal(city, 'Ready', condition.message) : events.warning(city, condition.reason, condition.message));
      }
    }
  }

  return {
    reconcile,
    forget(key: string) {
      writer.forget(key);
      lastFailure.delete(key);
      lastCleanupFailure.delete(key);
    },
  };
}
