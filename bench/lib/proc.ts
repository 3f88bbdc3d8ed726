import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The SWC loader: Nest needs decorator metadata, which tsx does not emit (see swc-register.mjs). */
export const SWC_REGISTER = fileURLToPath(new URL('./swc-register.mjs', import.meta.url));

/** A free TCP port on 127.0.0.1 (closed again before it is handed out). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** The tail of the child's stdout and stderr, shown when something goes wrong. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node --import swc-register.mjs <entry>` with exactly `env` (plus PATH and PORT), and waits until
 * `GET <url><readyPath>` answers 200.
 */
export async function startServer(options: {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
  readyPath: string;
  cwd: string;
  timeoutMs?: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', SWC_REGISTER, options.entry], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const url = `http://127.0.0.1:${options.port}`;
  const handle: ServerProcess = {
    name: options.name,
    url,
    child,
    output: () => tail,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${options.name} exited during start-up:\n${tail}`);
    try {
      const response = await fetch(url + options.readyPath, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return handle;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await handle.stop();
  throw new Error(`${options.name} did not become ready in time:\n${tail}`);
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process so far, in ms (Linux /proc); undefined elsewhere. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process, in bytes (Linux /proc); undefined elsewhere. */
export function processRss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine so far, in ticks (Linux /proc/stat). */
export function machineCpuTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number); // user … steal
    const total = values.reduce((a, b) => a + b, 0);
    const idle = values[3] + values[4]; // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Samples a process while the load runs: peak RSS (every 100 ms), its CPU time, and the machine's
 * overall CPU use over the same window.
 */
export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private cpuStart: number | undefined;
  private machineStart: { busy: number; total: number } | undefined;
  private startedAt = 0;
  peakRss: number | undefined;
  cpuMs: number | undefined;
  /** Share of all cores busy during the window, 0–1. */
  machineBusy: number | undefined;
  wallMs = 0;

  constructor(private readonly pid: number) {}

  start(): void {
    this.peakRss = processRss(this.pid);
    this.cpuStart = processCpuMs(this.pid);
    this.machineStart = machineCpuTicks();
    this.startedAt = performance.now();
    this.timer = setInterval(() => {
      const rss = processRss(this.pid);
      if (rss !== undefined) this.peakRss = Math.max(this.peakRss ?? 0, rss);
    }, 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.wallMs = performance.now() - this.startedAt;
    const cpu = processCpuMs(this.pid);
    this.cpuMs = cpu !== undefined && this.cpuStart !== undefined ? cpu - this.cpuStart : undefined;
    const machine = machineCpuTicks();
    if (machine && this.machineStart) {
      const total = machine.total - this.machineStart.total;
      this.machineBusy = total > 0 ? (machine.busy - this.machineStart.busy) / total : undefined;
    }
  }
}

/** What the figures were measured on. */
export function describeMachine(): Record<string, string> {
  const run = (file: string, args: string[]) => {
    try {
      return execFileSync(file, args, { encoding: 'utf8' }).trimEnd();
    } catch {
      return 'unavailable';
    }
  };
  let cpuModel = 'unavailable';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  return {
    date: new Date().toISOString(),
    nproc: run('nproc', []) || String(availableParallelism()),
    cpu: cpuModel,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total`,
    'free -h': run('free', ['-h']),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}
