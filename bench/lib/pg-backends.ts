import { readdirSync, readFileSync } from 'node:fs';
import { processCpuMs } from './proc.js';

/**
 * PIDs of the PostgreSQL backends connected to `database` on this machine (Linux /proc): their
 * process title is `postgres: <cluster>: <user> <database> <client> <state>`. Needs the server on
 * the same machine and a readable /proc; empty otherwise.
 */
export function backendPids(database: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (title.startsWith('postgres:') && title.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/**
 * CPU time spent by the PostgreSQL backends of one database over a window: the query work that a
 * server's requests caused, next to the server's own CPU time. Backends that close inside the
 * window lose their share, and `exclude` (e.g. the bench's own connection) is left out.
 */
export class BackendSampler {
  private before = new Map<number, number>();
  cpuMs: number | undefined;
  backends = 0;

  constructor(
    private readonly database: string,
    private readonly exclude: ReadonlySet<number> = new Set(),
  ) {}

  private snapshot(): Map<number, number> {
    const cpu = new Map<number, number>();
    for (const pid of backendPids(this.database)) {
      if (this.exclude.has(pid)) continue;
      const ms = processCpuMs(pid);
      if (ms !== undefined) cpu.set(pid, ms);
    }
    return cpu;
  }

  start(): void {
    this.before = this.snapshot();
  }

  stop(): void {
    const after = this.snapshot();
    if (after.size === 0 && this.before.size === 0) {
      this.cpuMs = undefined;
      return;
    }
    let total = 0;
    for (const [pid, ms] of after) total += ms - (this.before.get(pid) ?? 0);
    this.cpuMs = total;
    this.backends = after.size;
  }
}

/**
 * Time a process's main thread spent on a CPU and waiting in the run queue for one, in ms, from
 * /proc/<pid>/schedstat (nanosecond resolution, unlike /proc/<pid>/stat's clock ticks). The wait
 * tells how contended the machine was for that process.
 */
export function schedTimes(pid: number): { cpuMs: number; waitMs: number } | undefined {
  try {
    const [cpu, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    if (!Number.isFinite(cpu) || !Number.isFinite(wait)) return undefined;
    return { cpuMs: cpu / 1e6, waitMs: wait / 1e6 };
  } catch {
    return undefined;
  }
}
