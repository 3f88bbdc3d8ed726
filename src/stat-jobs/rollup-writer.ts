import { type SQL, sql } from 'drizzle-orm';
import { addDays, daysBetween } from '../common/local-days.js';
import { daySlices, endedSessions } from '../statistics/session-days.js';
import { type JobDatabase, runQuery, type RunSql } from './job-database.js';

// Every writer of rollups holds it for its transaction: two runs never interleave, so a monthly
// total is never summed from days another run is rewriting.
const ROLLUP_LOCK = 7_305_462_111;
export const STATE = 'rollup';
const CHANGE_BATCH = 20_000;

export interface Coverage {
  zone: string;
  dailyFrom: string | null;
  dailyThrough: string | null;
  monthlyFrom: string | null;
  monthlyThrough: string | null;
}

export interface Counts {
  read: number;
  written: number;
}

const add = (a: Counts, b: Counts): Counts => ({ read: a.read + b.read, written: a.written + b.written });
export const NONE: Counts = { read: 0, written: 0 };

/** The first day of `date`'s month, and of the month after. */
export const monthOf = (date: string) => `${date.slice(0, 7)}-01`;
export const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12
    ? `${String(y + 1).padStart(4, '0')}-01-01`
    : `${month.slice(0, 5)}${String(m + 1).padStart(2, '0')}-01`;
};

const INSERT_DAILY = `insert into stat_daily (member_id, local_date, category_id, micros, sessions, completed)`;
const UPSERT_DAILY = `on conflict (member_id, local_date, category_id) do update set micros = excluded.micros,
    sessions = excluded.sessions, completed = excluded.completed`;
const WRITTEN_DAILY = `select (select count(*) from ins)::int written,
    (select coalesce(sum(sessions), 0) from ins)::int read`;
// stat_month_days from the daily rows: a select of stat_daily `s` grouped per member and day goes
// between the two (migration 20261202154119 fills the table with the same statement).
const MONTH_DAYS = `with day as (
    select s.member_id, date_trunc('month', s.local_date)::date as month, extract(day from s.local_date)::int as d,
      floor(sum(s.micros) / 1000000)::int as seconds`;
const MONTH_DAYS_INSERT = `), ins as (
    insert into stat_month_days (member_id, month, seconds)
    select m.member_id, m.month, array_agg(coalesce(day.seconds, 0) order by g.d)
    from (select distinct member_id, month from day) m
    cross join generate_series(1, 31) as g(d)
    left join day on day.member_id = m.member_id and day.month = m.month and day.d = g.d
    group by m.member_id, m.month
    order by m.member_id, m.month
    returning 1)
  select count(*)::int written from ins`;
const AGGREGATE = `select member_id, local_date, category_id, sum(micros), count(*)::int,
    (count(*) filter (where status = 'Completed'))::int`;

/**
 * Daily rows of the (member, day) parts of `sessions` that `keep` accepts (`s.member_id`, `s.day`),
 * cut as the raw statistics cut them (daySlices); counts the rows written and the session parts
 * read. The months of the days written are rebuilt after (refreshMonthDays), in the same transaction.
 */
function writeDays(zone: string, sessions: SQL, keep: SQL, from = sql``): SQL {
  const columns = sql`r.member_id, coalesce(r.study_category_id, 0) as category_id, r.status,`;
  return sql`with ins as (
    ${sql.raw(INSERT_DAILY)}
    ${sql.raw(AGGREGATE)} from (
      select s.member_id, s.day as local_date, s.category_id, (s.seconds * 1000000)::bigint as micros, s.status
      from ${from} (${daySlices(zone, sessions, { columns })}) s
      where ${keep}
    ) part where micros > 0
    group by member_id, local_date, category_id
    -- A member's days of one chunk land on few heap pages: a year's heat-map reads a handful.
    order by member_id, local_date, category_id
    ${sql.raw(UPSERT_DAILY)}
    returning sessions)
  ${sql.raw(WRITTEN_DAILY)}`;
}

