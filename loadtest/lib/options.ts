import { readFileSync } from 'node:fs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Load is only ever sent to this machine. */
export function loopbackUrl(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${what}: not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:') throw new Error(`${what}: expected http://, got ${url.protocol}`);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`${what} must be a loopback address, not ${url.hostname}`);
  return url.origin;
}

export function intOption(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function intList(raw: string | undefined, name: string, fallback: number[], min: number, max: number): number[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((part) => intOption(part.trim(), name, Number.NaN, min, max));
}

/** The soft limit on open files of this process (Linux), or undefined. */
export function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * Node cannot raise its own file limit, so a run that needs more descriptors than allowed stops
 * before it starts, saying what to do. Child processes inherit the same limit.
 */
export function requireOpenFiles(needed: number): void {
  const limit = openFileLimit();
  if (limit !== undefined && limit < needed) {
    throw new Error(
      `this run needs about ${needed} open files but the limit (ulimit -n) is ${limit}; ` +
        `raise it in the shell first, e.g. \`ulimit -n 65536\` (up to the hard limit, \`ulimit -Hn\`)`,
    );
  }
}
