// What reconcile reads before deciding: the children the cluster has (from the watch caches), the
// Secrets and the hq City it depends on, and the site number it allocated.
import { createHash } from 'node:crypto';
import { isNotFound, type Kube, type KubeObjectRef, resourcePath } from '../kube.js';
import { CHILD_KINDS, childKind } from './children.js';
import type { KubeObject } from './metadata.js';
import { type DatabaseState, type DeploymentState, type ReplicationState } from './status.js';
import { API_VERSION, type City, cityNames, SITE_NUMBER_ANNOTATION } from './types.js';

export interface ObservedObject {
  readonly metadata: {
    readonly name: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly ownerReferences?: readonly { readonly uid: string; readonly controller?: boolean }[];
  };
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
}

/** Looks a child up in the watch caches (undefined: not there, or its kind is not watched). */
export type ChildLookup = (kind: string, namespace: string, name: string) => ObservedObject | undefined;

export function deploymentState(deployment: ObservedObject | undefined): DeploymentState | undefined {
  if (!deployment) return undefined;
  const status = (deployment.status ?? {}) as {
    observedGeneration?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string }[];
  };
  return {
    generation: deployment.metadata.generation,
    observedGeneration: status.observedGeneration,
    replicas: (deployment.spec as { replicas?: number } | undefined)?.replicas,
    updatedReplicas: status.updatedReplicas,
    availableReplicas: status.availableReplicas,
    available: status.conditions?.some((condition) => condition.type === 'Available' && condition.status === 'True') ?? false,
  };
}

export async function secretExists(kube: Kube, namespace: string, name: string): Promise<boolean> {
  return (await kube.getOrUndefined(resourcePath('v1', 'Secret', namespace, name))) !== undefined;
}

