// The City's status as a pure function of what reconcile observed. Conditions follow the
// Kubernetes API conventions; a condition keeps its lastTransitionTime while its status holds.
import type { Autoscaling } from './autoscaling.js';
import { type City, cityNames, type CityStatus, type Condition, type ConditionType } from './types.js';

export interface ConditionInput {
  readonly type: ConditionType;
  readonly status: Condition['status'];
  readonly reason: string;
  readonly message: string;
}

export interface Observation {
  readonly database: ConditionInput;
  readonly api: ConditionInput;
  readonly encryption: ConditionInput;
  readonly replication: ConditionInput;
  readonly scaling: ConditionInput;
  readonly endpoint: string;
  readonly replicas: number;
  readonly siteNumber: number;
  /** The key Vault's record names, once known. */
  readonly transitKey?: string;
}

type Outcome = Pick<ConditionInput, 'status' | 'reason' | 'message'>;
const yes = (reason: string, message: string): Outcome => ({ status: 'True', reason, message });
const no = (reason: string, message: string): Outcome => ({ status: 'False', reason, message });

export interface DeploymentState {
  readonly generation?: number;
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly updatedReplicas?: number;
  readonly availableReplicas?: number;
  readonly available?: boolean;
}

export function apiCondition(deployment: DeploymentState | undefined): ConditionInput {
  const outcome = ((): Outcome => {
    if (!deployment) return no('DeploymentMissing', 'the api Deployment does not exist yet');
    const { generation = 0, observedGeneration = 0, replicas = 0, updatedReplicas = 0, availableReplicas = 0 } = deployment;
    if (observedGeneration < generation || updatedReplicas < replicas) {
      return no('RollingOut', `${updatedReplicas} of ${replicas} replicas updated`);
    }
    if (!deployment.available || availableReplicas < replicas) return no('Unavailable', `${availableReplicas} of ${replicas} replicas available`);
    return yes('DeploymentAvailable', `${availableReplicas} of ${replicas} replicas available`);
  })();
  return { type: 'ApiAvailable', ...outcome };
}

export interface DatabaseState {
  readonly kind: 'managed' | 'external';
  /** Managed: the CloudNativePG Cluster's status, if it exists. */
  readonly cluster?: { readonly instances: number; readonly readyInstances?: number; readonly phase?: string };
  /** The Secret the api's connection string comes from. */
  readonly secretName: string;
}

export function databaseCondition(database: DatabaseState): ConditionInput {
  const outcome = ((): Outcome => {
    if (database.kind === 'external') return yes('External', `the api connects with Secret ${database.secretName}`);
    if (!database.cluster) return no('ClusterMissing', 'the CloudNativePG Cluster does not exist yet');
    const { instances, readyInstances = 0, phase = 'unknown' } = database.cluster;
    if (readyInstances < instances) return no('ClusterNotReady', `${readyInstances} of ${instances} instances ready (${phase})`);
    return yes('ClusterReady', `${readyInstances} of ${instances} instances ready`);
  })();
  return { type: 'DatabaseReady', ...outcome };
}

export function encryptionCondition(error: unknown, key: string): ConditionInput {
  if (error === undefined) return { type: 'EncryptionReady', ...yes('VaultConfigured', `transit key ${key}, policy and auth role in place`) };
  return { type: 'EncryptionReady', ...no('VaultUnavailable', errorMessage(error)) };
}

export function cleanupCondition(error: unknown): ConditionInput {
  return { type: 'EncryptionReady', ...no('VaultCleanupFailed', `deleting: ${errorMessage(error)}; retrying with back-off`) };
}

export interface ReplicationState {
  readonly role: City['spec']['role'];
  readonly hqName: string;
  readonly hqFound: boolean;
  readonly secretFound: boolean;
  readonly secretName: string;
}

export function replicationCondition(state: ReplicationState): ConditionInput {
  const outcome = ((): Outcome => {
    if (!state.secretFound) return no('SecretMissing', `Secret ${state.secretName} (key secret) not found`);
    if (state.role === 'hq') return yes('Hq', 'accepts cities as they register');
    if (!state.hqFound) return no('HqNotFound', `City ${state.hqName} not found in this namespace`);
    return yes('ShipsToHq', `ships to City ${state.hqName} with its derived key`);
  })();
  return { type: 'ReplicationConfigured', ...outcome };
}

/**
 * What scales the api, and on what. Both are True: CPU alone is a working configuration (the HPA
 * path's schedule windows still apply), only a coarser one, so a City without KEDA is not kept
 * from Ready; the message says what installing KEDA would add.
 */
