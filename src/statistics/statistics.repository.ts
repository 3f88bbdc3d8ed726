import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, gt, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { CONFIG, type Config } from '../config/config.js';
import { DATABASE, type Database, type DbOrTx } from '../database/client.js';
import { studyRecord } from '../database/schema.js';

export interface DayTotal {
  date: string;
  seconds: number;
}

/**
 * Study time per local day, straight from the records: each ended, live session counts toward every
 * local day it overlaps, for its part of that day (DST days have 23 or 25 hours, as PostgreSQL's
 * `AT TIME ZONE` makes them). Running sessions don't count.
 */
@Injectable()
export class StatisticsRepository {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Non-zero days from `from` to `to` (inclusive, `YYYY-MM-DD`), sorted by date. */
  async dayTotals(memberId: string, from: string, to: string, tz: string, tx: DbOrTx = this.database.db): Promise<DayTotal[]> {
    // Sessions are capped, so none that ends in the window started earlier than this: the index on
    // (member_id, start_time) bounds the scan.
    const cap = `${this.config.MAX_SESSION_HOURS} hours`;
    const result = (await tx.execute(sql`
      with days as (
        select d::date as day,
               d at time zone ${tz} as lo,
               (d + interval '1 day') at time zone ${tz} as hi
        from generate_series(${from}::timestamp, ${to}::timestamp, interval '1 day') as d
      )
      select to_char(days.day, 'YYYY-MM-DD') as date,
             floor(sum(extract(epoch from least(r.end_time, days.hi) - greatest(r.start_time, days.lo))))::int as seconds
      from days
      join study_record r
        on r.member_id = ${memberId}
       and r.deleted_at is null
       and r.end_time is not null
       and r.start_time < days.hi
       and r.end_time > days.lo
       and r.start_time >= (${from}::timestamp at time zone ${tz}) - ${cap}::interval
      group by days.day
      having floor(sum(extract(epoch from least(r.end_time, days.hi) - greatest(r.start_time, days.lo)))) > 0
      order by days.day
    `)) as unknown as { rows: DayTotal[] };
    return result.rows.map((r) => ({ date: r.date, seconds: Number(r.seconds) }));
  }

  /** Ended sessions overlapping the local day `date`, oldest first. */
  async recordsOfDay(memberId: string, date: string, tz: string) {
    const lo = sql`${date}::timestamp at time zone ${tz}`;
    const hi = sql`(${date}::timestamp + interval '1 day') at time zone ${tz}`;
    return this.database.db
      .select()
      .from(studyRecord)
      .where(
        and(
          eq(studyRecord.memberId, memberId),
          isNull(studyRecord.deletedAt),
          isNotNull(studyRecord.endTime),
          lt(studyRecord.startTime, hi),
          gt(studyRecord.endTime, lo),
        ),
      )
      .orderBy(asc(studyRecord.startTime), asc(studyRecord.studyRecordId));
  }
}
