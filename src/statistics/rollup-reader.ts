import { Inject, Injectable } from '@nestjs/common';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { CONFIG, type Config, MAX_SESSION_HOURS_EVER } from '../config/config.js';
import { DATABASE, type Database } from '../database/client.js';
import { sessionDaySlices } from './statistics.repository.js';

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
   * query's: covered, unchanged days from stat_day (one row per day), the rest (outside the coverage, days of pending
   * changes, everything when there is no coverage) from study_record. One statement, so the coverage,
   * the pending changes, the rollup rows and the records are read in one snapshot and one round trip.
   */
  async dayTotals(memberId: string, from: string, to: string, zone: string) {
    const maxSession = `${MAX_SESSION_HOURS_EVER} hours`;
    const rows = await this.run<{ date: string; seconds: number }>(
      'rollup_day_totals',
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
      )
      select to_char(local_date, 'YYYY-MM-DD') as date, (micros / 1000000)::int as seconds
      from stat_day, cov
      where member_id = ${memberId} and local_date between cov.lo and cov.hi
        and local_date not in (select day from dirty)
        -- Integer division floors (micros are never negative): cheaper than numeric floor per day.
        and micros >= 1000000
      union all
      -- The raw query of StatisticsRepository.dayTotals, once per range.
      select to_char(part.day, 'YYYY-MM-DD'), floor(sum(part.seconds))::int
      from ranges
      cross join lateral (
        ${sessionDaySlices(memberId, zone, sql`ranges.a::timestamp at time zone ${zone}`, sql`(ranges.b::timestamp + interval '1 day') at time zone ${zone}`)}
        -- A fence: the scan runs once per range with its bounds, never once over all the member's records.
        offset 0
      ) part
      where part.day between ranges.a and ranges.b
      group by part.day
      having floor(sum(part.seconds)) > 0
      order by 1
    `,
    );
    return rows.map((r) => ({ date: r.date, seconds: Number(r.seconds) }));
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
