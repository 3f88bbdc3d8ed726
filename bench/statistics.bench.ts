/**
 * Statistics baseline (issue 3): latency and requests/s of one member's daily, monthly and one-year
 * heat-map statistics, computed from the raw study records on real PostgreSQL holding 1,000,000
 * records (1,000 members × 1,000 sessions over two years), and start+end pairs/s of the study timer.
 * It is the baseline that pre-computed statistics will be measured against. It prints figures and
 * never asserts timing; results are recorded in docs/performance.md.
 *
 *   npx tsx bench/statistics.bench.ts
 *
 * What it does, and stops by itself (about 3 minutes with the defaults, a third of it loading):
 *  1. creates a fresh database `monta_bench_<random>` on the admin URL, migrates and seeds it;
 *  2. loads BENCH_MEMBERS accounts + members (one study category and one streak row each) and
 *     BENCH_RECORDS_PER_MEMBER ended sessions per member with `insert … select … generate_series`
 *     (deterministic: setseed). Member m's sessions cut the BENCH_DAYS local days before today
 *     (DEFAULT_TIMEZONE, Asia/Seoul) into equal slots, one session of 10–120 min at a random place in
 *     each slot, so they never overlap, fall at all hours and some cross local midnight; half have
 *     the member's category, 90 % are `Completed`. Rows are inserted in start_time order across all
 *     members, as a live service writes them, so one member's rows are scattered over the table
 *     (not clustered, which would flatter the queries). Then VACUUM (ANALYZE). Prints the time each
 *     step took and the table and index sizes;
 *  3. gives the first member's account (the statistics member) and the timer members' accounts one
 *     known Argon2id password (hashPassword from src/auth/password.service.ts);
 *  4. starts monta-server (src/main.ts, unchanged, as bench/auth.bench.ts does: SWC loader,
 *     NODE_ENV=production, LOG_LEVEL=silent, rate limits of 10⁹) on 127.0.0.1 and logs each of those
 *     members in through the API;
 *  5. checks the three statistics answers against an independent SQL sum, and prints
 *     EXPLAIN (ANALYZE, BUFFERS) of the exact statistics SQL (captured from StatisticsRepository
 *     through Drizzle's logger): the whole plan of the one-year heat-map, the execution times of
 *     repeated runs with TIMING OFF, and the backend's own CPU time per plain run of each query
 *     (/proc/<pid>/schedstat), which holds up on a busy machine where wall-clock times do not;
 *  6. loads `GET …/statistics?date=` (the member's latest day with study time),
 *     `…/statistics/monthly` (last month) and `…/statistics/heat-map` (the 365 days up to today)
 *     for the statistics member at each
 *     BENCH_CONCURRENCY, then start+end pairs: BENCH_TIMER_CONCURRENCY virtual users, each cycling
 *     through its own BENCH_TIMER_MEMBERS_PER_USER members with their own tokens (one member's start
 *     and end serialize on its row lock). Pairs run twice: "instant" sessions (a few ms: end credits
 *     no points and qualifies no streak day) and, if BENCH_TIMER_SESSION_MINUTES > 0, sessions
 *     backdated by the bench between start and end through its own connection (not timed in
 *     start/end, but inside the pair), so end does the whole work: points, transaction record,
 *     streak;
 *  7. warms the server up (each statistics route 2 s, discarded), samples monta-server's RSS, its
 *     CPU time and its main thread's wait for a core, and the CPU of the database's PostgreSQL
 *     backends (/proc) during each measured window; prints a table and the same as Markdown, and
 *     the load average at start and end;
 *  7b. (issue 10) measures the statistics routes twice in one run: "(raw)" before any rollup exists,
 *     then the bench runs the statistics jobs itself (StatJobs, timed): a full backfill up to the day
 *     before yesterday, the monthly job, and a daily run that adds one day (yesterday); it checks the
 *     three answers are byte-identical to the raw ones, and measures "(rollups)" the same way;
 *  8. stops the server and drops the database, also on failure or Ctrl-C.
 *
 * Settings (environment):
 *   BENCH_SECONDS                 measured seconds per run                 (default 10)
 *   BENCH_WARMUP_SECONDS          discarded warm-up seconds per run        (default 3)
 *   BENCH_CONCURRENCY             statistics concurrencies, comma-separated (default 1,16)
 *   BENCH_TIMER_CONCURRENCY       virtual users of the start+end runs      (default 16)
 *   BENCH_TIMER_MEMBERS_PER_USER  members each of those cycles through     (default 10)
 *   BENCH_TIMER_SESSION_MINUTES   backdating of the second timer run; 0 skips it (default 25)
 *   BENCH_POOL_SIZE               monta-server's pg pool size              (default 10, its default)
 *   BENCH_MEMBERS                 members loaded                           (default 1000)
 *   BENCH_RECORDS_PER_MEMBER      study records per member                 (default 1000)
 *   BENCH_DAYS                    days the records span, ending yesterday  (default 730)
 *   BENCH_EXPLAIN_RUNS            EXPLAIN ANALYZE repetitions per query    (default 5)
 *   BENCH_ADMIN_URL               PostgreSQL admin URL, loopback only      (default postgres://postgres@127.0.0.1:5432/postgres)
 *
 * Everything shares the machine: the load generator, monta-server and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { hashPassword } from '../src/auth/password.service.js';
import { loadConfig } from '../src/config/config.js';
import { type Database, type Db } from '../src/database/client.js';
import * as schema from '../src/database/schema.js';
import { addDays, localDate } from '../src/common/local-days.js';
import { openJobDatabase } from '../src/stat-jobs/job-database.js';
import { StatJobs } from '../src/stat-jobs/stat-jobs.js';
import { StatisticsRepository } from '../src/statistics/statistics.repository.js';
import { HttpClient, runIterations, runLoad } from './lib/http.js';
import { BackendSampler, ProcessSampler, processRss, schedTimes } from './lib/sample.js';
import { freePort, type ServerProcess, startServer } from './lib/proc.js';
import { describeMachine, type Percentiles } from './lib/report.js';
import { cleanUp, cleanups, watchdog } from './lib/cleanup.js';
import { createScratchDatabase, withAdmin } from './lib/scratch-database.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function intSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function intListSetting(name: string, fallback: number[], min: number, max: number): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name} must list integers from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    }
    return value;
  });
}

const settings = {
  seconds: intSetting('BENCH_SECONDS', 10, 1, 600),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 3, 0, 120),
  concurrencies: intListSetting('BENCH_CONCURRENCY', [1, 16], 1, 1024),
  timerConcurrency: intSetting('BENCH_TIMER_CONCURRENCY', 16, 1, 1024),
  timerMembersPerUser: intSetting('BENCH_TIMER_MEMBERS_PER_USER', 10, 1, 1000),
  timerSessionMinutes: intSetting('BENCH_TIMER_SESSION_MINUTES', 25, 0, 600),
  poolSize: intSetting('BENCH_POOL_SIZE', 10, 1, 200),
  members: intSetting('BENCH_MEMBERS', 1000, 2, 1_000_000),
  recordsPerMember: intSetting('BENCH_RECORDS_PER_MEMBER', 1000, 1, 100_000),
  days: intSetting('BENCH_DAYS', 730, 2, 36_500),
  explainRuns: intSetting('BENCH_EXPLAIN_RUNS', 5, 1, 100),
  adminUrl: process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};
const timerMembers = settings.timerConcurrency * settings.timerMembersPerUser;
if (timerMembers + 1 > settings.members) {
  throw new Error(
    `BENCH_TIMER_CONCURRENCY × BENCH_TIMER_MEMBERS_PER_USER (${timerMembers}) needs more than BENCH_MEMBERS members`,
  );
}
const slotSeconds = Math.floor((settings.days * 86_400) / settings.recordsPerMember);
if (slotSeconds < 7_200) {
  throw new Error(
    `BENCH_DAYS × 86400 / BENCH_RECORDS_PER_MEMBER must leave at least 2 h per session (got ${slotSeconds} s)`,
  );
}

const adminHost = new URL(settings.adminUrl).hostname;
if (!['127.0.0.1', 'localhost', '[::1]'].includes(adminHost)) {
  throw new Error(`BENCH_ADMIN_URL must point at a loopback address, not ${adminHost}`);
}

/** The server's own defaults (no overrides are passed to it): DEFAULT_TIMEZONE, MAX_SESSION_HOURS. */
const CONFIG = loadConfig({});
const TZ = CONFIG.DEFAULT_TIMEZONE;
const PASSWORD = 'bench-password-1234';
const emailOf = (n: number) => `bench-${String(n).padStart(6, '0')}@example.com`;
const API = '/timer-api';

