import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

// Where the CPU goes during a scenario, read from /proc: the site's Node process, every PostgreSQL
// process (postmaster, backends, background workers) and this process (autocannon or the floor).

let ticksPerSecond: number | undefined;
const clockTicks = () => (ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

interface ProcStat {
  readonly ppid: number;
  readonly cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name can hold spaces and parentheses; the fields after its last ")" cannot.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // From "state" (field 3): ppid is field 4, utime 14, stime 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { ppid: Number(fields[1]), cpuMs: (ticks * 1000) / clockTicks() };
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** CPU ms per pid of the process and its direct children (PostgreSQL forks every process from the postmaster). */
function treeCpu(rootPid: number): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = readStat(pid);
    if (stat && (pid === rootPid || stat.ppid === rootPid)) cpu.set(pid, stat.cpuMs);
  }
  return cpu;
}

export interface CpuSnapshot {
  readonly site: number;
  readonly postgres: Map<number, number>;
  readonly self: number;
  readonly at: number;
}

export interface CpuUse {
  /** CPU milliseconds spent during the interval. */
  readonly siteMs: number;
  readonly postgresMs: number;
  readonly loadGeneratorMs: number;
  readonly wallMs: number;
  /** One-minute load average at the end of the interval. */
  readonly loadAverage: number;
}

export function createCpuMeter(pids: { readonly site: number | readonly number[]; readonly postmaster: number }) {
  const sitePids = typeof pids.site === 'number' ? [pids.site] : pids.site;
  const selfMs = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  return {
    snapshot(): CpuSnapshot {
      return {
        site: sitePids.reduce((sum, pid) => sum + (readStat(pid)?.cpuMs ?? 0), 0),
        postgres: treeCpu(pids.postmaster),
        self: selfMs(),
        at: performance.now(),
      };
    },
    since(before: CpuSnapshot): CpuUse {
      const after = this.snapshot();
      let postgresMs = 0;
      // Backends that started during the interval count from zero; ones that ended are lost (pools keep theirs open).
      for (const [pid, ms] of after.postgres) postgresMs += ms - (before.postgres.get(pid) ?? 0);
      return {
        siteMs: after.site - before.site,
        postgresMs,
        loadGeneratorMs: after.self - before.self,
        wallMs: after.at - before.at,
        loadAverage: loadavg()[0] ?? Number.NaN,
      };
    },
  };
}

export type CpuMeter = ReturnType<typeof createCpuMeter>;
