// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does it: every
// write is guarded by the resourceVersion it read, so two candidates can never both take the
// lease; a holder that cannot renew within renewDeadline steps down before its lease expires; a
// candidate judges expiry by its own clock, from when it last saw the lease change (no clock sync).
import { isConflict, isNotFound, type Kube, resourcePath } from './kube.js';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly onError?: (error: unknown) => void;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

const microTime = (date: Date) => date.toISOString().replace('Z', '000Z');

export interface LeaderElector {
  readonly isLeader: boolean;
  /** Stops campaigning; a leader releases the lease so that another replica takes over at once. */
  stop(): Promise<void>;
}

export function startLeaderElection(kube: Kube, options: LeaderElectionOptions): LeaderElector {
  const path = resourcePath('coordination.k8s.io/v1', 'Lease', options.namespace, options.name);
  const collection = resourcePath('coordination.k8s.io/v1', 'Lease', options.namespace);
  let leading = false;
  let stopped = false;
  let lastRenewed = 0;
  let observed: { resourceVersion?: string; at: number } = { at: 0 };
  let timer: NodeJS.Timeout | undefined;
  let cycle: Promise<void> = Promise.resolve();

  const spec = (previous: Lease['spec'] | undefined, now: Date): Lease['spec'] => ({
    holderIdentity: options.identity,
    leaseDurationSeconds: Math.ceil(options.leaseDurationMs / 1000),
    acquireTime: previous?.holderIdentity === options.identity ? (previous.acquireTime ?? microTime(now)) : microTime(now),
    renewTime: microTime(now),
    leaseTransitions: (previous?.leaseTransitions ?? 0) + (previous?.holderIdentity === options.identity || !previous ? 0 : 1),
  });

  /** One attempt to acquire or renew; true when this candidate holds the lease afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const current = await kube.getOrUndefined<Lease>(path);
    if (!current) {
      await kube.create(collection, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: options.name, namespace: options.namespace },
        spec: spec(undefined, now),
      });
      return true;
    }
    if (current.metadata.resourceVersion !== observed.resourceVersion) observed = { resourceVersion: current.metadata.resourceVersion, at: Date.now() };
    const holder = current.spec.holderIdentity;
    const durationMs = (current.spec.leaseDurationSeconds ?? 0) * 1000;
    const heldByOther = holder && holder !== options.identity && Date.now() < observed.at + durationMs;
    if (heldByOther) return false;
    await kube.replace(path, { ...current, spec: spec(current.spec, now) });
    return true;
  }

  async function step() {
    let holds = false;
    try {
      holds = await tryAcquireOrRenew();
    } catch (error) {
      // A conflict means someone else wrote first: they hold it, or will; not an error worth a log.
      if (!isConflict(error) && !isNotFound(error)) options.onError?.(error);
    }
    if (stopped) return;
    if (holds) {
      lastRenewed = Date.now();
      if (!leading) {
        leading = true;
        options.onStartedLeading();
      }
    } else if (leading && Date.now() - lastRenewed > options.renewDeadlineMs) {
      leading = false;
      options.onStoppedLeading();
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      cycle = step().finally(schedule);
    }, options.retryPeriodMs);
  }
  cycle = step().finally(schedule);

  return {
    get isLeader() {
      return leading;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await cycle;
      if (!leading) return;
      leading = false;
      options.onStoppedLeading();
      try {
        const current = await kube.get<Lease>(path);
        if (current.spec.holderIdentity !== options.identity) return;
        // Like client-go's ReleaseOnCancel: an expired, holderless lease lets the next candidate in at once.
        await kube.replace(path, { ...current, spec: { ...current.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(new Date()) } });
      } catch (error) {
        options.onError?.(new Error('releasing the leader lease', { cause: error }));
      }
    },
  };
}
