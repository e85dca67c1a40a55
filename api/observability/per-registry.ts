import type { Registry } from 'prom-client';

/**
 * One set of metrics per registry: every site of the local platform reports into the process's one
 * registry (each series labelled with its site), and prom-client refuses a metric name twice.
 */
export function perRegistry<T>(create: (registry: Registry) => T): (registry: Registry) => T {
  const created = new WeakMap<Registry, T>();
  return (registry) => {
    let metrics = created.get(registry);
    if (metrics === undefined) {
      metrics = create(registry);
      created.set(registry, metrics);
    }
    return metrics;
  };
}
