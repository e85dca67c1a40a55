// A per-key work queue, as controllers use: a key is processed by one worker at a time, a key
// added while it is processed runs once more afterwards, failures back off exponentially per key,
// and a key may ask to come back later (schedule edges).

export interface QueueOptions {
  readonly concurrency: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Called once the queue length changes, for the queue-depth gauge. */
  readonly onDepth?: (depth: number) => void;
}

/** What a worker returns: nothing, or a delay after which to run the key again. */
export type WorkResult = { readonly requeueAfterMs?: number } | void;

export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  /** Resolves when no key is queued or in progress (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops taking keys; resolves once the keys in progress are done. */
  shutdown(): Promise<void>;
  readonly depth: number;
}

export function createWorkQueue(work: (key: string) => Promise<WorkResult>, options: QueueOptions): WorkQueue {
  const { concurrency, baseDelayMs = 200, maxDelayMs = 60_000, onDepth } = options;
  const queued: string[] = [];
  const queuedSet = new Set<string>();
  const active = new Set<string>();
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;
  let idleWaiters: (() => void)[] = [];

  const report = () => onDepth?.(queued.length);

  function add(key: string) {
    if (stopped) return;
    if (active.has(key)) {
      dirty.add(key);
      return;
    }
    if (queuedSet.has(key)) return;
    queuedSet.add(key);
    queued.push(key);
    report();
    pump();
  }

  function addAfter(key: string, delayMs: number) {
    if (stopped) return;
    const existing = timers.get(key);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      timers.delete(key);
      add(key);
    }, delayMs);
    timer.unref();
    timers.set(key, timer);
  }

  function pump() {
    while (!stopped && active.size < concurrency && queued.length > 0) {
      const key = queued.shift() as string;
      queuedSet.delete(key);
      active.add(key);
      report();
      void run(key);
    }
    if (queued.length === 0 && active.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  async function run(key: string) {
    try {
      const result = await work(key);
      failures.delete(key);
      if (result?.requeueAfterMs !== undefined) addAfter(key, result.requeueAfterMs);
    } catch {
      // The worker reports its own errors; the queue only decides when to try again.
      const attempt = (failures.get(key) ?? 0) + 1;
      failures.set(key, attempt);
      addAfter(key, Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
    } finally {
      active.delete(key);
      if (dirty.delete(key)) add(key);
      pump();
    }
  }

  return {
    add,
    addAfter,
    get depth() {
      return queued.length;
    },
    idle: () => (queued.length === 0 && active.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    async shutdown() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      queued.length = 0;
      queuedSet.clear();
      report();
      while (active.size > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