async function lockedState(run: RunSql): Promise<Coverage | undefined> {
  await run('select pg_advisory_xact_lock($1)', [ROLLUP_LOCK]);
  const { rows } = await run<{
    zone: string;
    daily_from: string | null;
    daily_through: string | null;
    monthly_from: string | null;
    monthly_through: string | null;
  }>(
    `select zone, to_char(daily_from, 'YYYY-MM-DD') daily_from, to_char(daily_through, 'YYYY-MM-DD') daily_through,
       to_char(monthly_from, 'YYYY-MM-DD') monthly_from, to_char(monthly_through, 'YYYY-MM-DD') monthly_through
     from stat_state where name = $1`,
    [STATE],
  );
  const r = rows[0];
  return (
    r && {
      zone: r.zone,
      dailyFrom: r.daily_from,
      dailyThrough: r.daily_through,
      monthlyFrom: r.monthly_from,
      monthlyThrough: r.monthly_through,
    }
  );
}

async function saveState(run: RunSql, c: Coverage): Promise<void> {
  await run(
    `insert into stat_state (name, zone, daily_from, daily_through, monthly_from, monthly_through, updated_at)
     values ($1, $2, $3, $4, $5, $6, now())
     on conflict (name) do update set zone = excluded.zone, daily_from = excluded.daily_from,
       daily_through = excluded.daily_through, monthly_from = excluded.monthly_from,
       monthly_through = excluded.monthly_through, updated_at = now()`,
    [STATE, c.zone, c.dailyFrom, c.dailyThrough, c.monthlyFrom, c.monthlyThrough],
  );
}

const empty = (zone: string): Coverage => ({
  zone,
  dailyFrom: null,
  dailyThrough: null,
  monthlyFrom: null,
  monthlyThrough: null,
});

/** Writes the rollups of one time zone; every method is one or more short transactions. */
export class RollupWriter {
  constructor(
    private readonly db: JobDatabase,
    private readonly zone: string,
  ) {}

  /** The coverage, reset (rollups dropped) when DEFAULT_TIMEZONE changed since they were written. */
  async coverage(): Promise<Coverage> {
    return this.db.transaction(async (run) => {
      const state = await lockedState(run);
      if (state?.zone === this.zone) return state;
      await run('delete from stat_daily');
      await run('delete from stat_month_days');
      await run('delete from stat_monthly');
      await saveState(run, empty(this.zone));
      return empty(this.zone);
    });
  }

  /** The local date of the oldest ended live session, if any. */
  async firstRecordDate(): Promise<string | undefined> {
    const { rows } = await this.db.run<{ day: string | null }>(
      `select to_char(min(start_time) at time zone $1, 'YYYY-MM-DD') as day
       from study_record where end_time is not null and deleted_at is null`,
      [this.zone],
    );
    return rows[0]?.day ?? undefined;
  }

  /**
   * Recomputes every covered (member, day) that logged changes touch, and the monthly rows over
   * them, then removes the changes it consumed: changes logged meanwhile stay for the next run.
   */
  async consumeChanges(): Promise<Counts> {
    let total = NONE;
    for (;;) {
      const batch = await this.db.transaction(async (run) => {
        const state = (await lockedState(run)) ?? empty(this.zone);
        if (!state.dailyFrom || state.zone !== this.zone) {
          // Nothing is covered, so no change matters: a bulk load's log goes in one statement.
          const { rows } = await run<{ n: number }>(
            'with gone as (delete from stat_change returning 1) select count(*)::int n from gone',
          );
          return rows[0]!.n ? { read: rows[0]!.n, written: 0 } : undefined;
        }
        const { rows: ids } = await run<{ id: string }>(
          'select change_id::text id from stat_change order by change_id limit $1',
          [CHANGE_BATCH],
        );
        if (!ids.length) return undefined;
        const idList = ids.map((r) => r.id);
        let counts: Counts = { read: ids.length, written: 0 };
        if (state.zone === this.zone && state.dailyFrom && state.dailyThrough) {
          counts = add(counts, await this.recomputePairs(run, idList, state));
        }
        await run('delete from stat_change where change_id = any($1::bigint[])', [idList]);
        return counts;
      });
      if (!batch) return total;
      total = add(total, batch);
    }
  }

