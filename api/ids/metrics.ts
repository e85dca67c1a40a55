import { Counter, Gauge, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';

export interface IdsState {
  /** Minting is refused now: a clock step back halted it, or no worker lease is valid. */
  readonly halted: boolean;
  /** Unix ms of the newest id minted (or of the lease's floor); undefined while no slot is leased. */
  readonly lastMintedMs: number | undefined;
}

const idsMetricsOf = perRegistry((registry: Registry) => {
  // Read when scraped, from each site of the process (the local platform runs several).
  const states = new Map<string, () => IdsState>();
  return {
    states,
    minted: new Counter({ name: 'crashdesk_ids_minted_total', help: 'Report ids minted', labelNames: ['site'] as const, registers: [registry] }),
    clockStepHalts: new Counter({
      name: 'crashdesk_ids_clock_step_halts_total',
      help: 'Times id minting halted because the clock stepped back further than it may wait out',
      labelNames: ['site'] as const,
      registers: [registry],
    }),
    leaseLosses: new Counter({
      name: 'crashdesk_ids_worker_lease_losses_total',
      help: 'Id worker slot leases lost (not renewed in time, or taken over), each followed by leasing another',
      labelNames: ['site'] as const,
      registers: [registry],
    }),
    halted: new Gauge({
      name: 'crashdesk_ids_minting_halted',
      help: '1 while this process cannot mint report ids (the clock stepped back, or no valid worker lease), else 0',
      labelNames: ['site'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [site, state] of states) this.set({ site }, state().halted ? 1 : 0);
      },
    }),
    lastMinted: new Gauge({
      name: 'crashdesk_ids_last_minted_timestamp_seconds',
      help: 'Unix time of the newest id minted by this process (or of its worker slot floor): never goes back, whatever the clock does',
      labelNames: ['site'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [site, state] of states) {
          const { lastMintedMs } = state();
          if (lastMintedMs !== undefined) this.set({ site }, lastMintedMs / 1000);
        }
      },
    }),
  };
});

export interface IdsMetrics {
  readonly minted: () => void;
  readonly clockStepHalted: () => void;
  readonly leaseLost: () => void;
  /** Reports the site's state at every scrape until the returned function is called. */
  readonly watch: (state: () => IdsState) => () => void;
}

export function idsMetrics(registry: Registry, site: string): IdsMetrics {
  const metrics = idsMetricsOf(registry);
  for (const counter of [metrics.minted, metrics.clockStepHalts, metrics.leaseLosses]) counter.inc({ site }, 0);
  return {
    minted: () => metrics.minted.inc({ site }),
    clockStepHalted: () => metrics.clockStepHalts.inc({ site }),
    leaseLost: () => metrics.leaseLosses.inc({ site }),
    watch: (state) => {
      metrics.states.set(site, state);
      return () => {
        if (metrics.states.get(site) === state) metrics.states.delete(site);
      };
    },
  };
}
