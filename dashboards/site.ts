// The site dashboard: what callers get (rate, errors, latency) and what serves them (replicas, the
// Node.js processes).
import { type DashboardSpec, inNamespace, inSite, quantiles, RATE } from './panels.js';

const requests = 'http_request_duration_seconds_count';
const errorsOrZero = (by: string) =>
  `(sum by (${by}) (rate(${requests}${inSite('status=~"5.."')}${RATE})) or 0 * sum by (${by}) (rate(${requests}${inSite()}${RATE})))` +
  ` / clamp_min(sum by (${by}) (rate(${requests}${inSite()}${RATE})), 1e-9)`;

// Process series carry no site of their own (the local platform serves every site from one
// process): a process is shown when it answers the site's requests.
const servingSite = `on (namespace, instance) group by (namespace, instance) (${requests}${inSite()})`;
const perProcess = (expr: string) => `max by (instance) (${expr} and ${servingSite})`;

export const siteDashboard: DashboardSpec = {
  uid: 'crashdesk-site',
  title: 'crashdesk / Site',
  description: "One site's API: requests, errors and latency as callers see them, and the replicas and processes that serve them.",
  scope: { namespacesFrom: requests, sitesFrom: requests },
  sections: [
    {
      row: 'Requests',
      panels: [
        {
          title: 'Requests per second by route and status',
          description: 'Every answered request, by route template (never the raw path) and HTTP status.',
          unit: 'reqps',
          queries: [{ expr: `sum by (route, status) (rate(${requests}${inSite()}${RATE}))`, legend: '{{route}} {{status}}' }],
        },
        {
          title: '5xx ratio (should be 0)',
          description: 'Share of requests answered 5xx. Bad input is always 4xx, so any 5xx is a bug or a failing dependency; 0 when there are none.',
          unit: 'percentunit',
          queries: [{ expr: errorsOrZero('site'), legend: '{{site}}' }],
        },
        {
          title: 'Latency by route (p50, p95, p99)',
          description: 'Time to answer, by route template.',
          unit: 's',
          queries: quantiles('http_request_duration_seconds', inSite(), ['route']),
        },
        {
          title: 'Replicas (desired and ready)',
          description: "The api Deployment's replicas as the operator's watch sees them: desired (what the autoscaler asks for) and ready.",
          unit: 'short',
          queries: [
            { expr: 'max by (site, state) (crashdesk_operator_city_replicas{city_namespace=~"$namespace", site=~"$site"})', legend: '{{site}} {{state}}' },
          ],
        },
      ],
    },
    {
      row: 'Processes',
      panels: [
        {
          title: 'Event-loop lag (p99)',
          description: 'How late timers fire in each process serving the site: CPU-bound work or a blocked loop delays every request.',
          unit: 's',
          queries: [{ expr: perProcess(`nodejs_eventloop_lag_p99_seconds${inNamespace()}`), legend: '{{instance}}' }],
        },
        {
          title: 'Memory',
          description: 'Resident memory and V8 heap in use, per process serving the site.',
          unit: 'bytes',
          queries: [
            { expr: perProcess(`process_resident_memory_bytes${inNamespace()}`), legend: 'resident {{instance}}' },
            { expr: perProcess(`nodejs_heap_size_used_bytes${inNamespace()}`), legend: 'heap used {{instance}}' },
          ],
        },
        {
          title: 'CPU',
          description: 'CPU seconds per second (1 = one core), per process serving the site.',
          unit: 'short',
          queries: [{ expr: perProcess(`rate(process_cpu_seconds_total${inNamespace()}${RATE})`), legend: '{{instance}}' }],
        },
      ],
    },
    {
      row: 'Cache, rate limits and the read replica',
      panels: [
        {
          title: 'Day pages and policy lookups by cache result',
          description:
            "fresh and stale are served from the cache (stale while one request refreshes it), miss was loaded from PostgreSQL, bypass means the cache failed and PostgreSQL answered. Tier: redis (the city's Redis, shared by the replicas) or memory (one process).",
          unit: 'reqps',
          stacked: true,
          queries: [{ expr: `sum by (tier, result) (rate(crashdesk_list_cache_requests_total${inSite()}${RATE}))`, legend: '{{tier}} {{result}}' }],
        },
        {
          title: 'Redis failures (cache and rate limits)',
          description:
            "Commands Redis failed or answered too late. Requests still succeed (lists from PostgreSQL, limits counted per process); anything above 0 for long means the city's Redis is down or slow.",
          unit: 'ops',
          queries: [
            { expr: `sum by (tier) (rate(crashdesk_list_cache_errors_total${inSite()}${RATE}))`, legend: 'list cache ({{tier}})' },
            { expr: `sum by (site) (rate(crashdesk_rate_limit_errors_total${inSite()}${RATE}))`, legend: 'rate limits' },
          ],
        },
        {
          title: 'Requests refused by a rate limit (429)',
          description: 'By limit: account (one signed-in account) or address (one client address). A steady rate is a runaway client or script.',
          unit: 'reqps',
          queries: [{ expr: `sum by (limit) (rate(crashdesk_rate_limited_total${inSite()}${RATE}))`, legend: '{{limit}}' }],
        },
        {
          title: 'Read replica: in use and lag',
          description:
            'In use 1: lists, lookups and exports read from the replica; 0: from the primary (no replica configured, the replica lagging beyond its bound or unreachable). Lag is 0 without a replica.',
          unit: 's',
          queries: [
            { expr: `max by (instance) (crashdesk_read_replica_lag_seconds${inSite()})`, legend: 'lag {{instance}}' },
            { expr: `min by (instance) (crashdesk_read_replica_in_use${inSite()})`, legend: 'in use {{instance}}' },
          ],
        },
      ],
    },
    {
      row: 'Intake assist',
      panels: [
        {
          title: 'Intake jobs per second by outcome',
          description:
            'Drafting attempts: done, retried (failed, will run again), failed (no attempts left), lease-lost (finished after another worker took over).',
          unit: 'ops',
          queries: [{ expr: `sum by (outcome) (rate(crashdesk_intake_jobs_total${inSite()}${RATE}))`, legend: '{{outcome}}' }],
        },
        {
          title: 'Intake queue (queued and running)',
          description: 'Calls waiting to be drafted and being drafted; every pod reads the same table, hence the max.',
          unit: 'short',
          queries: [{ expr: `max by (status) (crashdesk_intake_queue_jobs${inSite()})`, legend: '{{status}}' }],
        },
        {
          title: 'Time to draft a call (p50, p95, p99)',
          description: 'From a worker claiming the job to its stored draft, the extractor (and the model, when one is configured) included.',
          unit: 's',
          queries: quantiles('crashdesk_intake_draft_duration_seconds', inSite(), []),
        },
      ],
    },
  ],
};