// ---------------------------------------------------------------------------------------------

// A hard stop well past the expected length (loading 1M rows takes a minute or two here).
const runs = 3 * settings.concurrencies.length + (settings.timerSessionMinutes > 0 ? 2 : 1);
const loadingBudget = Math.ceil((settings.members * settings.recordsPerMember) / 5_000);
const expectedSeconds = runs * (settings.warmupSeconds + settings.seconds + 1) + loadingBudget + 120;
const stop = watchdog(expectedSeconds + 300);

// ---------------------------------------------------------------------------------------------

const seconds = (fromMs: number) => ((performance.now() - fromMs) / 1000).toFixed(1);
const mib = (bytes: number | string | undefined) =>
  bytes === undefined ? 'n/a' : (Number(bytes) / 2 ** 20).toFixed(0);
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

/** Step 2: the members and their records, in one session (setseed makes random() repeatable). */
async function loadData(client: pg.Client, today: string): Promise<void> {
  const t0 = performance.now();
  await client.query(`set work_mem = '256MB'`);
  await client.query(`set maintenance_work_mem = '256MB'`);
  await client.query(`select setseed(0.42)`);
  await client.query(
    `insert into account (email, password, provider, role_id)
     select format('bench-%s@example.com', lpad(i::text, 6, '0')), null, 'email', 2
     from generate_series(1, $1::int) as i`,
    [settings.members],
  );
  await client.query(
    `insert into member (account_id, nickname, image_url, status_message, point)
     select account_id, split_part(email, '@', 1), '', '', 0
     from account where email like 'bench-%@example.com' order by email`,
  );
  await client.query(`insert into study_streak (member_id) select member_id from member where nickname like 'bench-%'`);
  await client.query(
    `insert into study_category (member_id, subject, color)
     select member_id, 'Bench', '#3366cc' from member where nickname like 'bench-%' order by nickname`,
  );
  console.log(`  ${settings.members} accounts, members, categories and streaks: ${seconds(t0)} s`);

  const t1 = performance.now();
  // Slot k of a member is [k·slot, (k+1)·slot) seconds after the window start; its session starts
  // at a random whole second that leaves room for its 10–120 min. `offset 0` keeps each draw of
  // random() once per row.
  const inserted = await client.query(
    `insert into study_record (member_id, study_category_id, start_time, end_time, status)
     select member_id, category_id, start_time, start_time + make_interval(secs => duration), status
     from (
       select member_id, category_id, status, duration,
              (($1::date - $2::int)::timestamp at time zone $3)
                + make_interval(secs => k * $4::int + floor(r_offset * ($4::int - duration + 1))) as start_time
       from (
         select m.member_id,
                case when random() < 0.5 then c.study_category_id end as category_id,
                case when random() < 0.9 then 'Completed' else 'Incompleted' end as status,
                600 + floor(random() * 6601)::int as duration,
                random() as r_offset,
                k
         from member m
         join study_category c on c.member_id = m.member_id
         cross join generate_series(0, $5::int - 1) as k
         where m.nickname like 'bench-%'
         offset 0
       ) as drawn
     ) as placed
     order by start_time`,
    [today, settings.days, TZ, slotSeconds, settings.recordsPerMember],
  );
  console.log(`  ${inserted.rowCount} study records (insert … select, start_time order): ${seconds(t1)} s`);

  const t2 = performance.now();
  await client.query('vacuum (analyze) study_record');
  await client.query('analyze account, member, study_category, study_streak');
  console.log(`  VACUUM (ANALYZE): ${seconds(t2)} s`);
  console.log(`  loading took ${seconds(t0)} s in all`);
}

