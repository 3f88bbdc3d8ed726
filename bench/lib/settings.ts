import pg from 'pg';

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** Load and scratch databases stay on this machine. */
export function requireLoopback(url: string, name: string): string {
  const host = new URL(url).hostname;
  if (!LOOPBACK.includes(host)) throw new Error(`${name} must point at a loopback address, not ${host}`);
  return url;
}

function intOf(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** An integer from the environment, within [min, max]. */
export const intSetting = (name: string, fallback: number, min: number, max: number): number =>
  intOf(name, process.env[name], fallback, min, max);

/** A comma-separated list of integers from the environment, e.g. BENCH_CONCURRENCY=1,16. */
export function intListSetting(name: string, fallback: number[], min: number, max: number): number[] {
  const raw = process.env[name]?.trim();
  return raw ? raw.split(',').map((part) => intOf(name, part, Number.NaN, min, max)) : fallback;
}

/** The PostgreSQL server every bench makes its scratch database on (BENCH_ADMIN_URL). */
export const ADMIN_URL = requireLoopback(
  process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  'BENCH_ADMIN_URL',
);

/** One short session on the administrative database (create and drop databases, read versions). */
export async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
