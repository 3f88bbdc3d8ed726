import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { CONFIG, type Config, MAX_SESSION_HOURS_EVER } from '../config/config.js';
import { DATABASE, type Database } from '../database/client.js';
import { addDays } from './local-days.js';

/** Which of a member's days the rollups answer exactly right now. */
export interface RollupView {
  dailyFrom: string;
  dailyThrough: string;
  monthlyFrom: string | null;
  monthlyThrough: string | null;
  /** Covered days with changes the rollups have not seen yet: these read raw. */
  dirty: Set<string>;
}

interface ViewRow {
  daily_from: string;
  daily_through: string;
  monthly_from: string | null;
  monthly_through: string | null;
  dirty: string[] | null;
}

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

  /** The coverage for `memberId` over [from, to] in `zone`, or undefined when rollups can't answer. */
  async view(memberId: string, from: string, to: string, zone: string): Promise<RollupView | undefined> {
    // One statement, one snapshot: the coverage and the pending changes are read together.
    const result = (await this.database.db.execute(sql`
      select to_char(s.daily_from, 'YYYY-MM-DD') daily_from, to_char(s.daily_through, 'YYYY-MM-DD') daily_through,
        to_char(s.monthly_from, 'YYYY-MM-DD') monthly_from, to_char(s.monthly_through, 'YYYY-MM-DD') monthly_through,
        (select array_agg(distinct to_char(d.day, 'YYYY-MM-DD'))
           from stat_change c
           cross join lateral generate_series(date_trunc('day', c.start_time at time zone ${zone}),
             date_trunc('day', c.end_time at time zone ${zone}), interval '1 day') as d(day)
           where c.member_id = ${memberId}
             and c.start_time < (${to}::timestamp + interval '1 day') at time zone ${zone}
             and c.end_time >= ${from}::timestamp at time zone ${zone}
             and c.start_time >= (${from}::timestamp at time zone ${zone}) - ${`${MAX_SESSION_HOURS_EVER} hours`}::interval
        ) dirty
      from stat_state s
      where s.name = 'rollup' and s.zone = ${zone} and s.daily_from is not null
    `)) as unknown as { rows: ViewRow[] };
    const row = result.rows[0];
    if (!row || row.daily_through < from || row.daily_from > to) return undefined;
    return {
      dailyFrom: row.daily_from,
      dailyThrough: row.daily_through,
      monthlyFrom: row.monthly_from,
      monthlyThrough: row.monthly_through,
      dirty: new Set(row.dirty ?? []),
    };
  }

  /** Day totals (seconds, non-zero) from the daily rollups over [from, to], leaving out `skip`. */
  async dayTotals(memberId: string, from: string, to: string, skip: Set<string>) {
    const result = (await this.database.db.execute(sql`
      select to_char(local_date, 'YYYY-MM-DD') as date, (sum(micros)::bigint / 1000000)::int as seconds
      from stat_daily
      where member_id = ${memberId} and local_date between ${from}::date and ${to}::date
      group by local_date
      -- Integer division floors (micros are never negative): cheaper than numeric floor per day.
      having sum(micros) >= 1000000
      order by local_date
    `)) as unknown as { rows: { date: string; seconds: number }[] };
    return result.rows.filter((r) => !skip.has(r.date)).map((r) => ({ date: r.date, seconds: Number(r.seconds) }));
  }

  /** The monthly rollup of `month` (its first day): zeros when the member studied nothing then. */
  async month(memberId: string, month: string) {
    const result = (await this.database.db.execute(sql`
      select seconds, study_days from stat_monthly where member_id = ${memberId} and month = ${month}::date
    `)) as unknown as { rows: { seconds: string | number; study_days: number }[] };
    const row = result.rows[0];
    return { totalSeconds: row ? Number(row.seconds) : 0, uniqueStudyDays: row ? Number(row.study_days) : 0 };
  }

  /** Whether rollups may answer for `zone` (another `?timezone=` reads raw). */
  servesZone(zone: string): boolean {
    return zone === this.config.DEFAULT_TIMEZONE;
  }
}

/** Splits [from, to] into the ranges that must read raw: outside the coverage, and the dirty days. */
export function rawRanges(from: string, to: string, view: RollupView): [string, string][] {
  const ranges: [string, string][] = [];
  const push = (a: string, b: string) => {
    const last = ranges.at(-1);
    if (last && addDays(last[1], 1) === a) last[1] = b;
    else ranges.push([a, b]);
  };
  if (from < view.dailyFrom) push(from, addDays(view.dailyFrom, -1));
  for (const day of [...view.dirty].sort()) {
    if (day >= from && day <= to && day >= view.dailyFrom && day <= view.dailyThrough) push(day, day);
  }
  if (to > view.dailyThrough) push(addDays(view.dailyThrough, 1) > from ? addDays(view.dailyThrough, 1) : from, to);
  return ranges;
}
