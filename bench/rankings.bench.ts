/**
 * Rankings (issue 13): latency of GET /timer-api/rankings (top 50 plus the caller's own place) for a
 * local day, an ISO week and a month over BENCH_MEMBERS members holding a year of sessions, for a
 * caller ranked near the middle, at each BENCH_CONCURRENCY; beside `GET /members/me` in the same run
 * as the baseline (the same guards and envelope, no ranking). Prints figures, asserts no timing.
 *
 *   npx tsx bench/rankings.bench.ts
 *
 * For each member and each of the BENCH_DAYS local days up to yesterday (DEFAULT_TIMEZONE), with
 * probability BENCH_STUDY_PERCENT %, one ended session of 10–180 min at a random time (some cross
 * midnight), loaded with triggers off (no rollup change log). The caller is the middle of the last whole
 * month's ranking. Per period (the last whole day, ISO week and month), the first request (it builds the
 * snapshot) is timed on its own and checked against an independent SQL sum before the load runs.
 *
 * Settings: BENCH_MEMBERS (100000), BENCH_DAYS (365), BENCH_STUDY_PERCENT (20), BENCH_SECONDS (10),
 * BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY (1,16), BENCH_ADMIN_URL, BENCH_NODE_FLAGS,
 * RANKING_SNAPSHOT_SECONDS (passed to the server when set).
 */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { periodOf, type Period } from '../src/rankings/periods.js';
import { addDays, localDate } from '../src/common/local-days.js';
import { runBench } from './lib/cleanup.js';
import { figures, FIGURES, httpClient, measure } from './lib/http.js';
import { API, type BenchMember, insertMembers, logIn } from './lib/members.js';
import { startMonta } from './lib/proc.js';
import { printTable } from './lib/report.js';
import { setUp } from './lib/scratch-database.js';
import { intListSetting, intSetting } from './lib/settings.js';

const settings = {
  members: intSetting('BENCH_MEMBERS', 100_000, 10, 1_000_000),
  days: intSetting('BENCH_DAYS', 365, 35, 3650),
  sharePercent: intSetting('BENCH_STUDY_PERCENT', 20, 1, 100),
  seconds: intSetting('BENCH_SECONDS', 10, 1, 600),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 3, 0, 120),
  concurrencies: intListSetting('BENCH_CONCURRENCY', [1, 16], 1, 1024),
};
const TZ = loadConfig({}).DEFAULT_TIMEZONE;
const PERIODS: Period[] = ['day', 'week', 'month'];
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

async function loadSessions(client: pg.Client, yesterday: string): Promise<BenchMember[]> {
  const t0 = performance.now();
  await client.query(`set work_mem = '256MB'`);
  await client.query(`select setseed(0.13)`);
  const members = await insertMembers(client, 'rank', settings.members);
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
    [yesterday, settings.days, TZ, settings.sharePercent / 100],
  );
  await client.query(`set session_replication_role = origin`);
  await client.query('vacuum (analyze) study_record, member');
  console.log(`  ${settings.members} members, ${inserted.rowCount} study records, vacuumed: ${seconds(t0)} s`);
  return members;
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
  const { database, client } = await setUp(`${JSON.stringify(settings)}, zone ${TZ}`, 'monta_rank_bench');
  const yesterday = addDays(localDate(new Date(), TZ), -1);
  const members = await loadSessions(client, yesterday);

  // The last whole day, ISO week and month before today, and the exact totals of each.
  const dates: Record<Period, string> = {
    day: yesterday,
    week: addDays(periodOf('week', addDays(yesterday, 1)).start, -1),
    month: addDays(periodOf('month', addDays(yesterday, 1)).start, -1),
  };
  const exact = new Map<Period, Map<string, number>>();
  for (const period of PERIODS) {
    const range = periodOf(period, dates[period]);
    exact.set(period, await exactTotals(client, range.start, range.end));
  }
  // From the middle of the month's ranking, the first member who studied in the day and week too.
  const sorted = [...exact.get('month')!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const callerId = sorted
    .slice(Math.floor(sorted.length / 2))
    .map(([id]) => id)
    .find((id) => exact.get('day')!.has(id) && exact.get('week')!.has(id))!;
  const snapshot = process.env.RANKING_SNAPSHOT_SECONDS;
  const server = await startMonta(database.url, snapshot ? { RANKING_SNAPSHOT_SECONDS: snapshot } : {});
  const http = httpClient(server.url);
  const [{ token }] = await logIn(client, http, [members.find((m) => m.memberId === callerId)!]);

  const rows: string[][] = [];
  const load = async (label: string, route: string, path: string) => {
    for (const concurrency of settings.concurrencies) {
      const spec = { path, token, concurrency, warmupSeconds: settings.warmupSeconds, seconds: settings.seconds };
      rows.push([route, String(concurrency), ...figures(await measure(label, server, spec, { name: database.name }))]);
    }
  };
  await load('GET /members/me (baseline)', '/members/me', `${API}/members/me`);
  for (const period of PERIODS) {
    const path = `${API}/rankings?period=${period}&date=${dates[period]}&limit=50`;
    const t0 = performance.now();
    const first = await http.data<{ total: number; me: { rank: number; seconds: number } }>('GET', path, { token });
    const buildMs = performance.now() - t0;
    const totals = exact.get(period)!;
    const mine = totals.get(callerId) ?? 0;
    const rank = 1 + [...totals.values()].filter((s) => s > mine).length;
    const ok = first.total === totals.size && first.me?.seconds === mine && first.me.rank === rank;
    console.log(
      `\n${period} ${JSON.stringify(periodOf(period, dates[period]))}: first request (builds the snapshot) ${buildMs.toFixed(0)} ms; ` +
        `total ${first.total}, me ${JSON.stringify(first.me)}; independent SQL ${ok ? 'agrees' : 'DISAGREES'}`,
    );
    if (!ok) throw new Error(`wrong answer: expected total ${totals.size}, me rank ${rank} seconds ${mine}`);
    await load(`GET /rankings ${period}`, period, path);
  }
  console.log('\nResults');
  printTable(['route', 'conc.', ...FIGURES], rows);
}

await runBench(main, 1800);
