import { Inject, Injectable } from '@nestjs/common';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { CONFIG, type Config } from '../config/config.js';
import { DATABASE, type Database } from '../database/client.js';
import { datesFrom, daysBetween } from '../common/local-days.js';
import { daySlices, endedSessions, longestSession } from './session-days.js';
import type { DayTotal } from './statistics.repository.js';

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
   * query's: covered, unchanged days from stat_month_days, the rest (outside the coverage, days of
   * pending changes, everything when there is no coverage) from study_record. One prepared
   * statement, so coverage, pending changes, rollups and records come from one snapshot in one
   * round trip; it answers one row of arrays that mergeDays() puts together.
   */
  async dayTotals(memberId: string, from: string, to: string, zone: string): Promise<DayTotal[]> {
    const span = daysBetween(from, to);
    if (span < 0) return [];
    const params = [memberId, from, to, zone];
    const rows = this.database.executePrepared
      ? await this.database.executePrepared('rollup_day_totals', DAY_TOTALS, params)
      : await this.database.execute(DAY_TOTALS, params);
    return mergeDays(from, span, rows.rows[0] as unknown as DayArrays);
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
            and c.start_time >= (${first}::timestamp at time zone ${zone}) - ${longestSession()}
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

// The day totals' statement, with its own positional parameters: $1 member, $2 from, $3 to, $4 zone.
const [member, first, last, tz] = ['$1::uuid', '$2::date', '$3::date', '$4::text'].map((p) => sql.raw(p)) as [
  SQL,
  SQL,
  SQL,
  SQL,
];
const DAY_TOTALS = dialect.sqlToQuery(sql`
  with s as materialized (
    select daily_from, daily_through from stat_state
    where name = 'rollup' and zone = ${tz} and daily_from is not null
  ),
  -- The covered days of changes logged since the last run, as day ranges (they may overlap): they
  -- read raw until a run recomputes them.
  changed as materialized (
    select greatest((c.start_time at time zone ${tz})::date, s.daily_from, ${first}) a,
      least((c.end_time at time zone ${tz})::date, s.daily_through, ${last}) b
    from stat_change c, s
    where c.member_id = ${member}
      and c.start_time < (${last}::timestamp + interval '1 day') at time zone ${tz}
      and c.end_time >= ${first}::timestamp at time zone ${tz}
      and c.start_time >= (${first}::timestamp at time zone ${tz}) - ${longestSession()}
  ),
  -- The days that read raw: all of them without coverage; before it, after it, its changed days.
  ranges as (
    select ${first} a, ${last} b where not exists (select from s)
    union all
    select ${first}, least(${last}, s.daily_from - 1) from s where ${first} < s.daily_from
    union all
    select greatest(${first}, s.daily_through + 1), ${last} from s where ${last} > s.daily_through
    union all
    select a, b from changed where a <= b
  ),
  -- The member's sessions cut into local days (the raw query's cut), per range, unsummed: a slice
  -- of two overlapping changed ranges comes twice, and mergeDays() counts each (record, day) once.
  raw as (
    select part.id, part.day - ${first} as d, (part.seconds * 1000000)::bigint as micros
    from ranges
    cross join lateral (
      ${daySlices(
        tz,
        endedSessions(
          sql`ranges.a::timestamp at time zone ${tz}`,
          sql`(ranges.b::timestamp + interval '1 day') at time zone ${tz}`,
          sql`r.member_id = ${member}`,
        ),
        { columns: sql`r.study_record_id as id,` },
      )}
      -- A fence: the scan runs once per range with its bounds, never once over all the member's records.
      offset 0
    ) part
    where part.day between ranges.a and ranges.b
  )
  -- Each set of arrays comes from one aggregate over the same rows, so they pair up.
  select s.daily_from - ${first} lo, s.daily_through - ${first} hi, ch.a changed_from, ch.b changed_to,
    m.months, m.seconds, r.ids raw_ids, r.days raw_days, r.micros raw_micros
  from (
    -- The day totals as text, months apart by ';' and days by ',' (parsing a two-dimensional int
    -- array allocated ~80 KB per year in the service, the largest part of what a heat-map allocates).
    select array_agg(month - ${first} order by month) months,
      string_agg(array_to_string(seconds, ','), ';' order by month) seconds
    from stat_month_days
    where member_id = ${member} and month between date_trunc('month', ${first}::timestamp)::date and ${last}
      and exists (select from s)
  ) m
  cross join (select array_agg(id) ids, array_agg(d) days, array_agg(micros) micros from raw) r
  cross join (select array_agg(a - ${first}) a, array_agg(b - ${first}) b from changed where a <= b) ch
  left join s on true
`).sql;

/**
 * The statement's answer, in day offsets from `from` (null where there is none): the coverage
 * [lo, hi] and its changed day ranges; each stored month's first day and its 31 day totals (as
 * `t,t,…;t,t,…`, in the months' order); the raw slices (record, day, microseconds).
 */
interface DayArrays {
  lo: number | null;
  hi: number | null;
  changed_from: number[] | null;
  changed_to: number[] | null;
  months: number[] | null;
  seconds: string | null;
  raw_ids: string[] | null;
  raw_days: number[] | null;
  raw_micros: string[] | null;
}

const [ZERO, NINE, SEMICOLON] = ['0', '9', ';'].map((c) => c.charCodeAt(0)) as [number, number, number];

/**
 * The day totals the raw query gives, sorted by day: a covered, unchanged day counts its stored
 * total, any other day the sum of its raw slices (each record's part of the day once) floored to
 * seconds, as the raw query floors it.
 */
function mergeDays(from: string, span: number, row: DayArrays): DayTotal[] {
  const byOffset = new Array<number>(span + 1).fill(0);
  const changed = new Set<number>();
  row.changed_from?.forEach((a, i) => {
    for (let d = a; d <= row.changed_to![i]!; d++) changed.add(d);
  });
  if (row.lo !== null && row.hi !== null && row.months) {
    const [lo, hi] = [Math.max(0, row.lo), Math.min(span, row.hi)];
    // Read digit by digit: no substring or number array per day.
    const [months, text] = [row.months, row.seconds!];
    let [month, day, seconds] = [0, 0, 0];
    for (let p = 0; p <= text.length; p++) {
      const c = p < text.length ? text.charCodeAt(p) : SEMICOLON;
      if (c >= ZERO && c <= NINE) {
        seconds = seconds * 10 + (c - ZERO);
        continue;
      }
      const d = months[month]! + day;
      if (seconds > 0 && d >= lo && d <= hi && !changed.has(d)) byOffset[d] = seconds;
      seconds = 0;
      if (c === SEMICOLON) [month, day] = [month + 1, 0];
      else day++;
    }
  }
  if (row.raw_days) {
    const micros = new Map<number, number>();
    const counted = new Set<string>();
    row.raw_days.forEach((d, i) => {
      const slice = `${row.raw_ids![i]}:${d}`;
      if (counted.has(slice)) return;
      counted.add(slice);
      micros.set(d, (micros.get(d) ?? 0) + Number(row.raw_micros![i]));
    });
    for (const [d, total] of micros) byOffset[d] = Math.floor(total / 1_000_000);
  }
  const dates = datesFrom(from, span + 1);
  const totals: DayTotal[] = [];
  byOffset.forEach((seconds, d) => {
    if (seconds > 0) totals.push({ date: dates[d]!, seconds });
  });
  return totals;
}
