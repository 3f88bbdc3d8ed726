import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { withAdmin } from './scratch-database.js';

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(values: number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const max = sorted.length ? sorted[sorted.length - 1] : Number.NaN;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max,
  };
}

export const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
export const mib = (bytes: number | undefined): number | undefined =>
  bytes === undefined ? undefined : bytes / 2 ** 20;
/** x / y with two decimals, `n/a` when either side is missing. */
export const ratio = (x: number | undefined, y: number | undefined): string =>
  x === undefined || y === undefined || !y ? 'n/a' : (x / y).toFixed(2);
export const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

/**
 * A Markdown table with padded columns: readable in a terminal and pasted as is into
 * docs/performance.md. The first `left` columns are text, the rest right-aligned figures.
 */
export function printTable(header: string[], lines: string[][], left = 1): void {
  const widths = header.map((h, i) => Math.max(3, h.length, ...lines.map((l) => l[i].length)));
  const cells = (row: string[]) => row.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i])));
  console.log(`| ${cells(header).join(' | ')} |`);
  console.log(`| ${widths.map((w, i) => (i < left ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`);
  for (const line of lines) console.log(`| ${cells(line).join(' | ')} |`);
}

/** What the figures were measured on. */
function describeMachine(): Record<string, string> {
  const run = (file: string, args: string[]) => {
    try {
      return execFileSync(file, args, { encoding: 'utf8' }).trimEnd();
    } catch {
      return 'unavailable';
    }
  };
  let cpu = 'unavailable';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return {
    date: new Date().toISOString(),
    commit: run('git', ['describe', '--always', '--dirty']),
    nproc: run('nproc', []) || String(availableParallelism()),
    cpu,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total`,
    node: `${process.version}, ${process.platform} ${process.arch}`,
  };
}

/** The header of every bench: machine, commit, PostgreSQL and the load before the run. */
export async function printMachine(adminUrl: string): Promise<void> {
  const postgres = await withAdmin(
    adminUrl,
    async (c) => (await c.query<{ server_version: string }>('show server_version')).rows[0].server_version,
  );
  for (const [key, value] of Object.entries(describeMachine())) console.log(`  ${key}: ${value}`);
  console.log(`  PostgreSQL: ${postgres}\n  load average before the run: ${loadAverage()}`);
}
