import { Counter, Histogram, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';

/** What the transit calls are, by the path they take (`transit/<operation>/<key>`), plus Kubernetes `login`. */
export const VAULT_OPERATIONS = ['login', 'datakey', 'decrypt', 'rewrap', 'hmac', 'verify', 'keys'] as const;
export type VaultOperation = (typeof VAULT_OPERATIONS)[number];
/** `refused`: Vault answered with an error status; `unreachable`: no answer (network, TLS, timeout). */
export type VaultResult = 'ok' | 'refused' | 'unreachable';

const cryptoMetricsOf = perRegistry((registry: Registry) => ({
  dataKeyLookups: new Counter({
    name: 'crashdesk_data_key_cache_lookups_total',
    help: 'Data keys looked up in the memory cache, by result: hit, or miss (unwrapped by the key provider)',
    labelNames: ['site', 'result'] as const,
    registers: [registry],
  }),
  vaultRequests: new Counter({
    name: 'crashdesk_vault_requests_total',
    help: 'Requests to Vault (transit and login), by operation and result (ok, refused: an error status, unreachable: no answer)',
    labelNames: ['site', 'operation', 'result'] as const,
    registers: [registry],
  }),
  vaultDuration: new Histogram({
    name: 'crashdesk_vault_request_duration_seconds',
    help: 'Time for Vault to answer one request, by operation',
    labelNames: ['site', 'operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  }),
}));

export type DataKeyLookup = (result: 'hit' | 'miss') => void;

export function dataKeyCacheMetrics(registry: Registry, site: string): DataKeyLookup {
  const { dataKeyLookups } = cryptoMetricsOf(registry);
  dataKeyLookups.inc({ site, result: 'hit' }, 0);
  dataKeyLookups.inc({ site, result: 'miss' }, 0);
  return (result) => dataKeyLookups.inc({ site, result });
}

export type VaultRequestObserver = (operation: VaultOperation, result: VaultResult, seconds: number) => void;

export function vaultMetrics(registry: Registry, site: string): VaultRequestObserver {
  const { vaultRequests, vaultDuration } = cryptoMetricsOf(registry);
  for (const operation of VAULT_OPERATIONS) {
    for (const result of ['ok', 'refused', 'unreachable'] as const) vaultRequests.inc({ site, operation, result }, 0);
  }
  return (operation, result, seconds) => {
    vaultRequests.inc({ site, operation, result });
    vaultDuration.observe({ site, operation }, seconds);
  };
}
