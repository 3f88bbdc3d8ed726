import { readdirSync, readFileSync } from 'node:fs';

/** A /proc file, or '' (not Linux, or the process is gone). */
function proc(path: string): string {
  try {
    return readFileSync(`/proc/${path}`, 'utf8');
  } catch {
    return '';
  }
}

/** User + system CPU time of a process (all its threads) so far, in ms, from /proc/<pid>/stat. */
function processCpuMs(pid: number): number | undefined {
  const stat = proc(`${pid}/stat`);
  // utime and stime are fields 14 and 15, counted after the command name (in parentheses, may hold
  // spaces), in clock ticks of 10 ms (USER_HZ is 100 on every Linux that Node runs on).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return stat ? (Number(fields[11]) + Number(fields[12])) * 10 : undefined;
}

/** Resident set size of a process, in bytes. */
function processRss(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(proc(`${pid}/status`));
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Busy and total CPU time of the whole machine so far, in ticks (/proc/stat). */
function machineCpuTicks(): { busy: number; total: number } | undefined {
  const values = proc('stat').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number); // user … steal
  const total = values.reduce((a, b) => a + b, 0);
  return values.length === 8 ? { busy: total - values[3] - values[4], total } : undefined; // less idle and iowait
}

/**
 * Time a process's main thread spent on a CPU and waiting in the run queue for one, in ms, from
 * /proc/<pid>/schedstat (nanosecond resolution, unlike /proc/<pid>/stat's clock ticks). The wait
 * tells how contended the machine was for that process.
 */
export function schedTimes(pid: number): { cpuMs: number; waitMs: number } | undefined {
  const [cpu, wait] = proc(`${pid}/schedstat`).trim().split(/\s+/).map(Number);
  return Number.isFinite(cpu) && Number.isFinite(wait) ? { cpuMs: cpu / 1e6, waitMs: wait / 1e6 } : undefined;
}

export interface ProcessFigures {
  peakRss?: number;
  cpuMs?: number;
  /** Share of all cores busy during the window, 0–1. */
  machineBusy?: number;
}

/**
 * Samples a process from now on: its peak RSS (every 100 ms), its CPU time, and the machine's overall
 * CPU use over the same window. Calling the returned function ends the window.
 */
export function sampleProcess(pid: number): () => ProcessFigures {
  const [cpuStart, machineStart] = [processCpuMs(pid), machineCpuTicks()];
  let peakRss = processRss(pid);
  const timer = setInterval(() => (peakRss = Math.max(peakRss ?? 0, processRss(pid) ?? 0)), 100);
  return () => {
    clearInterval(timer);
    const [cpu, machine] = [processCpuMs(pid), machineCpuTicks()];
    const total = machine && machineStart ? machine.total - machineStart.total : 0;
    return {
      peakRss,
      cpuMs: cpu !== undefined && cpuStart !== undefined ? cpu - cpuStart : undefined,
      machineBusy: total > 0 ? (machine!.busy - machineStart!.busy) / total : undefined,
    };
  };
}

/**
 * CPU time of the PostgreSQL backends of database `name` (process title `postgres: <cluster>: <user>
 * <database> …`) from now on but `exclude` (e.g. the bench's own connection): the query work that a
 * server's requests caused, next to the server's own CPU time. Backends that close inside the window
 * lose their share. Calling the returned function ends the window; undefined without local backends.
 */
export function sampleBackends(database: { name: string; exclude?: ReadonlySet<number> }): () => number | undefined {
  const snapshot = () => {
    const cpu = new Map<number, number>();
    for (const entry of process.platform === 'linux' ? readdirSync('/proc') : []) {
      const [pid, title] = [Number(entry), proc(`${entry}/cmdline`).replaceAll('\0', ' ')];
      const ms = title.startsWith('postgres:') && title.includes(` ${database.name} `) ? processCpuMs(pid) : undefined;
      if (ms !== undefined && !database.exclude?.has(pid)) cpu.set(pid, ms);
    }
    return cpu;
  };
  const before = snapshot();
  return () => {
    const after = snapshot();
    if (after.size === 0 && before.size === 0) return undefined;
    return [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);
  };
}
