/**
 * Rankings (issue 13): latency of GET /timer-api/rankings (top 50 plus the caller's own place) for a
 * local day, an ISO week and a month over BENCH_MEMBERS members (default 100,000) holding a year of
 * sessions, for a caller ranked near the middle (~50,000th), at each BENCH_CONCURRENCY. Prints
 * figures, asserts no timing.
 *
 *   npx tsx bench/rankings.bench.ts
 *
 *  1. a fresh database (migrated, seeded); BENCH_MEMBERS accounts and members; for each member and
 *     each of the BENCH_DAYS local days up to yesterday (DEFAULT_TIMEZONE), with probability
 *     BENCH_STUDY_SHARE, one ended session of 10–180 min at a random time (some cross midnight),
 *     inserted in start_time order with triggers off (the rollup change log is not wanted here);
 *     VACUUM (ANALYZE);
 *  2. the caller: the member in the middle of the last whole month, given a known password;
 *  3. monta-server (src/main.ts, NODE_ENV=production, its default RANKING_SNAPSHOT_SECONDS unless set);
 *  4. per period (the last whole day, ISO week and month): the first request (it builds the snapshot: every member's total from the records)
 *     timed on its own and checked against an independent SQL sum for the caller; then load runs.
 *
 * Settings: BENCH_MEMBERS (100000), BENCH_DAYS (365), BENCH_STUDY_SHARE (0.2), BENCH_SECONDS (10),
 * BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY (1,16), BENCH_ADMIN_URL (loopback PostgreSQL),
 * RANKING_SNAPSHOT_SECONDS (passed to the server when set).
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { hashPassword } from '../src/auth/password.service.js';
import { loadConfig } from '../src/config/config.js';
import { periodOf, type Period } from '../src/rankings/periods.js';
import { addDays, localDate } from '../src/common/local-days.js';
import { cleanUp, cleanups, watchdog } from './lib/cleanup.js';
import { HttpClient } from './lib/iterations.js';
import { runLoad } from './lib/load.js';
import { freePort, processRss, startServer } from './lib/proc.js';
import { createScratchDatabase } from './lib/scratch-database.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = (name: string, fallback: string) => process.env[name]?.trim() || fallback;
const settings = {
  members: Number(env('BENCH_MEMBERS', '100000')),
  days: Number(env('BENCH_DAYS', '365')),
  share: Number(env('BENCH_STUDY_SHARE', '0.2')),
  seconds: Number(env('BENCH_SECONDS', '10')),
  warmupSeconds: Number(env('BENCH_WARMUP_SECONDS', '3')),
  concurrencies: env('BENCH_CONCURRENCY', '1,16').split(',').map(Number),
  adminUrl: env('BENCH_ADMIN_URL', 'postgres://postgres@127.0.0.1:5432/postgres'),
};
for (const [name, value] of Object.entries(settings)) {
  if (typeof value === 'number' && !(Number.isFinite(value) && value > 0)) throw new Error(`bad ${name}: ${value}`);
}
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(settings.adminUrl).hostname)) {
  throw new Error('BENCH_ADMIN_URL must point at a loopback address');
}
const TZ = loadConfig({}).DEFAULT_TIMEZONE;
const PASSWORD = 'bench-password-1234';
const API = '/timer-api';
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);
const stop = watchdog(1800);

async function load(client: pg.Client, yesterday: string): Promise<void> {
  const t0 = performance.now();
  await client.query(`set work_mem = '256MB'`);
  await client.query(`set maintenance_work_mem = '512MB'`);
  await client.query(`select setseed(0.13)`);
  await client.query(
    `insert into account (email, password, provider, role_id)
     select format('rank-%s@example.com', lpad(i::text, 6, '0')), null, 'email', 2 from generate_series(1, $1::int) i`,
    [settings.members],
  );
  await client.query(
    `insert into member (account_id, nickname, image_url, status_message, point)
     select account_id, split_part(email, '@', 1), '', '', 0 from account where email like 'rank-%' order by email`,
  );
  await client.query(`insert into study_streak (member_id) select member_id from member where nickname like 'rank-%'`);
  console.log(`  ${settings.members} accounts and members: ${seconds(t0)} s`);
  const t1 = performance.now();
  // Triggers off: no rollup change log (and no FK checks) for a bulk load the rankings read raw anyway.
  await client.query(`set session_replication_role = replica`);
  const inserted = await client.query(
    `insert into study_record (member_id, start_time, end_time, status)
     select member_id, start_time, start_time + make_interval(mins => minutes), 'Completed'
     from (
       select m.member_id, 10 + floor(random() * 171)::int as minutes,
              (d::timestamp at time zone $3) + make_interval(secs => floor(random() * 86400)) as start_time
       from member m
       cross join generate_series($1::date - ($2::int - 1), $1::date, interval '1 day') d
       where m.nickname like 'rank-%' and random() < $4
       offset 0
     ) s
     order by start_time`,
    [yesterday, settings.days, TZ, settings.share],
  );
  await client.query(`set session_replication_role = origin`);
  console.log(`  ${inserted.rowCount} study records: ${seconds(t1)} s`);
  const t2 = performance.now();
  await client.query('vacuum (analyze) study_record');
  await client.query('vacuum (analyze) member');
  console.log(`  VACUUM (ANALYZE): ${seconds(t2)} s`);
}

/** Every member's total over [from, to] as the rankings count it (an independent, simpler SQL). */
async function exactTotals(client: pg.Client, from: string, to: string): Promise<Map<string, number>> {
  // Day by day: the sessions overlapping each local day, cut to it, floored per member and day.
  const r = await client.query<{ member_id: string; seconds: string }>(
    `select member_id, sum(s)::bigint as seconds from (
       select r.member_id, floor(sum(extract(epoch from least(r.end_time, g.hi) - greatest(r.start_time, g.lo)))) s
       from (select (d::timestamp at time zone $3) lo, ((d + interval '1 day')::timestamp at time zone $3) hi
             from generate_series($1::date, $2::date, interval '1 day') d) g
       join study_record r on r.start_time < g.hi and r.end_time > g.lo and r.start_time > g.lo - interval '48 hours'
       where r.deleted_at is null
       group by r.member_id, g.lo) t
     group by member_id having sum(s) > 0`,
    [from, to, TZ],
  );
  return new Map(r.rows.map((x) => [x.member_id, Number(x.seconds)]));
}

