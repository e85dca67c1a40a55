/**
 * The value with every object's keys sorted at every depth and undefined members dropped, so that
 * `JSON.stringify` of it is one text whatever order the keys came in (jsonb and clients each have
 * their own). The audit chain hashes it; changing it would break every stored chain.
 */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, sortedKeys(inner)]),
    );
  }
  return value;
}

export const canonicalJson = (value: unknown): string => JSON.stringify(sortedKeys(value));