  private async recomputePairs(run: RunSql, ids: string[], state: Coverage): Promise<Counts> {
    const { rows: pairs } = await run<{ member_id: string; day: string }>(
      `select distinct c.member_id, to_char(d.day, 'YYYY-MM-DD') as day
       from stat_change c
       cross join lateral generate_series(date_trunc('day', c.start_time at time zone $1),
         date_trunc('day', c.end_time at time zone $1), interval '1 day') as d(day)
       where c.change_id = any($2::bigint[]) and d.day::date between $3::date and $4::date`,
      [this.zone, ids, state.dailyFrom, state.dailyThrough],
    );
    if (!pairs.length) return NONE;
    const members = pairs.map((p) => p.member_id);
    const days = pairs.map((p) => p.day);
    await run(
      `delete from stat_daily s using unnest($1::uuid[], $2::date[]) as p(member_id, day)
       where s.member_id = p.member_id and s.local_date = p.day`,
      [members, days],
    );
    // Per pair, the member's sessions overlapping that day (an index range each), cut into days.
    const { rows } = await runQuery<{ written: number; read: number }>(
      run,
      writeDays(
        this.zone,
        endedSessions(
          sql`p.pair_day::timestamp at time zone ${this.zone}`,
          sql`(p.pair_day::timestamp + interval '1 day') at time zone ${this.zone}`,
          sql`r.member_id = p.member_id`,
        ),
        sql`s.day = p.pair_day`,
        sql`unnest(${sql.param(members)}::uuid[], ${sql.param(days)}::date[]) as p(member_id, pair_day) cross join lateral`,
      ),
    );
    const touched = [...new Set(pairs.map((p) => `${p.member_id} ${monthOf(p.day)}`))].map((key) => {
      const [member, month] = key.split(' ') as [string, string];
      return { member, month };
    });
    // Both sides an index range per (member, month).
    const counts = {
      read: rows[0]!.read,
      written:
        rows[0]!.written +
        (await refreshMonthDays(run, DAILY_OF_PAIRS, PAIRS, [
          touched.map((m) => m.member),
          touched.map((m) => m.month),
        ])),
    };
    if (!state.monthlyFrom || !state.monthlyThrough) return counts;
    const months = touched.filter((p) => p.month >= state.monthlyFrom! && p.month <= state.monthlyThrough!);
    if (!months.length) return counts;
    const written = await refreshMonthly(run, DAILY_OF_PAIRS, PAIRS, [
      months.map((m) => m.member),
      months.map((m) => m.month),
    ]);
    return { read: counts.read, written: counts.written + written };
  }

  /** Recomputes the daily rows of every member for [from, to], in one transaction. */
  async recomputeDays(from: string, to: string, extend: (c: Coverage) => Coverage): Promise<Counts> {
    return this.db.transaction(async (run) => {
      const state = (await lockedState(run)) ?? empty(this.zone);
      if (state.zone !== this.zone) throw new Error('DEFAULT_TIMEZONE changed while the rollups were written');
      const { rows: gone } = await run<{ n: number }>(
        `with gone as (delete from stat_daily where local_date between $1::date and $2::date returning 1)
         select count(*)::int n from gone`,
        [from, to],
      );
      const { rows } = await runQuery<{ written: number; read: number }>(
        run,
        writeDays(
          this.zone,
          endedSessions(
            sql`${from}::timestamp at time zone ${this.zone}`,
            sql`(${to}::timestamp + interval '1 day') at time zone ${this.zone}`,
            sql`true`,
          ),
          sql`s.day between ${from}::date and ${to}::date`,
        ),
      );
      // Every month holding one of these days is rebuilt whole, for every member, unless no daily
      // row of these days went or came (a backfill's chunks before the first record).
      let written = rows[0]!.written;
      if (written > 0 || gone[0]!.n > 0)
        written += await refreshMonthDays(run, DAILY_OF_MONTHS, 'm.month between $1::date and $2::date', [
          monthOf(from),
          monthOf(to),
        ]);
      // Monthly rows over these days stay exact: a refill of covered months refreshes them too.
      if (state.monthlyFrom && state.monthlyThrough) {
        const lo = monthOf(from) > state.monthlyFrom ? monthOf(from) : state.monthlyFrom;
        const hi = monthOf(to) < state.monthlyThrough ? monthOf(to) : state.monthlyThrough;
        if (lo <= hi) {
          written += await refreshMonthly(run, DAILY_OF_MONTHS, 'm.month between $1::date and $2::date', [lo, hi]);
        }
      }
      await saveState(run, extend(state));
      return { read: rows[0]!.read, written };
    });
  }

