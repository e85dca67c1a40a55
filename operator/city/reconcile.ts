// reconcile(key): get the City → finalize if it is being deleted → record its finalizer and site
// number → observe its children → apply the desired children (unless nothing changed since the
// last apply) and its Vault objects → write its status only when that changed.
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, type Kube, resourcePath } from '../kube.js';
import type { WorkResult } from '../queue.js';
import { WATCHED_KINDS } from './children.js';
import { replicationSecret, seedSecrets } from './data-resources.js';
import type { EventRecorder } from './events.js';
import type { KubeObject } from './metadata.js';
import {
  allocateSiteNumber,
  type ChildLookup,
  childKey,
  type ChildKindAvailable,
  createCrdProbe,
  deploymentState,
  observeDatabase,
  observeReplication,
  recordedSiteNumber,
  versionOf,
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
  setCondition,
} from './status.js';
import { API_VERSION, type City, type CityStatus, cityNames, FIELD_MANAGER, FINALIZER, SITE_NUMBER_ANNOTATION } from './types.js';
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
  /** Every City the operator watches, in every namespace (the watch caches), for the rules between Cities. */
  readonly cities: () => readonly City[];
}

/** A refused City is looked at again this often: the City it collides with may have gone. */
const REFUSED_REQUEUE_MS = 30_000;

/** What the last full pass applied, so that an unchanged City with untouched children is skipped. */
interface Applied {
  readonly generation: number;
  readonly fingerprint: string;
  readonly versions: ReadonlyMap<string, string>;
}

export function createCityReconciler(deps: ReconcilerDeps) {
  const { kube, vault, events, logger, lookup, admission, cities, certificateIssuer, now = () => new Date(), notReadyRequeueMs = 5_000 } = deps;
  const applied = new Map<string, Applied>();
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
      const [replication, withServiceMonitor] = await Promise.all([observeReplication(kube, city), available('ServiceMonitor')]);
      // Without a key known from Vault or from the status, a Deployment would name the wrong one: apply nothing yet.
      if (transitKey !== undefined) {
        const derivedKey = replication.platformSecret === undefined ? undefined : replicationSecret(city, replication.platformSecret);
        const children = desiredChildren(city, {
          replicationSecret: derivedKey?.metadata.name,
          siteNumber,
          now: now(),
          currentReplicas: (deployment?.spec as { replicas?: number } | undefined)?.replicas,
          serviceMonitors: withServiceMonitor,
          vault: { address: vaultAddressOf(city, admission.vault), transitKey },
          ...(certificates ? { certificates: { issuer: certificateIssuer } } : {}),
        });
        if (unchangedSinceLastApply(key, city, children)) {
          logger.debug({ city: key }, 'unchanged since the last apply; nothing to write');
          if (encryptionError !== undefined) applied.delete(key);
        } else {
          await applyAll(key, city, children, [...seedSecrets(city), ...(derivedKey ? [derivedKey] : [])], encryptionError === undefined);
        }
      }

      const status = desiredStatus(
        city,
        {
          database: databaseCondition(database),
          api: apiCondition(deploymentState(lookup('Deployment', namespace, cityNames(city).api))),
          encryption: encryptionCondition(encryptionError, transitKey ?? ''),
          replication: replicationCondition(replication),
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
      const edge = untilNextWindowEdge(city.spec, now());
      const delays = [edge, ready ? undefined : notReadyRequeueMs].filter((delay): delay is number => delay !== undefined);
      return delays.length > 0 ? { requeueAfterMs: Math.min(...delays) } : undefined;
    } catch (error) {
      if (conflicted(error)) return { requeueAfterMs: 100 }; // someone wrote first; read again, quietly
      // One event per distinct failure, not one per retry.
      const message = errorMessage(error);
      if (lastFailure.get(key) !== message) await events.warning(city, 'ReconcileFailed', message);
      lastFailure.set(key, message);
      throw error;
    }
  }

  function unchangedSinceLastApply(key: string, city: City, children: readonly KubeObject[]): boolean {
    const last = applied.get(key);
    if (!last || last.generation !== city.metadata.generation || city.status?.observedGeneration !== city.metadata.generation) return false;
    if (last.fingerprint !== JSON.stringify(children)) return false;
    const changed = children.find((child) => {
      const seen = lookup(child.kind, child.metadata.namespace ?? '', child.metadata.name);
      // Kinds without a watch cache (Secret) count as unchanged: they carry nothing a person edits.
      return seen === undefined ? WATCHED_KINDS.has(child.kind) : last.versions.get(childKey(child)) !== versionOf(seen);
    });
    if (changed) logger.debug({ city: key, child: childKey(changed) }, 'a child changed since the last apply');
    return changed === undefined;
  }

  async function applyAll(key: string, city: City, children: readonly KubeObject[], seeds: readonly KubeObject[], remember: boolean) {
    const versions = new Map<string, string>();
    const created = children.filter((child) => WATCHED_KINDS.has(child.kind) && !lookup(child.kind, child.metadata.namespace ?? '', child.metadata.name));
    // Created before the pods that mount them, and never again: a Secret that exists is kept as it is.
    for (const seed of seeds) {
      await kube.create(resourcePath('v1', 'Secret', city.metadata.namespace), seed).catch((error: unknown) => {
        if (!isAlreadyExists(error)) throw new Error(`creating Secret ${seed.metadata.name}`, { cause: error });
      });
    }
    // Server-side apply needs no order: whatever is missing for a moment (the ServiceAccount for the
    // first pods, the Secret for the api) the owning controllers retry.
    await Promise.all(
      children.map(async (child) => {
        const result = await kube.apply<{ metadata: object; status?: unknown }>(child, FIELD_MANAGER).catch((error: unknown) => {
          throw new Error(`applying ${child.kind} ${child.metadata.name}`, { cause: error });
        });
        versions.set(childKey(child), versionOf(result));
      }),
    );
    if (created.length > 0)
      await events.normal(city, 'Applied', `created or repaired ${created.map((child) => `${child.kind} ${child.metadata.name}`).join(', ')}`);
    if (city.status?.observedGeneration !== city.metadata.generation && city.status?.observedGeneration !== undefined) {
      await events.normal(city, 'Updated', `applied generation ${city.metadata.generation}`);
    }
    if (remember) applied.set(key, { generation: city.metadata.generation, fingerprint: JSON.stringify(children), versions });
    else applied.delete(key);
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
    applied.delete(key);
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
    applied.delete(key);
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
      applied.delete(key);
      lastFailure.delete(key);
      lastCleanupFailure.delete(key);
    },
  };
}

/** A 409 anywhere in the chain: applyAll names the child it applied and keeps the API server's error as the cause. */
function conflicted(error: unknown): boolean {
  return isConflict(error) || (error instanceof Error && error.cause !== undefined && conflicted(error.cause));
}
