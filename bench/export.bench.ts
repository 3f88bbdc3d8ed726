/**
 * Export memory (issue 14): the server's resident memory while it streams one member's export, for
 * 2,000 and for 200,000 study records (and as many Reward transactions), JSON and CSV, against the
 * server idle. Prints figures; never asserts timing. Results go to the notes / docs/performance.md.
 *
 *   npx tsx bench/export.bench.ts
 *
 *  1. creates a fresh database `monta_bench_export_<random>` (migrated, seeded), dropped at the end;
 *  2. starts monta-server (src/main.ts, unchanged; SWC loader; NODE_ENV=production, LOG_LEVEL=silent);
 *  3. registers two members through the API and gives them BENCH_SMALL and BENCH_LARGE ended sessions
 *     plus one Reward transaction each (`insert … select … generate_series`), then VACUUM (ANALYZE);
 *  4. samples the server's RSS (/proc, every 10 ms) while idle for 2 s, then during each export,
 *     which the bench reads to the end as a client would (bytes counted, not kept);
 *  5. prints bytes, seconds, and the server's RSS before, at its peak and the peak's rise, per export.
 *
 * Settings: BENCH_SMALL (2000), BENCH_LARGE (200000), BENCH_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_NODE_FLAGS (none; e.g. `--max-old-space-size=96`: a V8 heap smaller than the 80 MB file, which an
 * export that held its file would not survive).
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { cleanUp, cleanups, watchdog } from './lib/cleanup.js';
import { freePort, processRss, startServer } from './lib/proc.js';
import { createScratchDatabase } from './lib/scratch-database.js';

const SMALL = Number(process.env.BENCH_SMALL ?? 2000);
const LARGE = Number(process.env.BENCH_LARGE ?? 200_000);
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Samples a process's RSS every 10 ms until stopped; reports the first and the highest sample. */
function sampleRss(pid: number) {
  let peak = 0;
  const first = processRss(pid) ?? 0;
  const timer = setInterval(() => {
    const rss = processRss(pid);
    if (rss !== undefined && rss > peak) peak = rss;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return { first, peak: Math.max(peak, first) };
    },
  };
}

async function register(url: string) {
  const email = `export.${randomBytes(4).toString('hex')}@bench.test`;
  const r = await fetch(`${url}/timer-api/auth/email/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'bench-password-1' }),
  });
  const token = ((await r.json()) as { data: { access_token: string } }).data.access_token;
  const me = await fetch(`${url}/timer-api/members/me`, { headers: { authorization: `Bearer ${token}` } });
  const memberId = ((await me.json()) as { data: { member: { member_id: string } } }).data.member.member_id;
  return { token, memberId };
}

async function main(): Promise<void> {
  watchdog(900);
  console.log(`server node flags: ${NODE_FLAGS.join(' ') || '(none)'}`);
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const database = await createScratchDatabase(ADMIN_URL, 'monta_bench_export');
  const port = await freePort();
  const server = await startServer({
    name: 'monta-server',
    entry: 'src/main.ts',
    port,
    cwd: ROOT,
    readyPath: '/health/ready',
    nodeFlags: NODE_FLAGS,
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
      AUTH_REFRESH_SECRET: randomBytes(32).toString('base64url'),
      RATE_LIMIT_REGISTER_PER_IP: '1000000',
      RATE_LIMIT_EXPORT_PER_ACCOUNT: '1000000',
      JOBS_ENABLED: 'false',
    },
  });
  cleanups.push(() => server.stop());
  const pid = server.child.pid!;

  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  cleanups.push(() => db.end());
  const members: Record<string, { token: string; memberId: string; records: number }> = {};
  for (const [name, records] of [
    ['small', SMALL],
    ['large', LARGE],
  ] as const) {
    const m = await register(server.url);
    const started = performance.now();
    await db.query(
      `insert into study_record (member_id, start_time, end_time, status, source)
       select $1, t, t + interval '25 minutes', 'Completed', 'timer'
         from (select timestamptz '2000-01-01T00:00:00Z' + n * interval '1 hour' t from generate_series(1, $2::int) n) s`,
      [m.memberId, records],
    );
    await db.query(
      `insert into transaction_record (member_id, transaction_type, amount, count, balance_after_transaction, notes)
       select $1, 'Reward', 225, 25, 500 + n * 225, '공부 25분 보상' from generate_series(1, $2::int) n`,
      [m.memberId, records],
    );
    console.log(
      `loaded ${records} records + transactions for "${name}" in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    members[name] = { ...m, records };
  }
  await db.query('vacuum (analyze) study_record, transaction_record');

  const idle = sampleRss(pid);
  await sleep(2000);
  const idleRss = idle.stop();
  const rows: string[][] = [['export', 'records', 'bytes', 'seconds', 'RSS before (MB)', 'peak RSS (MB)', 'rise (MB)']];
  rows.push(['(idle, 2 s)', '-', '-', '-', MB(idleRss.first), MB(idleRss.peak), MB(idleRss.peak - idleRss.first)]);
  for (const [name, format] of [
    ['small', 'json'],
    ['small', 'csv'],
    ['large', 'json'],
    ['large', 'csv'],
  ] as const) {
    const m = members[name]!;
    const sampler = sampleRss(pid);
    const started = performance.now();
    const response = await fetch(`${server.url}/timer-api/members/${m.memberId}/export?format=${format}`, {
      headers: { authorization: `Bearer ${m.token}` },
    });
    if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
    let bytes = 0;
    for await (const chunk of response.body!) bytes += (chunk as Uint8Array).byteLength;
    const seconds = (performance.now() - started) / 1000;
    const rss = sampler.stop();
    rows.push([
      `${name} ${format}`,
      String(m.records),
      String(bytes),
      seconds.toFixed(2),
      MB(rss.first),
      MB(rss.peak),
      MB(rss.peak - rss.first),
    ]);
    await sleep(500);
  }
  console.log('');
  console.log(`| ${rows[0]!.join(' | ')} |`);
  console.log(`|${rows[0]!.map(() => '---').join('|')}|`);
  for (const row of rows.slice(1)) console.log(`| ${row.join(' | ')} |`);
  console.log(
    `\nload average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
