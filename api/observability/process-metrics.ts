import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's gauges that carry a counter's `_total` suffix (promtool check metrics refuses them);
 * their per-type gauges (nodejs_active_handles{type}, ...) stay and sum to the same.
 */
const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** The process's Node.js and OS metrics (CPU, memory, event-loop lag, GC, handles) in `registry`. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED) registry.removeSingleMetric(name);
}