export function scalingCondition(city: City, autoscaling: Autoscaling): ConditionInput {
  const { api, scaling, timezone } = city.spec;
  const name = cityNames(city).api;
  const bounds = `${api.replicas.min} to ${api.replicas.max} replicas`;
  const cpu = `cpu (${scaling.targetCpuUtilization}% utilisation)`;
  if (autoscaling.by === 'hpa') {
    const windows = scaling.schedules.length > 0 ? '; the operator raises its minimum while a schedule window is open' : '';
    return {
      type: 'ScalingConfigured',
      ...yes(
        'CpuOnly',
        `KEDA is not installed (no CRD scaledobjects.keda.sh), so HorizontalPodAutoscaler ${name} scales ${bounds} on CPU only (${scaling.targetCpuUtilization}% utilisation)${windows}. ` +
          'A working configuration; with KEDA the api also scales on requests per second',
      ),
    };
  }
  const triggers = [
    ...(autoscaling.prometheusAddress === undefined
      ? []
      : [`requests-per-second (${scaling.targetRequestsPerSecond} per replica, from Prometheus at ${autoscaling.prometheusAddress})`]),
    cpu,
    ...scaling.schedules.map((window) => `schedule-${window.name} (at least ${window.minReplicas}, ${window.start}-${window.end} ${timezone})`),
  ];
  const unscraped =
    autoscaling.prometheusAddress === undefined ? '; no requests-per-second trigger: the ServiceMonitor CRD is not installed, so nothing scrapes the api' : '';
  return { type: 'ScalingConfigured', ...yes('KedaScaledObject', `KEDA ScaledObject ${name} scales ${bounds} on triggers ${triggers.join(', ')}${unscraped}`) };
}

export function readyCondition(parts: readonly ConditionInput[]): ConditionInput {
  const failing = parts.filter((part) => part.status !== 'True');
  if (failing.length === 0) return { type: 'Ready', status: 'True', reason: 'AllReady', message: 'every part of the city is ready' };
  return {
    type: 'Ready',
    status: 'False',
    reason: failing.map((part) => part.type.replace(/Ready|Available|Configured$/, '')).join('') + 'NotReady',
    message: failing.map((part) => `${part.type}: ${part.message}`).join('; '),
  };
}

/** Sets a condition, keeping its lastTransitionTime unless its status changed. */
export function setCondition(conditions: readonly Condition[], input: ConditionInput, generation: number, now: Date): Condition[] {
  const previous = conditions.find((condition) => condition.type === input.type);
  const lastTransitionTime = previous && previous.status === input.status ? previous.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const next: Condition = { ...input, observedGeneration: generation, lastTransitionTime };
  return [...conditions.filter((condition) => condition.type !== input.type), next].sort((a, b) => a.type.localeCompare(b.type));
}

export function desiredStatus(city: City, observation: Observation, now: Date): CityStatus {
  const generation = city.metadata.generation;
  const parts = [observation.database, observation.api, observation.encryption, observation.replication, observation.scaling];
  const conditions = [...parts, readyCondition(parts)].reduce<Condition[]>(
    (all, input) => setCondition(all, input, generation, now),
    [...(city.status?.conditions ?? [])],
  );
  return {
    observedGeneration: generation,
    conditions,
    endpoint: observation.endpoint,
    replicas: observation.replicas,
    siteNumber: observation.siteNumber,
    ...(observation.transitKey === undefined ? {} : { transitKey: observation.transitKey }),
  };
}

/** Equal statuses need no write: compared field by field, conditions by type. */
export function sameStatus(a: CityStatus | undefined, b: CityStatus): boolean {
  const canonical = (status: CityStatus | undefined) =>
    JSON.stringify({
      observedGeneration: status?.observedGeneration,
      endpoint: status?.endpoint,
      replicas: status?.replicas,
      siteNumber: status?.siteNumber,
      transitKey: status?.transitKey,
      conditions: [...(status?.conditions ?? [])]
        .sort((x, y) => x.type.localeCompare(y.type))
        .map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration, c.lastTransitionTime]),
    });
  return canonical(a) === canonical(b);
}

export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${errorMessage(error.cause)}` : '';
  return `${error.message}${cause}`;
}

/** Where agents reach the City: its host and path, over HTTPS when the Ingress has TLS. */
export function endpoint(city: City): string {
  const { host, tlsSecretName } = city.spec.ingress;
  return `${tlsSecretName ? 'https' : 'http'}://${host}${cityNames(city).path}`;
}