export async function readSecretValue(kube: Kube, namespace: string, name: string, key: string): Promise<string | undefined> {
  const secret = await kube.getOrUndefined<{ data?: Record<string, string> }>(resourcePath('v1', 'Secret', namespace, name));
  const value = secret?.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/**
 * The database as the operator may see it: the CloudNativePG Cluster's status from the watch
 * cache. It reads no per-City Secret (its RBAC reads Secrets only by name, and names only the
 * platform's): a Secret the api needs and lacks keeps its pods from starting, which ApiAvailable says.
 */
export function observeDatabase(city: City, lookup: ChildLookup): DatabaseState {
  const names = cityNames(city);
  const external = city.spec.database.external;
  if (external) return { kind: 'external', secretName: external.secretName };
  const cluster = lookup('Cluster', city.metadata.namespace, names.database);
  const status = (cluster?.status ?? {}) as { readyInstances?: number; phase?: string };
  return {
    kind: 'managed',
    secretName: names.databaseLogin,
    cluster: cluster ? { instances: (cluster.spec as { instances: number }).instances, readyInstances: status.readyInstances, phase: status.phase } : undefined,
  };
}

export async function observeReplication(kube: Kube, city: City): Promise<ReplicationState & { platformSecret?: string }> {
  const { hq, secretName } = city.spec.replication;
  const namespace = city.metadata.namespace;
  const platformSecret = city.spec.role === 'city' ? await readSecretValue(kube, namespace, secretName, 'secret') : undefined;
  const secretFound = city.spec.role === 'city' ? platformSecret !== undefined : await secretExists(kube, namespace, secretName);
  const hqFound = city.spec.role === 'hq' || (await kube.getOrUndefined(resourcePath(API_VERSION, 'City', namespace, hq))) !== undefined;
  return { role: city.spec.role, hqName: hq, hqFound, secretFound, secretName, platformSecret };
}

/** The site number recorded on the City, if any. */
export function recordedSiteNumber(city: City): number | undefined {
  const value = city.metadata.annotations?.[SITE_NUMBER_ANNOTATION];
  return value === undefined ? undefined : Number(value);
}

/** hq is 0; any other City takes the lowest number no City of its namespace holds. */
export function allocateSiteNumber(city: City, others: readonly City[]): number {
  if (city.spec.role === 'hq') return 0;
  const taken = new Set(others.filter((other) => other.metadata.uid !== city.metadata.uid).map(recordedSiteNumber));
  taken.add(0);
  for (let number = 1; number <= 63; number++) if (!taken.has(number)) return number;
  throw new Error('all 63 city site numbers are taken in this namespace');
}

/** Whether the API server has the CRD: the one probe, behind the controller's watches and reconcile's optional children. */
export async function crdInstalled(kube: Kube, name: string): Promise<boolean> {
  try {
    await kube.get(resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, name));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Whether children of a kind can be applied now; see createCrdProbe. */
export type ChildKindAvailable = (kind: string) => Promise<boolean>;

export interface CrdProbeOptions {
  /** How often an optional CRD is asked about again (default a minute), so one installed later is found without a restart. */
  readonly intervalMs?: number;
  /** Runs the first time a kind's CRD is found, before the probe answers: the controller starts that kind's watch here. */
  readonly onInstalled?: (kind: string) => Promise<void>;
}

/**
 * The one probe of the optional CRDs (children.ts), shared by the controller's watches and
 * reconcile's optional children: a built-in kind is always available; an optional kind once its CRD
 * is installed. Because `onInstalled` has run before the first `true`, reconcile never applies a
 * kind whose watch cache the controller has not started (it would see it missing on every pass).
 */
export function createCrdProbe(kube: Kube, options: CrdProbeOptions = {}): ChildKindAvailable {
  const { intervalMs = 60_000, onInstalled } = options;
  const known = new Map<string, { readonly installed: boolean; readonly at: number }>();
  const found = new Set<string>();
  const asking = new Map<string, Promise<boolean>>();
  return async (kind) => {
    const crd = childKind(kind)?.crd;
    if (crd === undefined) return true;
    const last = known.get(kind);
    if (last && Date.now() - last.at < intervalMs) return last.installed;
    const pending = asking.get(kind);
    if (pending) return pending;
    const probe = (async () => {
      const installed = await crdInstalled(kube, crd);
      if (installed && !found.has(kind)) {
        await onInstalled?.(kind);
        found.add(kind);
      }
      known.set(kind, { installed, at: Date.now() });
      return installed;
    })().finally(() => asking.delete(kind));
    asking.set(kind, probe);
    return probe;
  };
}

/**
 * The api's autoscaler of the kind the City no longer wants, if the City still owns one: its HPA
 * once KEDA's ScaledObject scales the api, and the other way round. Two autoscalers of one
 * Deployment would fight over its replicas (and KEDA's webhook refuses a ScaledObject for a
 * Deployment an HPA already scales), so reconcile deletes these before it applies.
 */
export function replacedAutoscalers(city: City, desired: readonly KubeObject[], lookup: ChildLookup): KubeObjectRef[] {
  const name = cityNames(city).api;
  const { namespace } = city.metadata;
  const wanted = new Set(desired.map(childKey));
  return CHILD_KINDS.filter((child) => child.replaceable && !wanted.has(`${child.kind}/${namespace}/${name}`)).flatMap(({ kind, apiVersion }) => {
    const found = lookup(kind, namespace, name);
    // Only the City's own: KEDA's HPA is named keda-hpa-<name> and owned by its ScaledObject, never matched here.
    const owned = found?.metadata.ownerReferences?.some((owner) => owner.controller && owner.uid === city.metadata.uid) ?? false;
    return owned ? [{ apiVersion, kind, metadata: { name, namespace } }] : [];
  });
}

/** Identifies a child across kinds for the applied-version memo. */
export const childKey = (object: KubeObject) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;

/**
 * What of a child a person could change: everything but its status and bookkeeping metadata. Not
 * the resourceVersion, which controllers move with every status update (an HPA's, every sync), nor
 * the generation, which labels and annotations do not move and which some kinds lack.
 */
export function versionOf(object: { metadata: object; status?: unknown } | undefined): string {
  if (!object) return '';
  const { status: _status, metadata, ...rest } = object;
  const { labels, annotations, ownerReferences } = metadata as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify({ labels, annotations, ownerReferences, rest })).digest('base64');
}
