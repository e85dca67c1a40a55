import type { ChangeListener } from './store.js';

/**
 * One listener that calls each of `listeners` in turn inside the change's transaction (the audit
 * trail, replication's outbox, ...). Any of them failing rolls the change back.
 */
export function composeListeners(...listeners: readonly (ChangeListener | undefined)[]): ChangeListener {
  const present = listeners.filter((listener): listener is ChangeListener => listener !== undefined);
  return async (tx, change) => {
    for (const listener of present) await listener(tx, change);
  };
}