async function main(): Promise<void> {
  console.log(`Rankings bench: ${JSON.stringify(settings)}, zone ${TZ}, load average ${loadavg()[0]!.toFixed(2)}`);
  const yesterday = addDays(localDate(new Date(), TZ), -1);
  const database = await createScratchDatabase(settings.adminUrl, 'monta_rank_bench');
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  cleanups.push(() => client.end());
  await load(client, yesterday);

  // The last whole day, ISO week and month before today.
  const dates: Record<Period, string> = {
    day: yesterday,
    week: addDays(periodOf('week', addDays(yesterday, 1)).start, -1),
    month: addDays(periodOf('month', addDays(yesterday, 1)).start, -1),
  };
  const exact = new Map<Period, Map<string, number>>();
  for (const period of ['day', 'week', 'month'] as Period[]) {
    const range = periodOf(period, dates[period]);
    exact.set(period, await exactTotals(client, range.start, range.end));
  }
  // From the middle of the month's ranking, the first member who studied in the day and week too.
  const sorted = [...exact.get('month')!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const middle = Math.floor(sorted.length / 2);
  const callerId = sorted
    .slice(middle)
    .map(([id]) => id)
    .find((id) => exact.get('day')!.has(id) && exact.get('week')!.has(id))!;
  const caller = await client.query<{ email: string }>(
    `update account a set password = $1 from member m where m.account_id = a.account_id and m.member_id = $2 returning a.email`,
    [await hashPassword(PASSWORD), callerId],
  );
  const email = caller.rows[0]!.email;

  const many = '1000000000';
  const server = await startServer({
    name: 'monta',
    entry: 'src/main.ts',
    cwd: ROOT,
    port: await freePort(),
    readyPath: '/health/live',
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'false',
      JOBS_ENABLED: 'false',
      RATE_LIMIT_LOGIN_PER_IP: many,
      RATE_LIMIT_LOGIN_PER_ACCOUNT: many,
      AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
      AUTH_JWT_TOKEN_EXPIRES_IN: '3600',
      ...(process.env.RANKING_SNAPSHOT_SECONDS
        ? { RANKING_SNAPSHOT_SECONDS: process.env.RANKING_SNAPSHOT_SECONDS }
        : {}),
    },
  });
  cleanups.push(() => server.stop());
  const http = new HttpClient(server.url, 4);
  cleanups.push(async () => http.close());
  const login = await http.call('POST', `${API}/auth/email/login`, {
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const token = (JSON.parse(login.text) as { data: { access_token: string } }).data.access_token;
  const headers = { authorization: `Bearer ${token}` };

  const rows: string[] = [];
  for (const period of ['day', 'week', 'month'] as Period[]) {
    const range = periodOf(period, dates[period]);
    const path = `${API}/rankings?period=${period}&date=${dates[period]}&limit=50`;
    const t0 = performance.now();
    const first = await http.call('GET', path, { token });
    const buildMs = performance.now() - t0;
    if (first.status !== 200) throw new Error(`${path}: ${first.status} ${first.text}`);
    const data = (JSON.parse(first.text) as { data: { total: number; me: { rank: number; seconds: number } } }).data;
    const totals = exact.get(period)!;
    const mine = totals.get(callerId) ?? 0;
    const rank = 1 + [...totals.values()].filter((s) => s > mine).length;
    const ok = data.total === totals.size && data.me?.seconds === mine && data.me.rank === rank;
    console.log(
      `\n${period} ${range.start}..${range.end}: first request (builds the snapshot) ${buildMs.toFixed(0)} ms; ` +
        `total ${data.total}, me ${JSON.stringify(data.me)}; independent SQL ${ok ? 'agrees' : 'DISAGREES'}`,
    );
    if (!ok) throw new Error(`wrong answer: expected total ${totals.size}, me rank ${rank} seconds ${mine}`);
    for (const concurrency of settings.concurrencies) {
      const r = await runLoad({
        baseUrl: server.url,
        method: 'GET',
        path,
        headers,
        expectStatus: 200,
        concurrency,
        warmupSeconds: settings.warmupSeconds,
        seconds: settings.seconds,
      });
      const line = `| ${period} | ${concurrency} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${r.errors} |`;
      console.log(line);
      rows.push(line);
    }
  }
  console.log(`\nmonta-server RSS ${((processRss(server.child.pid ?? 0) ?? 0) / 2 ** 20).toFixed(0)} MiB`);
  console.log('\n| period | concurrency | req/s | p50 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
  console.log(`load average at the end ${loadavg()[0]!.toFixed(2)}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    clearTimeout(stop);
    await cleanUp();
  });
