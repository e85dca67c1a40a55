import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import type { Sql } from 'postgres';

/** The machine a scenario ran on, read at the scenario's start (the load average moves). */
export function machine(postgresVersion: string): Record<string, string> {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const [one, five, fifteen] = loadavg().map((n) => n.toFixed(2));
  return {
    CPU: `${availableParallelism()} × ${cpuModel}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    'load average at start (1/5/15 min)': `${one} / ${five} / ${fifteen}`,
    Node: process.version,
    PostgreSQL: postgresVersion,
  };
}

export async function postgresFacts(sql: Sql) {
  const [version] = await sql<{ version: string }[]>`select current_setting('server_version') as version`;
  const settings = await sql<{ name: string; setting: string }[]>`
    select name, current_setting(name) as setting from pg_settings
    where name in ('shared_buffers', 'effective_cache_size', 'work_mem', 'fsync', 'synchronous_commit', 'max_wal_size', 'jit')
    order by name`;
  return { version: version?.version ?? 'unknown', settings: Object.fromEntries(settings.map((s) => [s.name, s.setting])) };
}