  /**
   * Recomputes the monthly rows of the months in [fromMonth, toMonth] that the daily rows cover
   * whole, and makes the monthly coverage every such month (a contiguous range, as the daily one).
   */
  async recomputeMonths(fromMonth?: string, toMonth?: string): Promise<Counts & { months: string[] }> {
    return this.db.transaction(async (run) => {
      const state = (await lockedState(run)) ?? empty(this.zone);
      if (!state.dailyFrom || !state.dailyThrough) return { ...NONE, months: [] };
      const first = state.dailyFrom.endsWith('-01') ? state.dailyFrom : nextMonth(monthOf(state.dailyFrom));
      const afterLast = addDays(state.dailyThrough, 1).endsWith('-01')
        ? nextMonth(monthOf(state.dailyThrough))
        : monthOf(state.dailyThrough);
      const months: string[] = [];
      for (let m = first; m < afterLast; m = nextMonth(m)) {
        const known = state.monthlyFrom && state.monthlyThrough && m >= state.monthlyFrom && m <= state.monthlyThrough;
        const asked = fromMonth && toMonth && m >= fromMonth && m <= toMonth;
        if (!known || asked) months.push(m);
      }
      const written = months.length
        ? await refreshMonthly(
            run,
            `stat_daily s where date_trunc('month', s.local_date)::date = any($1::date[])`,
            `m.month = any($1::date[])`,
            [months],
          )
        : 0;
      const any = first < afterLast;
      await saveState(run, {
        ...state,
        monthlyFrom: any ? first : null,
        monthlyThrough: any ? monthOf(addDays(afterLast, -1)) : null,
      });
      return { read: 0, written, months };
    });
  }
}

/**
 * Rebuilds the stat_monthly rows `monthlyFilter` selects (`m`) from the stat_daily rows `daily` yields (a
 * from-clause naming them `s`): seconds sum the floored day totals, as the monthly route does.
 */
async function refreshMonthly(run: RunSql, daily: string, monthlyFilter: string, params: unknown[]) {
  await run(`delete from stat_monthly m where ${monthlyFilter}`, params);
  const { rows } = await run<{ written: number }>(
    `with ins as (
       insert into stat_monthly (member_id, month, seconds, study_days, micros, sessions, completed)
       select member_id, date_trunc('month', local_date)::date, sum(seconds), (count(*) filter (where seconds > 0))::int,
         sum(micros), sum(sessions), sum(completed)
       from (
         select s.member_id, s.local_date, floor(sum(s.micros) / 1000000.0) seconds, sum(s.micros) micros,
           sum(s.sessions) sessions, sum(s.completed) completed
         from ${daily}
         group by s.member_id, s.local_date
       ) day
       group by member_id, date_trunc('month', local_date)
       on conflict (member_id, month) do update set seconds = excluded.seconds, study_days = excluded.study_days,
         micros = excluded.micros, sessions = excluded.sessions, completed = excluded.completed
       returning 1)
     select count(*)::int written from ins`,
    params,
  );
  return rows[0]!.written;
}

// The stat_daily rows (`s`) of the (member, month) pairs $1, $2 (an index range each), and of the
// days of the months from $1's to $2's (an index range): what both month rebuilds read.
const DAILY_OF_PAIRS = `unnest($1::uuid[], $2::date[]) as p(member_id, month)
  cross join lateral (select * from stat_daily s where s.member_id = p.member_id
    and s.local_date >= p.month and s.local_date < (p.month + interval '1 month')::date) s`;
const DAILY_OF_MONTHS = `stat_daily s where s.local_date >= $1::date and s.local_date < ($2::date + interval '1 month')::date`;
const PAIRS = `(m.member_id, m.month) in (select * from unnest($1::uuid[], $2::date[]))`;

/**
 * Rebuilds the stat_month_days rows of the (member, month)s `monthFilter` selects (`m`) from their
 * stat_daily rows, which `daily` yields (a from-clause naming them `s`): each day's micros summed and
 * floored, at its day of the month. A month left without daily rows has no row.
 */
async function refreshMonthDays(run: RunSql, daily: string, monthFilter: string, params: unknown[]) {
  await run(`delete from stat_month_days m where ${monthFilter}`, params);
  const { rows } = await run<{ written: number }>(
    `${MONTH_DAYS} from ${daily} group by s.member_id, s.local_date
    ${MONTH_DAYS_INSERT}`,
    params,
  );
  return rows[0]!.written;
}

/** Splits [from, to] into chunks of at most `size` days, in order. */
export function chunks(from: string, to: string, size: number): [string, string][] {
  const out: [string, string][] = [];
  for (let start = from; daysBetween(start, to) >= 0; start = addDays(start, size)) {
    const end = addDays(start, size - 1);
    out.push([start, daysBetween(end, to) < 0 ? to : end]);
  }
  return out;
}