async function describeData(client: pg.Client, statsMemberId: string): Promise<void> {
  const size = await client.query<Record<string, string>>(
    `select pg_relation_size('study_record') as heap,
            pg_indexes_size('study_record') as indexes,
            pg_total_relation_size('study_record') as total,
            pg_database_size(current_database()) as database`,
  );
  const s = size.rows[0];
  console.log(
    `  study_record: heap ${mib(s.heap)} MiB + indexes ${mib(s.indexes)} MiB = ${mib(s.total)} MiB ` +
      `(with TOAST); database ${mib(s.database)} MiB`,
  );
  const indexes = await client.query<{ name: string; size: string }>(
    `select indexrelid::regclass::text as name, pg_relation_size(indexrelid) as size
     from pg_index where indrelid = 'study_record'::regclass order by 1`,
  );
  console.log(`  indexes: ${indexes.rows.map((r) => `${r.name} ${mib(r.size)} MiB`).join(', ')}`);
  const shape = await client.query<Record<string, string>>(
    `select count(*) as records,
            to_char(min(start_time) at time zone $1, 'YYYY-MM-DD HH24:MI') as first_start,
            to_char(max(end_time) at time zone $1, 'YYYY-MM-DD HH24:MI') as last_end,
            round(avg(extract(epoch from end_time - start_time)) / 60, 1) as avg_minutes,
            round(100.0 * count(*) filter (where (start_time at time zone $1)::date <> (end_time at time zone $1)::date)
                  / count(*), 2) as crossing_midnight_pct
     from study_record`,
    [TZ],
  );
  const d = shape.rows[0];
  console.log(
    `  ${d.records} records from ${d.first_start} to ${d.last_end} (${TZ}), on average ${d.avg_minutes} min, ` +
      `${d.crossing_midnight_pct} % crossing local midnight`,
  );
  // How scattered one member's rows are: the heap pages they sit on.
  const pages = await client.query<{ rows: string; pages: string }>(
    `select count(*) as rows, count(distinct (ctid::text::point)[0]) as pages
     from study_record where member_id = $1`,
    [statsMemberId],
  );
  console.log(
    `  the statistics member's ${pages.rows[0].rows} records lie on ${pages.rows[0].pages} heap pages ` +
      `(as a service that writes all members in time order would have them)`,
  );
}

interface BenchMember {
  email: string;
  memberId: string;
  categoryId: number;
  token: string;
}

