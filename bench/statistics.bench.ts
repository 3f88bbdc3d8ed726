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
import { HttpClient, type Measured, measure } from './lib/http.js';
import { API, insertMembers, logIn } from './lib/members.js';
import { type ServerProcess, startMonta } from './lib/proc.js';
import { fixed, loadAverage, printMachine, printTable, ratio } from './lib/report.js';
import { schedTimes } from './lib/sample.js';
import { connect, createScratchDatabase } from './lib/scratch-database.js';
import { ADMIN_URL, intListSetting, intSetting } from './lib/settings.js';

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
const elapsed = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;

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

/** The SQL that answering sends: raw through drizzle's logger, rollups through executePrepared. */
async function captureStatements(url: string, member: string, r: Ranges, rollups: boolean) {
  const seen: { name?: string; text: string; params: unknown[] }[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const db = drizzle(pool, { logger: { logQuery: (text, params) => seen.push({ text, params }) } });
  const database = {
    db: db as unknown as Db,
    kind: 'postgres',
    executePrepared: async (name: string, text: string, params: unknown[]) => {
      seen.push({ name, text, params });
      return pool.query({ name, text, values: params });
    },
  } as unknown as Database;
  const take = async (answer: () => Promise<unknown>) => {
    seen.length = 0;
    await answer();
    return seen.at(-1)!;
  };
  try {
    if (!rollups) {
      const raw = new StatisticsRepository(database);
      return {
        daily: await take(() => raw.dayTotals(member, r.daily, r.daily, TZ)),
        monthly: await take(() => raw.dayTotals(member, r.monthFirst, r.monthLast, TZ)),
        heatMap: await take(() => raw.dayTotals(member, r.heatStart, r.heatEnd, TZ)),
      };
    }
    const reader = new RollupReader(database, { DEFAULT_TIMEZONE: TZ } as never);
    return {
      daily: await take(() => reader.dayTotals(member, r.daily, r.daily, TZ)),
      monthly: await take(() => reader.exactMonth(member, r.monthFirst, r.monthLast, TZ)),
      heatMap: await take(() => reader.dayTotals(member, r.heatStart, r.heatEnd, TZ)),
    };
  } finally {
    await pool.end();
  }
}

interface Ranges {
  daily: string;
  monthFirst: string;
  monthLast: string;
  heatStart: string;
  heatEnd: string;
}
type Route = 'daily' | 'monthly' | 'heatMap';
const ROUTES: Route[] = ['daily', 'monthly', 'heatMap'];
interface Context {
  client: pg.Client;
  url: string;
  dbName: string;
  member: string;
  ranges: Ranges;
  server: ServerProcess;
  token: string;
  paths: Record<Route, string>;
  exclude: Set<number>;
}

/** One side: each answer's own statement timed by its backend's CPU, then the routes under load. */
async function measureSide(side: 'raw' | 'rollups', ctx: Context) {
  const statements = await captureStatements(ctx.url, ctx.member, ctx.ranges, side === 'rollups');
  const ownPid = (await ctx.client.query<{ pid: number }>('select pg_backend_pid() pid')).rows[0]!.pid;
  const statementCpuMs = {} as Record<Route, number>;
  for (const route of ROUTES) {
    const s = statements[route];
    const query = s.name
      ? { name: `bench_${s.name}`, text: s.text, values: s.params }
      : { text: s.text, values: s.params };
    for (let i = 0; i < 20; i++) await ctx.client.query(query); // warm: plan cache, buffers
    const before = schedTimes(ownPid)!;
    for (let i = 0; i < settings.statementRuns; i++) await ctx.client.query(query);
    statementCpuMs[route] = (schedTimes(ownPid)!.cpuMs - before.cpuMs) / settings.statementRuns;
  }
  if (side === 'rollups') {
    const s = statements.heatMap;
    const plan = await ctx.client.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off) ${s.text}`,
      s.params,
    );
    console.log(
      `  plan of the rollup heat-map statement:\n${plan.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`,
    );
  }
  const loads: Measured[] = [];
  for (const route of ROUTES) {
    for (const concurrency of settings.concurrencies) {
      const spec = {
        method: 'GET' as const,
        path: ctx.paths[route],
        headers: { authorization: `Bearer ${ctx.token}` },
        expectStatus: 200,
        concurrency,
        warmupSeconds: settings.warmupSeconds,
        seconds: settings.seconds,
      };
      loads.push(await measure(`${route} (${side})`, ctx.server, spec, { name: ctx.dbName, exclude: ctx.exclude }));
    }
  }
  return { statementCpuMs, loads };
}

async function main(): Promise<void> {
  console.log('Machine');
  await printMachine(ADMIN_URL);
  const today = localDate(new Date(), TZ);
  const lastMonthDay = addDays(`${today.slice(0, 8)}01`, -1);
  const ranges: Ranges = {
    daily: addDays(today, -1),
    monthFirst: `${lastMonthDay.slice(0, 8)}01`,
    monthLast: lastMonthDay,
    heatStart: addDays(today, -364),
    heatEnd: today,
  };
  const t0 = performance.now();
  const database = await createScratchDatabase(ADMIN_URL, 'monta_bench');
  const client = await connect(database.url);
  const first = await loadData(client, today);
  const latest = await client.query<{ day: string }>(
    `select to_char(max(start_time) at time zone $2, 'YYYY-MM-DD') as day from study_record where member_id = $1`,
    [first.memberId, TZ],
  );
  ranges.daily = latest.rows[0]!.day;
  console.log(`${settings.members * settings.recordsPerMember} records loaded in ${elapsed(t0)}`);

  const server = await startMonta(database.url);
  cleanups.push(() => server.stop());
  const http = new HttpClient(server.url, 4);
  cleanups.push(async () => http.close());
  const [member] = await logIn(client, http, [first]);
  const base = `${API}/members/${member!.memberId}/statistics`;
  const [year, month] = [Number(lastMonthDay.slice(0, 4)), Number(lastMonthDay.slice(5, 7))];
  const paths: Record<Route, string> = {
    daily: `${base}?date=${ranges.daily}`,
    monthly: `${base}/monthly?year=${year}&month=${month}`,
    heatMap: `${base}/heat-map?start=${ranges.heatStart}&end=${ranges.heatEnd}`,
  };
  const token = member!.token;
  const answers = () => Promise.all(ROUTES.map((r) => http.call('GET', paths[r], { token }).then((a) => a.text)));
  const ownPid = (await client.query<{ pid: number }>('select pg_backend_pid() pid')).rows[0]!.pid;
  const ctx: Context = {
    client,
    url: database.url,
    dbName: database.name,
    member: member!.memberId,
    ranges,
    server,
    token,
    paths,
    exclude: new Set([ownPid]),
  };

  const rawAnswers = await answers();
  const raw = await measureSide('raw', ctx);

  const jobDb = openJobDatabase({ kind: 'postgres' } as Database, {
    url: database.url,
    applicationName: 'monta-bench-jobs',
    statementTimeoutMs: 600_000,
    connectTimeoutMs: 5000,
  });
  cleanups.push(() => jobDb.close());
  const jobs = new StatJobs(jobDb, TZ);
  const timed = async <T>(work: () => Promise<T>) => {
    const t = performance.now();
    const result = await work();
    return { result, ms: performance.now() - t };
  };
  const backfill = await timed(() => jobs.backfill(addDays(today, -settings.days - 1), addDays(today, -2), new Date()));
  const monthly = await timed(() => jobs.monthly(new Date()));
  const daily = await timed(() => jobs.daily(new Date()));
  await client.query('vacuum (analyze) stat_daily, stat_month_days, stat_monthly, stat_state, stat_change');
  console.log(
    `jobs: full backfill ${(backfill.ms / 1000).toFixed(1)} s (${backfill.result.written} rows), ` +
      `monthly ${monthly.ms.toFixed(0)} ms (${monthly.result.written} rows), ` +
      `daily for one day ${daily.ms.toFixed(0)} ms (${daily.result.written} rows)`,
  );
  const rollupAnswers = await answers();
  ROUTES.forEach((route, i) => {
    if (rollupAnswers[i] !== rawAnswers[i]) throw new Error(`${route}: the rollup answer differs from the raw one`);
  });
  console.log('the three answers on rollups are byte-identical to the raw ones');
  const rollups = await measureSide('rollups', ctx);

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
  const latency = (m: Measured) => `${fixed(m.p50, 2)} / ${fixed(m.p95, 2)} / ${fixed(m.p99, 2)}`;
  printTable(
    [
      'route',
      'conc.',
      'raw req/s',
      'raw p50 / p95 / p99 ms',
      'raw PG CPU ms/req',
      'rollups req/s',
      'rollups p50 / p95 / p99 ms',
      'rollups PG CPU ms/req',
      'PG CPU ratio',
    ],
    raw.loads.map((a, i) => {
      const b = rollups.loads[i]!;
      const route = ROUTES[Math.floor(i / settings.concurrencies.length)]!;
      const c = settings.concurrencies[i % settings.concurrencies.length]!;
      return [
        route,
        String(c),
        fixed(a.requestsPerSecond, 0),
        latency(a),
        fixed(perRequest(a), 3),
        fixed(b.requestsPerSecond, 0),
        latency(b),
        fixed(perRequest(b), 3),
        ratio(perRequest(a), perRequest(b)),
      ];
    }),
  );
}

await runBench(main, 1200 + (settings.members * settings.recordsPerMember) / 5_000);
