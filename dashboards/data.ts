// The data dashboard: where a site's data goes and what keeps it (replication, the database pool,
// the audit trail, the keys, login throttling, id minting).
import { type DashboardSpec, inSite, quantiles, RATE } from './panels.js';

const rate = (counter: string, by: string, extra = '') => `sum by (${by}) (rate(${counter}${inSite(extra)}${RATE}))`;

export const dataDashboard: DashboardSpec = {
  uid: 'crashdesk-data',
  title: 'crashdesk / Data',
  description: "A site's data path: replication to its peers, the database pool, the audit trail, data keys and Vault, login throttling and id minting.",
  scope: { namespacesFrom: 'http_request_duration_seconds_count', sitesFrom: 'http_request_duration_seconds_count' },
  sections: [
    {
      row: 'Replication',
      panels: [
        {
          title: 'Replication lag by peer',
          description: 'Age of the oldest change not yet delivered to the peer; 0 when nothing waits.',
          unit: 's',
          queries: [{ expr: `max by (site, peer) (crashdesk_replication_lag_seconds${inSite()})`, legend: '{{site}} → {{peer}}' }],
        },
        {
          title: 'Replication backlog by peer',
          description: 'Outbox rows waiting for delivery to the peer.',
          unit: 'short',
          queries: [{ expr: `max by (site, peer) (crashdesk_replication_backlog_rows${inSite()})`, legend: '{{site}} → {{peer}}' }],
        },
        {
          title: 'Replication failures per second by peer',
          description: 'Batches (or backfill pages) that failed and are retried after a back-off.',
          unit: 'ops',
          queries: [{ expr: rate('crashdesk_replication_failures_total', 'site, peer'), legend: '{{site}} → {{peer}}' }],
        },
        {
          title: 'Replication batch latency by peer (p50, p95, p99)',
          description: 'Time to send one batch and have the peer apply it.',
          unit: 's',
          queries: quantiles('crashdesk_replication_batch_duration_seconds', inSite(), ['peer']),
        },
        {
          title: 'Replicated states refused by reason',
          description: 'States a peer sent but may not send (wrong origin, a version jump, a time ahead of this clock, invalid fields): should be 0.',
          unit: 'ops',
          queries: [{ expr: rate('crashdesk_replication_refused_total', 'site, peer, reason'), legend: '{{peer}} → {{site}}: {{reason}}' }],
        },
        {
          title: 'Reports shipped and applied per second',
          description: 'States delivered to each peer, and states received that replaced this site’s.',
          unit: 'ops',
          queries: [
            { expr: rate('crashdesk_replication_shipped_reports_total', 'site, peer'), legend: 'shipped {{site}} → {{peer}}' },
            { expr: rate('crashdesk_replication_applied_reports_total', 'site, peer'), legend: 'applied {{peer}} → {{site}}' },
          ],
        },
      ],
    },
    {
      row: 'Database',
      panels: [
        {
          title: 'Database pool: connections and waiting',
          description: "Connections of each process's pool in use or available, and queries or transactions waiting for one (should be 0).",
          unit: 'short',
          stacked: true,
          queries: [
            { expr: `sum by (site, state) (crashdesk_db_pool_connections${inSite()})`, legend: '{{site}} {{state}}' },
            { expr: `sum by (site) (crashdesk_db_pool_waiting${inSite()})`, legend: '{{site}} waiting' },
          ],
        },
        {
          title: 'Query latency (p50, p95, p99)',
          description: 'Time from issuing a query to its answer, the wait for a connection included.',
          unit: 's',
          queries: quantiles('crashdesk_db_query_duration_seconds', inSite(), ['site']),
        },
        {
          title: 'Queries and transactions per second by outcome',
          description: 'Queries and transactions answered, and those that failed (error).',
          unit: 'ops',
          queries: [
            { expr: rate('crashdesk_db_query_duration_seconds_count', 'site, outcome'), legend: 'queries {{site}} {{outcome}}' },
            { expr: rate('crashdesk_db_transaction_duration_seconds_count', 'site, outcome'), legend: 'transactions {{site}} {{outcome}}' },
          ],
        },
        {
          title: 'Transaction latency (p50, p95, p99)',
          description: 'Time from begin to commit or rollback, the wait for a connection included.',
          unit: 's',
          queries: quantiles('crashdesk_db_transaction_duration_seconds', inSite(), ['site']),
        },
      ],
    },
    {
      row: 'Audit trail',
      panels: [
        {
          title: 'Audit appends per second by outcome',
          description: 'Entries appended to the chain; any error means a request failed rather than go unaudited.',
          unit: 'ops',
          queries: [{ expr: rate('crashdesk_audit_appends_total', 'site, outcome'), legend: '{{site}} {{outcome}}' }],
        },
        {
          title: 'Audit append latency (p50, p95, p99)',
          description: "Time to append one entry: in the change's transaction, or waiting for and committing its batch.",
          unit: 's',
          queries: quantiles('crashdesk_audit_append_duration_seconds', inSite(), ['site']),
        },
      ],
    },
    {
      row: 'Keys',
      panels: [
        {
          title: 'Data key cache lookups per second',
          description: 'Data keys found in memory (hit) or unwrapped by the key provider (miss).',
          unit: 'ops',
          queries: [{ expr: rate('crashdesk_data_key_cache_lookups_total', 'site, result'), legend: '{{site}} {{result}}' }],
        },
        {
          title: 'Vault requests per second by operation and result',
          description: 'Transit and login requests: ok, refused (Vault answered an error) or unreachable (no answer).',
          unit: 'reqps',
          queries: [{ expr: rate('crashdesk_vault_requests_total', 'operation, result'), legend: '{{operation}} {{result}}' }],
        },
        {
          title: 'Vault errors per second',
          description: 'Vault requests refused or not answered, by operation: should be 0.',
          unit: 'reqps',
          queries: [{ expr: rate('crashdesk_vault_requests_total', 'site, operation', 'result!="ok"'), legend: '{{site}} {{operation}}' }],
        },
        {
          title: 'Vault latency by operation (p95)',
          description: 'Time for Vault to answer, by operation.',
          unit: 's',
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (operation, le) (rate(crashdesk_vault_request_duration_seconds_bucket${inSite()}${RATE})))`,
              legend: '{{operation}}',
            },
          ],
        },
      ],
    },
    {
      row: 'Logins and ids',
      panels: [
        {
          title: 'Logins throttled per second by scope',
          description: 'Logins refused (429) before the password was checked: pair (one username from one address), username, or client (address).',
          unit: 'ops',
          queries: [{ expr: rate('crashdesk_login_throttled_total', 'site, scope'), legend: '{{site}} {{scope}}' }],
        },
        {
          title: 'Ids minted per second',
          description: 'Report ids minted.',
          unit: 'ops',
          queries: [{ expr: rate('crashdesk_ids_minted_total', 'site'), legend: '{{site}}' }],
        },
        {
          title: 'Id minting halted',
          description: '1 while a process cannot mint ids (the clock stepped back, or no valid worker lease), and clock steps that halted minting.',
          unit: 'short',
          queries: [
            { expr: `max by (site, instance) (crashdesk_ids_minting_halted${inSite()})`, legend: 'halted {{site}} {{instance}}' },
            { expr: `sum by (site) (increase(crashdesk_ids_clock_step_halts_total${inSite()}${RATE}))`, legend: 'clock-step halts {{site}}' },
            { expr: `sum by (site) (increase(crashdesk_ids_worker_lease_losses_total${inSite()}${RATE}))`, legend: 'lease losses {{site}}' },
          ],
        },
        {
          title: 'Age of the newest id',
          description: "Now minus the time in the newest id a process minted: grows while nothing is created; below 0, the process's clock is behind its ids.",
          unit: 's',
          signed: true,
          queries: [{ expr: `time() - max by (site, instance) (crashdesk_ids_last_minted_timestamp_seconds${inSite()})`, legend: '{{site}} {{instance}}' }],
        },
      ],
    },
  ],
};