async function benchMembers(client: pg.Client, emails: string[]): Promise<Omit<BenchMember, 'token'>[]> {
  const rows = await client.query<{ email: string; member_id: string; category_id: string }>(
    `select a.email, m.member_id, c.study_category_id as category_id
     from account a join member m on m.account_id = a.account_id
     join study_category c on c.member_id = m.member_id
     where a.email = any($1::text[]) order by a.email`,
    [emails],
  );
  if (rows.rowCount !== emails.length) throw new Error(`found ${rows.rowCount} of ${emails.length} bench members`);
  return rows.rows.map((r) => ({ email: r.email, memberId: r.member_id, categoryId: Number(r.category_id) }));
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `data` of the success envelope. */
function dataOf<T>(what: string, reply: { status: number; text: string }): T {
  const body = json(reply.text) as { status?: string; data?: T };
  if (reply.status !== 200 || body.status !== 'success' || body.data === undefined) {
    throw new Error(`${what}: ${reply.status} ${reply.text.slice(0, 300)}`);
  }
  return body.data;
}

async function logIn(http: HttpClient, members: Omit<BenchMember, 'token'>[]): Promise<BenchMember[]> {
  const result: BenchMember[] = new Array<BenchMember>(members.length);
  let next = 0;
  const worker = async () => {
    while (next < members.length) {
      const i = next++;
      const reply = await http.call('POST', `${API}/auth/email/login`, {
        body: JSON.stringify({ email: members[i].email, password: PASSWORD }),
      });
      const data = dataOf<{ access_token: string }>(`login of ${members[i].email}`, reply);
      result[i] = { ...members[i], token: data.access_token };
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return result;
}

/** The exact SQL and parameters StatisticsRepository sends, for EXPLAIN. */
class QueryCapture {
  last: { text: string; params: unknown[] } | undefined;
  logQuery(text: string, params: unknown[]): void {
    this.last = { text, params };
  }
}

interface Ranges {
  daily: string;
  monthly: { year: number; month: number; first: string; last: string };
  heatMap: { start: string; end: string };
}

/** Sum of the sessions' overlap with [from 00:00, to+1 00:00) local time, straight from the table. */
async function tableSeconds(client: pg.Client, memberId: string, from: string, to: string): Promise<number> {
  const rows = await client.query<{ seconds: string }>(
    `select coalesce(sum(extract(epoch from least(end_time, ($3::date + 1)::timestamp at time zone $4)
                                          - greatest(start_time, $2::date::timestamp at time zone $4))), 0)::bigint as seconds
     from study_record
     where member_id = $1 and deleted_at is null and end_time is not null
       and start_time < ($3::date + 1)::timestamp at time zone $4 and end_time > $2::date::timestamp at time zone $4`,
    [memberId, from, to, TZ],
  );
  return Number(rows.rows[0].seconds);
}

/** Step 5: the answers, checked against the table, and the plans. */
async function checkAndExplain(
  http: HttpClient,
  client: pg.Client,
  databaseUrl: string,
  member: BenchMember,
  ranges: Ranges,
  paths: Record<'daily' | 'monthly' | 'heatMap', string>,
  backendPid: number,
): Promise<void> {
  const get = (path: string) => http.call('GET', path, { token: member.token });

  const daily = dataOf<{ date: string; totalSeconds: number }>('daily', await get(paths.daily));
  const monthlyReply = await get(paths.monthly);
  const monthly = dataOf<{ totalSeconds: number; uniqueStudyDays: number }>('monthly', monthlyReply);
  const heatReply = await get(paths.heatMap);
  const heat = dataOf<{ date: string; totalSeconds: number }[]>('heat-map', heatReply);
  const heatSum = heat.reduce((sum, d) => sum + d.totalSeconds, 0);
  const expected = {
    daily: await tableSeconds(client, member.memberId, ranges.daily, ranges.daily),
    monthly: await tableSeconds(client, member.memberId, ranges.monthly.first, ranges.monthly.last),
    heatMap: await tableSeconds(client, member.memberId, ranges.heatMap.start, ranges.heatMap.end),
  };
  const verdict = (got: number, want: number) => (got === want ? 'matches the table' : `≠ ${want} from the table`);
  console.log(`  daily ${ranges.daily}: ${daily.totalSeconds} s (${verdict(daily.totalSeconds, expected.daily)})`);
  console.log(
    `  monthly ${ranges.monthly.year}-${String(ranges.monthly.month).padStart(2, '0')}: ${monthly.totalSeconds} s on ` +
      `${monthly.uniqueStudyDays} days (${verdict(monthly.totalSeconds, expected.monthly)}); ` +
      `${monthlyReply.text.length} bytes`,
  );
  console.log(
    `  heat-map ${ranges.heatMap.start} … ${ranges.heatMap.end}: ${heat.length} days, ${heatSum} s ` +
      `(${verdict(heatSum, expected.heatMap)}); ${heatReply.text.length} bytes`,
  );

  // The repository's own SQL, captured through Drizzle's logger on a separate connection.
  const capture = new QueryCapture();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const db = drizzle(pool, { schema, logger: capture }) as unknown as Db;
    const database: Database = {
      db,
      kind: 'postgres',
      execute: () => Promise.reject(new Error('unused')),
      ping: () => Promise.reject(new Error('unused')),
      close: () => pool.end(),
    };
    const repository = new StatisticsRepository(database);
    const queries: [string, string, string][] = [
      ['heat-map', ranges.heatMap.start, ranges.heatMap.end],
      ['monthly', ranges.monthly.first, ranges.monthly.last],
      ['daily', ranges.daily, ranges.daily],
    ];
    for (const [name, from, to] of queries) {
      await repository.dayTotals(member.memberId, from, to, TZ);
      const query = capture.last;
      if (!query) throw new Error('no query captured');
      const explain = async (options: string) =>
        (await client.query<{ 'QUERY PLAN': string }>(`explain (${options}) ${query.text}`, query.params)).rows.map(
          (r) => r['QUERY PLAN'],
        );
      const find = (plan: string[], label: string) =>
        Number(/([\d.]+) ms/.exec(plan.find((l) => l.startsWith(label)) ?? '')?.[1]);
      // Per-node timing costs two clock reads per row and node; the repeated runs go without it.
      const plan = await explain('analyze, buffers');
      if (name === 'heat-map') {
        console.log(`  EXPLAIN (ANALYZE, BUFFERS) of the heat-map query (${from} … ${to}):`);
        for (const line of plan) console.log(`    ${line}`);
      }
      const times: number[] = [];
      for (let i = 0; i < settings.explainRuns; i++)
        times.push(find(await explain('analyze, buffers, timing off'), 'Execution Time'));
      // The backend's own CPU time (schedstat) is what the query costs, however busy the machine is.
      const runs = settings.explainRuns * 4;
      const before = schedTimes(backendPid);
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) await client.query(query.text, query.params);
      const wallMs = (performance.now() - t0) / runs;
      const after = schedTimes(backendPid);
      const cpu =
        before && after
          ? `on CPU ${((after.cpuMs - before.cpuMs) / runs).toFixed(2)} ms, waiting for a CPU ` +
            `${((after.waitMs - before.waitMs) / runs).toFixed(2)} ms, wall ${wallMs.toFixed(2)} ms per query`
          : `wall ${wallMs.toFixed(2)} ms per query`;
      const buffers = plan.find((l) => l.trim().startsWith('Buffers:'))?.trim() ?? 'n/a';
      const rows = /actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(plan[0] ?? '')?.[1] ?? 'n/a';
      console.log(
        `  ${name.padEnd(8)} ${rows} rows, top node ${buffers}; EXPLAIN ANALYZE execution ` +
          `${find(plan, 'Execution Time').toFixed(2)} ms (with timing), ` +
          `${times.map((t) => t.toFixed(2)).join(', ')} ms (timing off), planning ${find(plan, 'Planning Time').toFixed(2)} ms; ` +
          `${runs} plain runs: ${cpu}`,
      );
    }
  } finally {
    await pool.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Row {
  scenario: string;
  concurrency: number;
  unit: string;
  rate: number;
  latency: Percentiles;
  errors: number;
  peakRss?: number;
  serverCpuMs?: number;
  pgCpuMs?: number;
  /** Time the server's main thread spent runnable but waiting for a CPU (schedstat). */
  serverWaitMs?: number;
  generatorCpuMs?: number;
  machineBusy?: number;
  wallMs: number;
  /** Sub-rows (steps) carry latencies only. */
  step?: boolean;
}

function samplers(server: ServerProcess, database: string, exclude: ReadonlySet<number>) {
  const pid = server.child.pid;
  if (pid === undefined) throw new Error(`${server.name} has no pid`);
  const serverSampler = new ProcessSampler(pid);
  const pgSampler = new BackendSampler(database, exclude);
  let schedStart: { cpuMs: number; waitMs: number } | undefined;
  let serverWaitMs: number | undefined;
  return {
    start: () => {
      serverSampler.start();
      pgSampler.start();
      schedStart = schedTimes(pid);
    },
    stop: () => {
      serverSampler.stop();
      pgSampler.stop();
      const schedEnd = schedTimes(pid);
      serverWaitMs = schedStart && schedEnd ? schedEnd.waitMs - schedStart.waitMs : undefined;
    },
    fill: (row: Omit<Row, 'peakRss' | 'serverCpuMs' | 'pgCpuMs' | 'machineBusy' | 'wallMs'>): Row => ({
      ...row,
      peakRss: serverSampler.peakRss,
      serverCpuMs: serverSampler.cpuMs,
      pgCpuMs: pgSampler.cpuMs,
      serverWaitMs,
      machineBusy: serverSampler.machineBusy,
      wallMs: serverSampler.wallMs,
    }),
  };
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);

function report(row: Row): void {
  console.log(
    `${row.rate.toFixed(0)} ${row.unit}, p50 ${fixed(row.latency.p50, 1)} ms, p99 ${fixed(row.latency.p99, 1)} ms, ` +
      `errors ${row.errors}`,
  );
}

function table(rows: Row[]): { header: string[]; lines: string[][] } {
  const header = [
    'scenario',
    'conc.',
    'rate',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'errors',
    'peak RSS MiB',
    'server CPU ms/op',
    'PG CPU ms/op',
    'server CPU %',
    'PG CPU %',
    'server CPU wait %',
    'load-gen CPU %',
    'machine busy %',
  ];
  const lines = rows.map((r) => {
    const ops = Math.max(1, r.latency.count);
    const share = (ms: number | undefined) => (ms === undefined || r.step ? undefined : (100 * ms) / r.wallMs);
    const perOp = (ms: number | undefined) => (ms === undefined || r.step ? undefined : ms / ops);
    return [
      r.scenario,
      r.step ? '' : String(r.concurrency),
      r.step ? '' : `${r.rate.toFixed(0)} ${r.unit}`,
      fixed(r.latency.p50, 2),
      fixed(r.latency.p95, 2),
      fixed(r.latency.p99, 2),
      fixed(r.latency.max, 1),
      r.step ? '' : String(r.errors),
      r.step ? '' : fixed(r.peakRss === undefined ? undefined : r.peakRss / 2 ** 20, 0),
      r.step ? '' : fixed(perOp(r.serverCpuMs), 2),
      r.step ? '' : fixed(perOp(r.pgCpuMs), 2),
      r.step ? '' : fixed(share(r.serverCpuMs), 0),
      r.step ? '' : fixed(share(r.pgCpuMs), 0),
      r.step ? '' : fixed(share(r.serverWaitMs), 0),
      r.step ? '' : fixed(share(r.generatorCpuMs), 0),
      r.step ? '' : fixed(r.machineBusy === undefined ? undefined : 100 * r.machineBusy, 0),
    ];
  });
  return { header, lines };
}

function printPlain(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])));
  console.log(format(header).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line).join('  '));
}

