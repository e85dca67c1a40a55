import type { Sql } from 'postgres';

const SAMPLE_EVERY_MS = 100;
/** A bound besides the caller's stop(), so a forgotten sampler ends by itself. */
const MAX_SAMPLES = 20_000;

export interface WaitShare {
  /** `active` (on CPU), `active Lock/advisory`, `idle in transaction` (waiting for the client)… */
  readonly state: string;
  readonly share: number;
}

export interface WaitProfile {
  /** Mean number of the application's connections not idle, per sample. */
  readonly busyConnections: number;
  readonly shares: readonly WaitShare[];
}

/**
 * Samples pg_stat_activity for one application's connections while a run goes on: the share of
 * busy-connection samples spent in each state and wait event says where a request waits inside
 * the database (a lock, a WAL flush, the client between two statements of a transaction).
 */
export function startWaitSampler(sql: Sql, applicationName: string) {
  const counts = new Map<string, number>();
  let total = 0;
  let samples = 0;
  let stopped = false;

  const loop = (async () => {
    for (let sample = 0; sample < MAX_SAMPLES && !stopped; sample++) {
      const rows = await sql<{ state: string }[]>`
        select state || coalesce(' ' || wait_event_type || '/' || wait_event, '') as state
        from pg_stat_activity
        where application_name = ${applicationName} and pid <> pg_backend_pid() and state not in ('idle')`;
      for (const { state } of rows) counts.set(state, (counts.get(state) ?? 0) + 1);
      total += rows.length;
      samples += 1;
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  })();

  return {
    async stop(): Promise<WaitProfile> {
      stopped = true;
      await loop;
      const shares = [...counts].map(([state, count]) => ({ state, share: total > 0 ? count / total : 0 })).sort((a, b) => b.share - a.share);
      return { busyConnections: samples > 0 ? total / samples : 0, shares };
    },
  };
}
