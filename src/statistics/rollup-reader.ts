import { Inject, Injectable } from '@nestjs/common';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { CONFIG, type Config, MAX_SESSION_HOURS_EVER } from '../config/config.js';
import { DATABASE, type Database } from '../database/client.js';
import { addDays, daysBetween } from '../common/local-days.js';
import { type DayTotal, sessionDaySlices } from './statistics.repository.js';

const dialect = new PgDialect();

/**
 * Reads the pre-computed statistics (issue 10): rollup rows are exact for the covered days minus the
 * days of changes logged since (`stat_change`), which stay raw until a run recomputes them.
 */
@Injectable()
export class RollupReader {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /**
   * Day totals (seconds, non-zero) over [from, to] in `zone` (the rollups' zone), equal to the raw
   * query's: covered, unchanged days from stat_day (one row per day), the rest (outside the coverage,
   * days of pending changes, everything when there is no coverage) from study_record. One statement,
   * so the coverage, the pending changes, the rollup rows and the records are read in one snapshot
   * and one round trip. It answers one row of arrays (day offsets from `from`, seconds), the rollup
   * days and the raw days apart: building and sending ~365 rows cost more than the reading does.
   */
  async dayTotals(memberId: string, from: string, to: string, zone: string): Promise<DayTotal[]> {
    const span = daysBetween(from, to);
    if (span < 0) return [];
    const maxSession = `${MAX_SESSION_HOURS_EVER} hours`;
    const [row] = await this.run<DayArrays>(
      'rollup_day_arrays',
      sql`
      with s as materialized (
        select daily_from, daily_through from stat_state
        where name = 'rollup' and zone = ${zone} and daily_from is not null
      ),
      cov as (
        select greatest(s.daily_from, ${from}::date) lo, least(s.daily_through, ${to}::date) hi from s
      ),
      dirty as materialized (
        select distinct d.day::date as day
        from stat_change c
        cross join lateral generate_series(date_trunc('day', c.start_time at time zone ${zone}),
          date_trunc('day', c.end_time at time zone ${zone}), interval '1 day') as d(day)
        where exists (select from s)
          and c.member_id = ${memberId}
          and c.start_time < (${to}::timestamp + interval '1 day') at time zone ${zone}
          and c.end_time >= ${from}::timestamp at time zone ${zone}
          and c.start_time >= (${from}::timestamp at time zone ${zone}) - ${maxSession}::interval
      ),
      -- Disjoint ranges of the days that read raw, as rawRanges() cut them before.
      ranges as (
        select ${from}::date a, ${to}::date b where not exists (select from s)
        union all
        select ${from}::date, least(${to}::date, s.daily_from - 1) from s where ${from}::date < s.daily_from
        union all
        select greatest(${from}::date, s.daily_through + 1), ${to}::date from s where ${to}::date > s.daily_through
        union all
        select dirty.day, dirty.day from dirty, cov where dirty.day between cov.lo and cov.hi
      ),
      -- The raw query of StatisticsRepository.dayTotals, once per range.
      raw as (
        select part.day - ${from}::date as d, floor(sum(part.seconds))::int as seconds
        from ranges
        cross join lateral (
          ${sessionDaySlices(memberId, zone, sql`ranges.a::timestamp at time zone ${zone}`, sql`(ranges.b::timestamp + interval '1 day') at time zone ${zone}`)}
          -- A fence: the scan runs once per range with its bounds, never once over all the member's records.
          offset 0
        ) part
        where part.day between ranges.a and ranges.b
        group by part.day
        having floor(sum(part.seconds)) > 0
      )
      -- Both arrays of a part come from one aggregate over the same rows, so they pair up.
      select rolled.days, rolled.seconds, r.days raw_days, r.seconds raw_seconds
      from (
        select array_agg(local_date - ${from}::date) days,
          -- Integer division floors (micros are never negative): cheaper than numeric floor per day.
          array_agg((micros / 1000000)::int) seconds
        from stat_day, cov
        where member_id = ${memberId} and local_date between cov.lo and cov.hi
          and local_date not in (select day from dirty)
          and micros >= 1000000
      ) rolled,
      (select array_agg(d) days, array_agg(seconds) seconds from raw) r
    `,
    );
    return mergeDays(from, span, row!);
  }

  /**
   * The monthly rollup of the month [first, last] in `zone` (zeros when the member studied nothing
   * then), or undefined when it is not exact: the month is outside the coverage, or one of the
   * member's days in it changed since. Coverage, pending changes and the row in one statement.
   */
  async exactMonth(memberId: string, first: string, last: string, zone: string) {
    const [row] = await this.run<{ seconds: string | number | null; study_days: number | null }>(
      'rollup_month',
      sql`
      select m.seconds, m.study_days
      from stat_state s
      left join stat_monthly m on m.member_id = ${memberId} and m.month = ${first}::date
      where s.name = 'rollup' and s.zone = ${zone} and s.daily_from is not null
        and s.daily_through >= ${first}::date and s.daily_from <= ${last}::date
        and s.monthly_from <= ${first}::date and s.monthly_through >= ${first}::date
        and not exists (
          select from stat_change c
          cross join lateral generate_series(date_trunc('day', c.start_time at time zone ${zone}),
            date_trunc('day', c.end_time at time zone ${zone}), interval '1 day') as d(day)
          where c.member_id = ${memberId}
            and c.start_time < (${last}::timestamp + interval '1 day') at time zone ${zone}
            and c.end_time >= ${first}::timestamp at time zone ${zone}
            and c.start_time >= (${first}::timestamp at time zone ${zone}) - ${`${MAX_SESSION_HOURS_EVER} hours`}::interval
            and d.day::date between ${first}::date and ${last}::date
        )
    `,
    );
    if (!row) return undefined;
    return { totalSeconds: Number(row.seconds ?? 0), uniqueStudyDays: Number(row.study_days ?? 0) };
  }

  /**
   * Runs `query` as a named prepared statement where the database has them: these statements take
   * longer to plan than to run, and their text never changes (only the parameters do).
   */
  private async run<T>(name: string, query: SQL): Promise<T[]> {
    if (!this.database.executePrepared)
      return ((await this.database.db.execute(query)) as unknown as { rows: T[] }).rows;
    const { sql: text, params } = dialect.sqlToQuery(query);
    return (await this.database.executePrepared(name, text, params)).rows as T[];
  }

  /** Whether rollups may answer for `zone` (another `?timezone=` reads raw). */
  servesZone(zone: string): boolean {
    return zone === this.config.DEFAULT_TIMEZONE;
  }
}

/** The statement's answer: day offsets from `from` and their seconds, rollup and raw days apart (null when none). */
interface DayArrays {
  days: number[] | null;
  seconds: number[] | null;
  raw_days: number[] | null;
  raw_seconds: number[] | null;
}

/**
 * The days of both parts (disjoint: a day reads either its rollup or its records) as the raw query
 * sorts them: each day's seconds put at its offset in [0, span], then the non-zero ones in order.
 */
function mergeDays(from: string, span: number, row: DayArrays): DayTotal[] {
  const byOffset = new Array<number>(span + 1).fill(0);
  const put = (days: number[] | null, seconds: number[] | null) =>
    days?.forEach((d, i) => {
      byOffset[d] = Number(seconds![i]);
    });
  put(row.days, row.seconds);
  put(row.raw_days, row.raw_seconds);
  const totals: DayTotal[] = [];
  byOffset.forEach((seconds, d) => {
    if (seconds > 0) totals.push({ date: addDays(from, d), seconds });
  });
  return totals;
}