function printMarkdown(header: string[], lines: string[][]): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i < 1 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
}

async function main(): Promise<void> {
  const machine = describeMachine();
  const postgres = await withAdmin(settings.adminUrl, async (c) => {
    const names = ['server_version', 'shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'jit'];
    const result = await c.query<{ name: string; setting: string }>(
      `select name, current_setting(name) as setting from unnest($1::text[]) as name`,
      [names],
    );
    return Object.fromEntries(result.rows.map((r) => [r.name, r.setting]));
  });
  console.log('Machine');
  for (const [key, value] of Object.entries(machine)) {
    console.log(key === 'free -h' ? `  free -h:\n${value.replace(/^/gm, '    ')}` : `  ${key}: ${value}`);
  }
  console.log(`  PostgreSQL: ${postgres.server_version} (${adminHost})`);
  console.log(
    `  PostgreSQL settings: shared_buffers ${postgres.shared_buffers}, work_mem ${postgres.work_mem}, ` +
      `effective_cache_size ${postgres.effective_cache_size}, random_page_cost ${postgres.random_page_cost}, jit ${postgres.jit}`,
  );
  console.log(`  load average at the start: ${loadAverage()}`);
  console.log(
    `Settings: ${settings.members} members × ${settings.recordsPerMember} records over ${settings.days} days ` +
      `(a ${(slotSeconds / 3600).toFixed(2)} h slot per session); ${settings.warmupSeconds} s warm-up + ` +
      `${settings.seconds} s measured per run; statistics at concurrency ${settings.concurrencies.join(', ')}; ` +
      `start+end with ${settings.timerConcurrency} virtual users × ${settings.timerMembersPerUser} members each; ` +
      `monta-server pg pool ${settings.poolSize}; DEFAULT_TIMEZONE ${TZ}, MAX_SESSION_HOURS ${CONFIG.MAX_SESSION_HOURS}`,
  );

  const today = localDate(new Date(), TZ);
  const lastMonthDay = addDays(`${today.slice(0, 8)}01`, -1);
  const ranges: Ranges = {
    daily: addDays(today, -1), // replaced by the member's latest day with study time once loaded
    monthly: {
      year: Number(lastMonthDay.slice(0, 4)),
      month: Number(lastMonthDay.slice(5, 7)),
      first: `${lastMonthDay.slice(0, 8)}01`,
      last: lastMonthDay,
    },
    heatMap: { start: addDays(today, -364), end: today },
  };

  console.log('\nDatabase');
  const tCreate = performance.now();
  const database = await createScratchDatabase(settings.adminUrl, 'monta_bench');
  console.log(`  created, migrated and seeded ${database.name} in ${seconds(tCreate)} s`);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  cleanups.push(() => client.end());
  await loadData(client, today);

  const emails = Array.from({ length: 1 + timerMembers }, (_, i) => emailOf(i + 1));
  const tHash = performance.now();
  await client.query(`update account set password = $1 where email = any($2::text[])`, [
    await hashPassword(PASSWORD),
    emails,
  ]);
  const found = await benchMembers(client, emails);
  const latest = await client.query<{ day: string }>(
    `select to_char(max(start_time) at time zone $2, 'YYYY-MM-DD') as day from study_record where member_id = $1`,
    [found[0].memberId, TZ],
  );
  ranges.daily = latest.rows[0].day;
  await describeData(client, found[0].memberId);
  console.log(`  ${emails.length} accounts given a known Argon2id password in ${seconds(tHash)} s`);

  const many = '1000000000';
  const tServer = performance.now();
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
      DATABASE_POOL_SIZE: String(settings.poolSize),
      MIGRATE_ON_START: 'false',
      RATE_LIMIT_LOGIN_PER_IP: many,
      RATE_LIMIT_LOGIN_PER_ACCOUNT: many,
      RATE_LIMIT_REGISTER_PER_IP: many,
      RATE_LIMIT_REFRESH_PER_IP: many,
      RATE_LIMIT_REFRESH_PER_ACCOUNT: many,
      RATE_LIMIT_SOCIAL_PER_IP: many,
      AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
      AUTH_JWT_TOKEN_EXPIRES_IN: '3600', // outlives the run
      JOBS_ENABLED: 'false', // the bench runs the statistics jobs itself, timed (issue 10)
    },
  });
  cleanups.push(() => server.stop());
  const serverPid = server.child.pid ?? 0;
  console.log(`\nmonta-server ready in ${seconds(tServer)} s at ${server.url}, RSS ${mib(processRss(serverPid))} MiB`);

  const http = new HttpClient(server.url, 8);
  cleanups.push(async () => http.close());
  const tLogin = performance.now();
  const members = await logIn(http, found);
  console.log(`  ${members.length} members logged in through the API in ${seconds(tLogin)} s`);
  const statsMember = members[0];
  const base = `${API}/members/${statsMember.memberId}`;
  const paths = {
    daily: `${base}/statistics?date=${ranges.daily}`,
    monthly: `${base}/statistics/monthly?year=${ranges.monthly.year}&month=${ranges.monthly.month}`,
    heatMap: `${base}/statistics/heat-map?start=${ranges.heatMap.start}&end=${ranges.heatMap.end}`,
  };

  console.log(`\nAnswers and plans for the statistics member ${statsMember.email} (${statsMember.memberId})`);
  const ownPid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
  await checkAndExplain(http, client, database.url, statsMember, ranges, paths, ownPid);

  // The bench's own connections (this client, the backdating pool) are not the server's work.
  const benchPids = new Set<number>([ownPid]);
  const side = new pg.Pool({ connectionString: database.url, max: settings.timerConcurrency, idleTimeoutMillis: 0 });
  cleanups.push(() => side.end());
  const sideClients = await Promise.all(Array.from({ length: settings.timerConcurrency }, () => side.connect()));
  for (const c of sideClients)
    benchPids.add((await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid);
  for (const c of sideClients) c.release();

  const rows: Row[] = [];
  console.log(`\nRuns (load average ${loadAverage()})`);
  const routes: [string, string][] = [
    ['GET daily', paths.daily],
    ['GET monthly', paths.monthly],
    ['GET heat-map (1 year)', paths.heatMap],
  ];
  // V8 optimises the hot paths during the first seconds; that should not land in the first run.
  process.stdout.write(`  warming monta-server up (each statistics route 2 s at c=4, discarded) … `);
  for (const [, path] of routes) {
    const headers = { authorization: `Bearer ${statsMember.token}` };
    const warm = { baseUrl: server.url, method: 'GET' as const, path, headers, expectStatus: 200 };
    await runLoad({ ...warm, concurrency: 4, warmupSeconds: 0, seconds: 2 });
  }
  console.log('done');
  const measureRoutes = async (suffix: string) => {
    for (const [name, path] of routes) {
      for (const concurrency of settings.concurrencies) {
        process.stdout.write(`  ${(name + suffix).padEnd(22)} c=${concurrency} … `);
        const sample = samplers(server, database.name, benchPids);
        const result = await runLoad({
          baseUrl: server.url,
          method: 'GET',
          path,
          headers: { authorization: `Bearer ${statsMember.token}` },
          expectStatus: 200,
          concurrency,
          warmupSeconds: settings.warmupSeconds,
          seconds: settings.seconds,
          onMeasureStart: sample.start,
          onMeasureEnd: sample.stop,
        });
        const row = sample.fill({
          scenario: name + suffix,
          concurrency,
          unit: 'req/s',
          rate: result.requestsPerSecond,
          latency: { count: result.requests, p50: result.p50, p95: result.p95, p99: result.p99, max: result.max },
          errors: result.errors,
          generatorCpuMs: result.generatorCpuMs,
        });
        report(row);
        if (result.errorSamples.length) console.log(`    errors seen: ${result.errorSamples.join('; ')}`);
        rows.push(row);
        await sleep(1000); // let the server settle (GC, sockets) before the next run
      }
    }
  };
  await measureRoutes(' (raw)');

  // Issue 10: the same routes on the rollups, after a full backfill and a daily run of one day.
  const answersBefore = await Promise.all(
    routes.map(([, path]) => http.call('GET', path, { token: statsMember.token })),
  );
  const jobDb = openJobDatabase({ kind: 'postgres' } as Database, {
    url: database.url,
    applicationName: 'monta-bench-jobs',
    statementTimeoutMs: 600_000,
    connectTimeoutMs: 5000,
  });
  cleanups.push(() => jobDb.close());
  const jobs = new StatJobs(jobDb, TZ);
  const firstDay = addDays(today, -settings.days - 1);
  const tBackfill = performance.now();
  const filled = await jobs.backfill(firstDay, addDays(today, -2), new Date());
  const backfillMs = performance.now() - tBackfill;
  const tMonthly = performance.now();
  const monthly = await jobs.monthly(new Date());
  const monthlyMs = performance.now() - tMonthly;
  const tDaily = performance.now();
  const daily = await jobs.daily(new Date());
  const dailyMs = performance.now() - tDaily;
  await client.query('vacuum (analyze) stat_daily, stat_monthly, stat_state, stat_change');
  console.log(
    `  statistics jobs: full backfill ${filled.windowStart}..${filled.windowEnd} in ${(backfillMs / 1000).toFixed(1)} s ` +
      `(${filled.read} session parts read, ${filled.written} rows written); monthly ${monthly.windowStart}: ` +
      `${monthlyMs.toFixed(0)} ms (${monthly.written} rows); daily for one day (${daily.windowStart}): ` +
      `${dailyMs.toFixed(0)} ms (${daily.written} rows)`,
  );
  const answersAfter = await Promise.all(
    routes.map(([, path]) => http.call('GET', path, { token: statsMember.token })),
  );
  for (let i = 0; i < routes.length; i++) {
    if (answersAfter[i]!.text !== answersBefore[i]!.text) {
      throw new Error(`${routes[i]![0]}: the rollup answer differs from the raw one`);
    }
  }
  console.log('  the three answers on rollups are identical to the raw ones');
  await measureRoutes(' (rollups)');

  const maxIdBefore = Number(
    (await client.query<{ id: string | null }>('select max(study_record_id) as id from study_record')).rows[0].id ?? 0,
  );
  const timerUsers = Array.from({ length: settings.timerConcurrency }, (_, w) =>
    members.slice(1 + w * settings.timerMembersPerUser, 1 + (w + 1) * settings.timerMembersPerUser),
  );
  const modes: [string, number][] = [['start+end, instant', 0]];
  if (settings.timerSessionMinutes > 0) {
    modes.push([`start+end, ${settings.timerSessionMinutes}-min`, settings.timerSessionMinutes]);
  }
  const timerHttp = new HttpClient(server.url, settings.timerConcurrency);
  cleanups.push(async () => timerHttp.close());
  const END_BODY = JSON.stringify({ status: 'Completed' });
  for (const [name, minutes] of modes) {
    process.stdout.write(`  ${name.padEnd(22)} c=${settings.timerConcurrency} … `);
    const sample = samplers(server, database.name, benchPids);
    const result = await runIterations({
      concurrency: settings.timerConcurrency,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      onMeasureStart: sample.start,
      onMeasureEnd: sample.stop,
      iteration: async (worker, round, record) => {
        const member = timerUsers[worker][round % settings.timerMembersPerUser];
        const t0 = performance.now();
        const started = await timerHttp.call('POST', `${API}/study-timer/start`, {
          token: member.token,
          body: JSON.stringify({ category_id: member.categoryId }),
        });
        const t1 = performance.now();
        if (started.status !== 200) throw new Error(`start: HTTP ${started.status} ${started.text.slice(0, 200)}`);
        record('start', t1 - t0);
        if (minutes > 0) {
          await side.query(
            `update study_record set start_time = start_time - make_interval(mins => $2::int)
             where member_id = $1 and end_time is null and deleted_at is null`,
            [member.memberId, minutes],
          );
        }
        const t2 = performance.now();
        const ended = await timerHttp.call('POST', `${API}/study-timer/end`, { token: member.token, body: END_BODY });
        const t3 = performance.now();
        if (ended.status !== 200) throw new Error(`end: HTTP ${ended.status} ${ended.text.slice(0, 200)}`);
        if (minutes > 0) record('backdate (bench)', t2 - t1);
        record('end', t3 - t2);
      },
    });
    const row = sample.fill({
      scenario: name,
      concurrency: settings.timerConcurrency,
      unit: 'pairs/s',
      rate: result.iterationsPerSecond,
      latency: result.total,
      errors: result.errors,
      generatorCpuMs: result.generatorCpuMs,
    });
    report(row);
    if (result.errorSamples.length) console.log(`    errors seen: ${result.errorSamples.join('; ')}`);
    rows.push(row);
    for (const [step, latency] of result.steps) {
      rows.push({ ...row, scenario: `  ${step}`, latency, step: true });
    }
    await sleep(1000);
  }
  const effects = await client.query<Record<string, string>>(
    `select (select count(*) from study_record where study_record_id > $1) as records,
            (select count(*) from study_record where study_record_id > $1 and end_time - start_time >= interval '1 minute') as long_records,
            (select count(*) from transaction_record t join member m on m.member_id = t.member_id where m.nickname like 'bench-%') as rewards,
            (select count(*) from study_streak s join member m on m.member_id = s.member_id
              where m.nickname like 'bench-%' and s.last_study_date is not null) as streaks`,
    [maxIdBefore],
  );
  const e = effects.rows[0];
  console.log(
    `  the timer runs wrote ${e.records} sessions (${e.long_records} of a minute or more), ` +
      `${e.rewards} point rewards; ${e.streaks} bench members have a streak day`,
  );

  if (server.child.exitCode !== null) {
    throw new Error(`monta-server exited (${server.child.exitCode}) during the run:\n${server.output()}`);
  }
  console.log(
    `\nmonta-server RSS at the end: ${mib(processRss(serverPid))} MiB; load average at the end: ${loadAverage()}`,
  );

  const { header, lines } = table(rows);
  console.log('\nResults');
  printPlain(header, lines);
  console.log(
    'Columns: rate = answers 200 (or whole start+end pairs) completed in the measured window, per second; ' +
      'latencies per request (per pair; indented rows: its steps) as the client saw them, nearest rank; ' +
      'server CPU = monta-server user+system time; PG CPU = the PostgreSQL backends of the bench database ' +
      "(the bench's own connections left out); ms/op divides by the answers (pairs), % is of one core; " +
      "server CPU wait % = monta-server's main thread runnable but waiting for a core (schedstat); " +
      'machine busy % = both cores, everyone on the machine.',
  );
  console.log('\nMarkdown');
  printMarkdown(header, lines);
}

try {
  await main();
} catch (error) {
  console.error('\nbenchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanUp();
  clearTimeout(stop);
}
