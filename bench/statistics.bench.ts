/**
 * Statistics on raw records against rollups (issue 10), side by side in one run, on real PostgreSQL
 * holding BENCH_MEMBERS × BENCH_RECORDS_PER_MEMBER ended sessions (default 1,000 × 1,000 over two
 * years). Prints figures, never asserts timing; results go to docs/performance.md.
 *
 *   npx tsx bench/statistics.bench.ts
 *
 * It creates a scratch database (dropped at the end, also on failure), loads the sessions
 * deterministically (setseed; one session at a random place in each of a member's equal slots, so
 * some cross local midnight; rows inserted in start_time order across members, as a live service
 * writes them), starts monta-server (src/main.ts, JOBS_ENABLED=false) and logs the first member in.
 * Then, for that member's daily (latest day), monthly (last month) and one-year heat-map answers:
 *  1. raw: each route loaded (autocannon) at each BENCH_CONCURRENCY, with monta-server's and the
 *     database backends' CPU over the measured window; and the route's own SQL (captured from
 *     StatisticsRepository) run BENCH_STATEMENT_RUNS times on the bench's connection, timed by that
 *     backend's CPU (/proc/<pid>/schedstat), which holds on a busy machine where wall clocks do not;
 *  2. the jobs, timed: a full backfill up to the day before yesterday, the monthly job, the daily
 *     job for one day (yesterday); then VACUUM (ANALYZE) of the rollup tables;
 *  3. rollups: the three answers must be byte-identical to the raw ones; the same loads, and the
 *     RollupReader's named prepared statements timed the same way, with the heat-map's plan.
 *
 * Settings (environment): BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY (1,16),
 * BENCH_STATEMENT_RUNS (200), BENCH_MEMBERS (1000), BENCH_RECORDS_PER_MEMBER (1000), BENCH_DAYS (730),
 * BENCH_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres, loopback only).
 */
import { performance } from 'node:perf_hooks';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { addDays, localDate } from '../src/common/local-days.js';
import { loadConfig } from '../src/config/config.js';
import type { Database, Db } from '../src/database/client.js';
import { openJobDatabase } from '../src/stat-jobs/job-database.js';
import { StatJobs } from '../src/stat-jobs/stat-jobs.js';
import { RollupReader } from '../src/statistics/rollup-reader.js';
import { StatisticsRepository } from '../src/statistics/statistics.repository.js';
import { cleanups, runBench } from './lib/cleanup.js';
import { httpClient, type Measured, measure } from './lib/http.js';
import { API, insertMembers, logIn } from './lib/members.js';
import { startMonta } from './lib/proc.js';
import { fixed, loadAverage, printTable, ratio } from './lib/report.js';
import { schedTimes } from './lib/sample.js';
import { setUp } from './lib/scratch-database.js';
import { intListSetting, intSetting } from './lib/settings.js';

const settings = {
  seconds: intSetting('BENCH_SECONDS', 10, 1, 600),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 3, 0, 120),
  concurrencies: intListSetting('BENCH_CONCURRENCY', [1, 16], 1, 1024),
  statementRuns: intSetting('BENCH_STATEMENT_RUNS', 200, 1, 100_000),
  members: intSetting('BENCH_MEMBERS', 1000, 1, 1_000_000),
  recordsPerMember: intSetting('BENCH_RECORDS_PER_MEMBER', 1000, 1, 100_000),
  days: intSetting('BENCH_DAYS', 730, 2, 36_500),
};
const slotSeconds = Math.floor((settings.days * 86_400) / settings.recordsPerMember);
if (slotSeconds < 7_200) throw new Error('BENCH_DAYS × 86400 / BENCH_RECORDS_PER_MEMBER must leave 2 h per session');

const TZ = loadConfig({}).DEFAULT_TIMEZONE;

