import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { withAdmin } from './settings.js';

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Count, nearest-rank percentiles and maximum of a sample (NaN when it is empty). */
export function summarize(values: number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length ? sorted[Math.ceil((p / 100) * sorted.length) - 1] : Number.NaN);
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

export const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
export const mib = (bytes: number | undefined): number | undefined =>
  bytes === undefined ? undefined : bytes / 2 ** 20;
/** x / y with two decimals, `n/a` when either side is missing. */
export const ratio = (x: number | undefined, y: number | undefined): string =>
  x === undefined || y === undefined || !y ? 'n/a' : (x / y).toFixed(2);
/** Per round, the ratios monta / bare of the named figures. */
export function printRatios<T>(rounds: [T, T][], named: Record<string, (x: T) => number | undefined>): void {
  for (const [i, [m, b]] of rounds.entries()) {
    console.log(
      `  round ${i + 1}: ${Object.entries(named)
        .map(([name, f]) => `${name} ${ratio(f(m), f(b))}`)
        .join('  ')}`,
    );
  }
}
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

/** The header of every bench: what the figures were measured on, and the load before the run. */
export async function printMachine(adminUrl: string): Promise<void> {
  let commit = 'unavailable';
  try {
    commit = execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trimEnd();
  } catch {
    // not a git checkout
  }
  const postgres = await withAdmin(
    adminUrl,
    async (c) => (await c.query('show server_version')).rows[0].server_version,
  );
  const machine = {
    date: new Date().toISOString(),
    commit,
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unavailable',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total`,
    node: `${process.version}, ${process.platform} ${process.arch}`,
    PostgreSQL: postgres,
    'load average before the run': loadAverage(),
  };
  for (const [key, value] of Object.entries(machine)) console.log(`  ${key}: ${value}`);
}
