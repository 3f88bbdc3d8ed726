import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, gt, isNotNull, isNull, lt, type SQL, sql } from 'drizzle-orm';
import { DATABASE, type Database, type DbOrTx } from '../database/client.js';
import { studyRecord } from '../database/schema.js';
import { canonicalZone } from '../common/local-days.js';
import { daySlices, endedSessions } from './session-days.js';

/** The member's ended sessions overlapping [lo, hi), cut into the local days of `tz`: rows (day, seconds). */
export const sessionDaySlices = (memberId: string, tz: string, lo: SQL, hi: SQL): SQL =>
  daySlices(tz, endedSessions(lo, hi, sql`r.member_id = ${memberId}`));

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
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Non-zero days from `from` to `to` (inclusive, `YYYY-MM-DD`), sorted by date. */
  async dayTotals(
    memberId: string,
    from: string,
    to: string,
    zone: string,
    tx: DbOrTx = this.database.db,
  ): Promise<DayTotal[]> {
    const tz = canonicalZone(zone);
    const lo = sql`${from}::timestamp at time zone ${tz}`;
    const hi = sql`(${to}::timestamp + interval '1 day') at time zone ${tz}`;
    // Sessions cut into their local days, then summed per day: the work grows with the member's
    // sessions in the window, not with days × sessions.
    const result = (await tx.execute(sql`
      select to_char(part.day, 'YYYY-MM-DD') as date, floor(sum(part.seconds))::int as seconds
      from (${sessionDaySlices(memberId, tz, lo, hi)}
      ) part
      where part.day between ${from}::date and ${to}::date
      group by part.day
      having floor(sum(part.seconds)) > 0
      order by part.day
    `)) as unknown as { rows: DayTotal[] };
    return result.rows.map((r) => ({ date: r.date, seconds: Number(r.seconds) }));
  }

  /** Ended sessions overlapping the local day `date`, oldest first. */
  async recordsOfDay(memberId: string, date: string, zone: string) {
    const tz = canonicalZone(zone);
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