/** The members (the first is measured) and their sessions; returns the first member. */
async function loadData(client: pg.Client, today: string) {
  await client.query(`set work_mem = '256MB'`);
  await client.query(`select setseed(0.42)`);
  const members = await insertMembers(client, 'bench', settings.members);
  await client.query(
    `insert into study_category (member_id, subject, color)
     select member_id, 'Bench', '#3366cc' from member where nickname like 'bench-%' order by nickname`,
  );
  // Slot k of a member is [k·slot, (k+1)·slot) s after the window start; `offset 0` draws random() once a row.
  await client.query(
    `insert into study_record (member_id, study_category_id, start_time, end_time, status)
     select member_id, category_id, start_time, start_time + make_interval(secs => duration), status
     from (
       select member_id, category_id, status, duration,
              (($1::date - $2::int)::timestamp at time zone $3)
                + make_interval(secs => k * $4::int + floor(r_offset * ($4::int - duration + 1))) as start_time
       from (
         select m.member_id, case when random() < 0.5 then c.study_category_id end as category_id,
                case when random() < 0.9 then 'Completed' else 'Incompleted' end as status,
                600 + floor(random() * 6601)::int as duration, random() as r_offset, k
         from member m join study_category c on c.member_id = m.member_id
         cross join generate_series(0, $5::int - 1) as k
         where m.nickname like 'bench-%'
         offset 0
       ) drawn
     ) placed
     order by start_time`,
    [today, settings.days, TZ, slotSeconds, settings.recordsPerMember],
  );
  await client.query('vacuum (analyze) study_record');
  await client.query('analyze account, member, study_category, study_streak');
  return members[0]!;
}

type Route = 'daily' | 'monthly' | 'heatMap';
const ROUTES: Route[] = ['daily', 'monthly', 'heatMap'];
/** Each load: a route at a concurrency, in the order of the table's rows. */
const LOADS = ROUTES.flatMap((route) => settings.concurrencies.map((concurrency) => ({ route, concurrency })));
type Statement = { name?: string; text: string; params: unknown[] };

