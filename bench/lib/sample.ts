import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Reads a /proc file, or undefined (not Linux, or the process is gone). */
function proc(path: string): string | undefined {
  try {
    return readFileSync(`/proc/${path}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process so far, in ms (Linux /proc); undefined elsewhere. */
function processCpuMs(pid: number): number | undefined {
  const stat = proc(`${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the command name, which is in parentheses and may contain spaces: utime, stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Resident set size of a process, in bytes (Linux /proc); undefined elsewhere. */
function processRss(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(proc(`${pid}/status`) ?? '');
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Busy and total CPU time of the whole machine so far, in ticks (/proc/stat). */
function machineCpuTicks(): { busy: number; total: number } | undefined {
  const line = proc('stat')?.split('\n')[0];
  if (!line) return undefined;
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number); // user … steal
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - values[3] - values[4], total }; // less idle and iowait
}

/**
 * Time a process's main thread spent on a CPU and waiting in the run queue for one, in ms, from
 * /proc/<pid>/schedstat (nanosecond resolution, unlike /proc/<pid>/stat's clock ticks). The wait
 * tells how contended the machine was for that process.
 */
export function schedTimes(pid: number): { cpuMs: number; waitMs: number } | undefined {
  const [cpu, wait] = (proc(`${pid}/schedstat`) ?? '').trim().split(/\s+/).map(Number);
  return Number.isFinite(cpu) && Number.isFinite(wait) ? { cpuMs: cpu / 1e6, waitMs: wait / 1e6 } : undefined;
}

/**
 * Samples a process over a window: peak RSS (every `everyMs`), its CPU time, and the machine's
 * overall CPU use over the same window.
 */
export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private cpuStart: number | undefined;
  private machineStart: { busy: number; total: number } | undefined;
  private startedAt = 0;
  rssAtStart: number | undefined;
  peakRss: number | undefined;
  cpuMs: number | undefined;
  /** Share of all cores busy during the window, 0–1. */
  machineBusy: number | undefined;
  wallMs = 0;

  constructor(
    private readonly pid: number,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.rssAtStart = this.peakRss = processRss(this.pid);
    this.cpuStart = processCpuMs(this.pid);
    this.machineStart = machineCpuTicks();
    this.startedAt = performance.now();
    this.timer = setInterval(() => {
      this.peakRss = Math.max(this.peakRss ?? 0, processRss(this.pid) ?? 0);
    }, this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.wallMs = performance.now() - this.startedAt;
    const cpu = processCpuMs(this.pid);
    this.cpuMs = cpu !== undefined && this.cpuStart !== undefined ? cpu - this.cpuStart : undefined;
    const machine = machineCpuTicks();
    const total = machine && this.machineStart ? machine.total - this.machineStart.total : 0;
    this.machineBusy = machine && total > 0 ? (machine.busy - this.machineStart!.busy) / total : undefined;
  }
}

/**
 * PIDs of the PostgreSQL backends connected to `database` on this machine: their process title is
 * `postgres: <cluster>: <user> <database> <client> <state>`. Empty without a local server and /proc.
 */
function backendPids(database: string): number[] {
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    // not Linux
  }
  return entries
    .filter((pid) => {
      const title = proc(`${pid}/cmdline`)?.replace(/\0/g, ' ') ?? '';
      return title.startsWith('postgres:') && title.includes(` ${database} `);
    })
    .map(Number);
}

/**
 * CPU time spent by the PostgreSQL backends of one database over a window: the query work that a
 * server's requests caused, next to the server's own CPU time. Backends that close inside the
 * window lose their share, and `exclude` (e.g. the bench's own connection) is left out.
 */
export class BackendSampler {
  private before = new Map<number, number>();
  cpuMs: number | undefined;

  constructor(
    private readonly database: string,
    private readonly exclude: ReadonlySet<number> = new Set(),
  ) {}

  private snapshot(): Map<number, number> {
    const cpu = new Map<number, number>();
    for (const pid of backendPids(this.database)) {
      const ms = this.exclude.has(pid) ? undefined : processCpuMs(pid);
      if (ms !== undefined) cpu.set(pid, ms);
    }
    return cpu;
  }

  start(): void {
    this.before = this.snapshot();
  }

  stop(): void {
    const after = this.snapshot();
    this.cpuMs = undefined;
    if (after.size === 0 && this.before.size === 0) return;
    this.cpuMs = [...after].reduce((sum, [pid, ms]) => sum + ms - (this.before.get(pid) ?? 0), 0);
  }
}
