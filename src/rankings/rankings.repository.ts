import { Inject, Injectable } from '@nestjs/common';
import { type SQL, sql } from 'drizzle-orm';
import { MAX_SESSION_HOURS_EVER } from '../config/config.js';
import { DATABASE, type Database, type DbOrTx } from '../database/client.js';
import { canonicalZone } from '../statistics/local-days.js';

/** A uuid[] parameter: drizzle spreads a JS array into a list of parameters, so it goes as one literal. */
const uuids = (ids: string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

export interface MemberTotal {
  memberId: string;
  seconds: number;
}

export interface RankingProfile {
  memberId: string;
  nickname: string;
  imageUrl: string | null;
  isStudying: boolean;
  optOut: boolean;
}

export interface TotalsWindow {
  /** First and last local date (inclusive). */
  from: string;
  to: string;
  zone: string;
  /** The running session counts up to here, and no further than `capHours` after its start. */
  now: Date;
  capHours: number;
}

/**
 * All SQL of the rankings. Study time per member over a range of local days, straight from the records
 * and cut as the statistics cut them: each session counts toward every local day it overlaps, a day's
 * total is floored to whole seconds once, a period sums its days. Unlike the statistics, the running
 * session counts, up to `now` and at most `capHours` long (what ending it now would record).
 */
@Injectable()
export class RankingsRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Members with more than zero seconds in the window; only `memberIds` when given (a room). */
  async totals(w: TotalsWindow, memberIds?: string[], tx: DbOrTx = this.database.db): Promise<MemberTotal[]> {
    const tz = canonicalZone(w.zone);
    const lo = sql`${w.from}::timestamp at time zone ${tz}`;
    const hi = sql`(${w.to}::timestamp + interval '1 day') at time zone ${tz}`;
    const now = w.now.toISOString();
    // Where a running session ends for the ranking: now, capped, never before its start.
    const ends = sql`coalesce(r.end_time, greatest(r.start_time,
      least(${now}::timestamptz, r.start_time + ${`${w.capHours} hours`}::interval)))`;
    const only: SQL = memberIds ? sql`and r.member_id = any(${uuids(memberIds)})` : sql``;
    // No session lasts longer than the largest cap ever allowed, so start_time bounds the scan from
    // below too (study_record_start_idx, or the member index for a room).
    const result = (await tx.execute(sql`
      with part as (
        select r.member_id, d.day::date as day,
               extract(epoch from least(${ends}, (d.day + interval '1 day') at time zone ${tz})
                                  - greatest(r.start_time, d.day at time zone ${tz})) as seconds
        from study_record r
        cross join lateral generate_series(
          date_trunc('day', r.start_time at time zone ${tz}),
          date_trunc('day', ${ends} at time zone ${tz}),
          interval '1 day') as d(day)
        where r.deleted_at is null
          and r.start_time < ${hi}
          and r.start_time >= ${lo} - ${`${MAX_SESSION_HOURS_EVER} hours`}::interval
          and (r.end_time is null or r.end_time > ${lo})
          ${only}
      ), daily as (
        select member_id, floor(sum(seconds)) as seconds
        from part
        where day between ${w.from}::date and ${w.to}::date
        group by member_id, day
      )
      select member_id as "memberId", sum(seconds)::bigint as seconds
      from daily
      group by member_id
      having sum(seconds) > 0
    `)) as unknown as { rows: { memberId: string; seconds: string | number }[] };
    return result.rows.map((r) => ({ memberId: r.memberId, seconds: Number(r.seconds) }));
  }

  /** Members who left the overall ranking (few: the snapshot keeps them aside). */
  async optedOut(tx: DbOrTx = this.database.db): Promise<string[]> {
    const result = (await tx.execute(
      sql`select member_id as "memberId" from member where ranking_opt_out`,
    )) as unknown as { rows: { memberId: string }[] };
    return result.rows.map((r) => r.memberId);
  }

  /** What a ranking row shows of each member, read live; absent ids (erased members) are left out. */
  async profiles(memberIds: string[], tx: DbOrTx = this.database.db): Promise<Map<string, RankingProfile>> {
    if (memberIds.length === 0) return new Map();
    const result = (await tx.execute(sql`
      select member_id as "memberId", nickname, image_url as "imageUrl",
             active_record_id is not null as "isStudying", ranking_opt_out as "optOut"
      from member where member_id = any(${uuids(memberIds)})
    `)) as unknown as { rows: RankingProfile[] };
    return new Map(result.rows.map((r) => [r.memberId, r]));
  }

  async memberIdOf(accountId: string, tx: DbOrTx = this.database.db): Promise<string | undefined> {
    const result = (await tx.execute(
      sql`select member_id as "memberId" from member where account_id = ${accountId} limit 1`,
    )) as unknown as { rows: { memberId: string }[] };
    return result.rows[0]?.memberId;
  }
}