/** The last SQL each answer sends: raw through drizzle's logger, rollups through executePrepared. */
async function captureStatements(url: string, member: string, ranges: Record<Route, string[]>, rollups: boolean) {
  const seen: Statement[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const db = drizzle(pool, { logger: { logQuery: (text, params) => seen.push({ text, params }) } });
  const executePrepared = async (name: string, text: string, params: unknown[]) => {
    seen.push({ name, text, params });
    return pool.query({ name, text, values: params });
  };
  const database = { db: db as unknown as Db, kind: 'postgres', executePrepared } as unknown as Database;
  const reader = rollups ? new RollupReader(database, { DEFAULT_TIMEZONE: TZ } as never) : undefined;
  const raw = new StatisticsRepository(database);
  const statements = {} as Record<Route, Statement>;
  try {
    for (const route of ROUTES) {
      const [from, to] = ranges[route] as [string, string];
      seen.length = 0;
      if (!reader) await raw.dayTotals(member, from, to, TZ);
      else if (route === 'monthly') await reader.exactMonth(member, from, to, TZ);
      else await reader.dayTotals(member, from, to, TZ);
      statements[route] = seen.at(-1)!;
    }
    return statements;
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const { members, recordsPerMember, days, seconds, warmupSeconds, concurrencies, statementRuns } = settings;
  const t0 = performance.now();
  const { database, client } = await setUp(
    `${members} members × ${recordsPerMember} sessions over ${days} days, ${statementRuns} runs per statement, ` +
      `${warmupSeconds} s warm-up + ${seconds} s measured per load, concurrency ${concurrencies.join(', ')}`,
  );
  const today = localDate(new Date(), TZ);
  const lastMonthDay = addDays(`${today.slice(0, 8)}01`, -1);
  const first = await loadData(client, today);
  const latest = await client.query<{ day: string }>(
    `select to_char(max(start_time) at time zone $2, 'YYYY-MM-DD') as day from study_record where member_id = $1`,
    [first.memberId, TZ],
  );
  const day = latest.rows[0]!.day;
  const ranges: Record<Route, string[]> = {
    daily: [day, day],
    monthly: [`${lastMonthDay.slice(0, 8)}01`, lastMonthDay],
    heatMap: [addDays(today, -364), today],
  };
  console.log(`${members * recordsPerMember} records loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const server = await startMonta(database.url);
  cleanups.push(() => server.stop());
  const http = httpClient(server.url);
  const [{ memberId, token }] = await logIn(client, http, [first]);
  const base = `${API}/members/${memberId}/statistics`;
  const paths: Record<Route, string> = {
    daily: `${base}?date=${day}`,
    monthly: `${base}/monthly?year=${Number(lastMonthDay.slice(0, 4))}&month=${Number(lastMonthDay.slice(5, 7))}`,
    heatMap: `${base}/heat-map?start=${ranges.heatMap[0]}&end=${today}`,
  };
  const answers = () =>
    Promise.all(ROUTES.map(async (route) => (await http.call('GET', paths[route], { token })).text));
  const ownPid = (await client.query<{ pid: number }>('select pg_backend_pid() pid')).rows[0]!.pid;

  /** One side: each answer's own statement timed by this connection's backend CPU, then the routes under load. */
  const measureSide = async (side: 'raw' | 'rollups') => {
    const statements = await captureStatements(database.url, memberId, ranges, side === 'rollups');
    const statementCpuMs = {} as Record<Route, number>;
    for (const route of ROUTES) {
      const { name, text, params: values } = statements[route];
      const query = name ? { name: `bench_${name}`, text, values } : { text, values };
      for (let i = 0; i < 20; i++) await client.query(query); // warm: plan cache, buffers
      const before = schedTimes(ownPid)!.cpuMs;
      for (let i = 0; i < statementRuns; i++) await client.query(query);
      statementCpuMs[route] = (schedTimes(ownPid)!.cpuMs - before) / statementRuns;
    }
    if (side === 'rollups') {
      const { text, params } = statements.heatMap;
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `explain (analyze, buffers, costs off) ${text}`,
        params,
      );
      console.log(
        `  plan of the rollup heat-map statement:\n${plan.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`,
      );
    }
    const loads: Measured[] = [];
    for (const { route, concurrency } of LOADS) {
      const spec = { path: paths[route], token, concurrency, warmupSeconds, seconds };
      loads.push(
        await measure(`${route} (${side})`, server, spec, { name: database.name, exclude: new Set([ownPid]) }),
      );
    }
    return { statementCpuMs, loads };
  };

  const rawAnswers = await answers();
  const raw = await measureSide('raw');

  const jobDb = openJobDatabase({ kind: 'postgres' } as Database, {
    url: database.url,
    applicationName: 'monta-bench-jobs',
    statementTimeoutMs: 600_000,
    connectTimeoutMs: 5000,
  });
  cleanups.push(() => jobDb.close());
  const jobs = new StatJobs(jobDb, TZ);
  const timed = async (work: () => Promise<{ written: number }>) => {
    const t = performance.now();
    const { written } = await work();
    return { written, ms: performance.now() - t };
  };
  const backfill = await timed(() => jobs.backfill(addDays(today, -days - 1), addDays(today, -2), new Date()));
  const monthly = await timed(() => jobs.monthly(new Date()));
  const daily = await timed(() => jobs.daily(new Date()));
  await client.query('vacuum (analyze) stat_daily, stat_month_days, stat_monthly, stat_state, stat_change');
  console.log(
    `jobs: full backfill ${(backfill.ms / 1000).toFixed(1)} s (${backfill.written} rows), ` +
      `monthly ${monthly.ms.toFixed(0)} ms (${monthly.written} rows), ` +
      `daily for one day ${daily.ms.toFixed(0)} ms (${daily.written} rows)`,
  );
  const rollupAnswers = await answers();
  ROUTES.forEach((route, i) => {
    if (rollupAnswers[i] !== rawAnswers[i]) throw new Error(`${route}: the rollup answer differs from the raw one`);
  });
  console.log('the three answers on rollups are byte-identical to the raw ones');
  const rollups = await measureSide('rollups');

  console.log(`\nload average at the end: ${loadAverage()}\n`);
  printTable(
    ['answer', 'raw statement CPU ms', 'rollup statement CPU ms', 'ratio'],
    ROUTES.map((route) => {
      const [a, b] = [raw.statementCpuMs[route], rollups.statementCpuMs[route]];
      return [route, fixed(a, 3), fixed(b, 3), ratio(a, b)];
    }),
  );
  console.log();
  const perRequest = (m: Measured) => (m.pgCpuMs === undefined ? undefined : m.pgCpuMs / Math.max(1, m.requests));
  const side = (m: Measured) => [
    fixed(m.requestsPerSecond, 0),
    `${fixed(m.p50, 2)} / ${fixed(m.p95, 2)} / ${fixed(m.p99, 2)}`,
    fixed(perRequest(m), 3),
  ];
  printTable(
    [
      'route',
      'conc.',
      ...['raw', 'rollups'].flatMap((s) => [`${s} req/s`, `${s} p50 / p95 / p99 ms`, `${s} PG CPU ms/req`]),
      'PG CPU ratio',
    ],
    LOADS.map(({ route, concurrency }, i) => {
      const [a, b] = [raw.loads[i]!, rollups.loads[i]!];
      return [route, String(concurrency), ...side(a), ...side(b), ratio(perRequest(a), perRequest(b))];
    }),
  );
}

await runBench(main, 1200 + (settings.members * settings.recordsPerMember) / 5_000);
