import { Counter, type Registry } from 'prom-client';
import { perRegistry } from '../observability/per-registry.js';
import type { ThrottleScope } from './login-throttle.js';

const SCOPES: readonly ThrottleScope[] = ['pair', 'username', 'client'];

const loginMetricsOf = perRegistry(
  (registry: Registry) =>
    new Counter({
      name: 'crashdesk_login_throttled_total',
      help: 'Login attempts refused (429) before the password was checked, by the scope that blocked them: pair (one username from one address), username, client (address)',
      labelNames: ['site', 'scope'] as const,
      registers: [registry],
    }),
);

export function loginThrottleMetrics(registry: Registry, site: string): (scope: ThrottleScope) => void {
  const throttled = loginMetricsOf(registry);
  for (const scope of SCOPES) throttled.inc({ site, scope }, 0);
  return (scope) => throttled.inc({ site, scope });
}
