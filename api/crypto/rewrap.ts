import type { Sql } from 'postgres';
import type { KeyProvider } from './key-provider.js';

export interface RewrapResult {
  readonly dataKeys: number;
  readonly rewrapped: number;
}

/**
 * Moves every stored data key of the site under the provider's newest master key version. Only
 * the wrapped form changes, never the data key itself, so sealed reports and the caches of running
 * replicas stay valid while this runs.
 */
export async function rewrapDataKeys(sql: Sql, provider: KeyProvider): Promise<RewrapResult> {
  const keys = await sql<{ id: number; wrapped: string }[]>`select id, wrapped from data_keys order by id`;
  let rewrapped = 0;
  for (const key of keys) {
    if (await provider.isCurrent(key.wrapped)) continue;
    const newer = await provider.rewrap(key.wrapped);
    const result = await sql`
      update data_keys set wrapped = ${newer}, rewrapped_at = now() where id = ${key.id} and wrapped = ${key.wrapped}`;
    rewrapped += result.count;
  }
  return { dataKeys: keys.length, rewrapped };
}
