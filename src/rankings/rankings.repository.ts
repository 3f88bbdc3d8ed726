import { Inject, Injectable } from '@nestjs/common';
import { type SQL, sql } from 'drizzle-orm';
import { DATABASE, type Database, type DbOrTx } from '../database/client.js';
import { canonicalZone } from '../common/local-days.js';
import { daySlices, longestSession } from '../statistics/session-days.js';

/** A uuid[] parameter: drizzle spreads a JS array into a list of parameters, so it goes as one literal. */
const uuids = (ids: string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

/** A day's total is floored to whole seconds once (as the statistics do), then the days are summed. */
const perMember = (parts: SQL) => sql`
  select member_id as "memberId", sum(seconds)::bigint as seconds
  from (select member_id, floor(sum(seconds)) as seconds from (${parts}) p group by member_id, day) d
  group by member_id
  having sum(seconds) > 0`;

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
    const only: SQL = memberIds ? sql`r.member_id = any(${uuids(memberIds)})` : sql`true`;
    const result = (await tx.execute(sql`
      with ${this.rawParts(w, [only], sql`true`)}
      ${perMember(sql`select member_id, day, seconds from raw_part`)}
    `)) as unknown as { rows: { memberId: string; seconds: string | number }[] };
    return result.rows.map((r) => ({ memberId: r.memberId, seconds: Number(r.seconds) }));
  }

  /**
   * The same totals for every member in DEFAULT_TIMEZONE, on the rollups (issue 10): a (member, day)
   * is read from stat_daily when the day is covered and no change of that member touching it is
   * pending in stat_change; every other one is read raw, exactly as the statistics combine them.
   * Both statements run in one repeatable-read snapshot, so a rollup run landing between them can't
   * count a day twice or not at all.
   */
  async totalsOnRollups(w: TotalsWindow): Promise<MemberTotal[]> {
    const tz = canonicalZone(w.zone);
    return this.database.db.transaction(
      async (tx) => {
        const state = (await tx.execute(sql`
          select to_char(daily_from, 'YYYY-MM-DD') as "from", to_char(daily_through, 'YYYY-MM-DD') as "through"
          from stat_state where name = 'rollup' and zone = ${tz} and daily_from is not null
        `)) as unknown as { rows: { from: string; through: string }[] };
        const covered = state.rows[0];
        const lo = covered && covered.from > w.from ? covered.from : w.from;
        const hi = covered && covered.through < w.to ? covered.through : w.to;
        if (!covered || lo > hi) return this.totals(w, undefined, tx);
        const loAt = sql`${lo}::timestamp at time zone ${tz}`;
        const hiAt = sql`(${hi}::timestamp + interval '1 day') at time zone ${tz}`;
        const ever = longestSession();
        // Raw: sessions reaching outside [lo, hi] (two start_time ranges of the index), those of a
        // member with a pending change, running ones; only their parts on uncovered days, changed
        // (member, day)s or of a running session count.
        const sources = [
          sql`r.start_time < ${loAt}`,
          sql`r.start_time >= ${hiAt} - ${ever} and (r.end_time is null or r.end_time > ${hiAt})`,
          sql`r.member_id in (select member_id from dirty)`,
          // Rollups hold ended sessions only: a running one counts raw on every day.
          sql`r.end_time is null`,
        ];
        const keep = sql`(p.running or p.day < ${lo}::date or p.day > ${hi}::date
          or exists (select 1 from dirty x where x.member_id = p.member_id and x.day = p.day))`;
        const result = (await tx.execute(sql`
          with dirty as (
            select distinct c.member_id, d.day::date as day
            from stat_change c
            cross join lateral generate_series(date_trunc('day', c.start_time at time zone ${tz}),
              date_trunc('day', c.end_time at time zone ${tz}), interval '1 day') as d(day)
            where c.start_time < ${hiAt} and c.end_time >= ${loAt} and c.start_time >= ${loAt} - ${ever}
          ), rolled as (
            select s.member_id, s.local_date as day, s.micros / 1000000.0 as seconds
            from stat_daily s
            where s.local_date between ${lo}::date and ${hi}::date
              and not exists (select 1 from dirty x where x.member_id = s.member_id and x.day = s.local_date)
          ), ${this.rawParts(w, sources, keep)}
          ${perMember(sql`select member_id, day, seconds from rolled union all select member_id, day, seconds from raw_part`)}
        `)) as unknown as { rows: { memberId: string; seconds: string | number }[] };
        return result.rows.map((r) => ({ memberId: r.memberId, seconds: Number(r.seconds) }));
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  /**
   * CTEs `part` and `raw_part`: each session of `sources` (a union) cut into the local days of the
   * window it touches, keeping the parts `keep` accepts (`p.day`, `p.running`).
   */
  private rawParts(w: TotalsWindow, sources: SQL[], keep: SQL): SQL {
    const tz = canonicalZone(w.zone);
    const lo = sql`${w.from}::timestamp at time zone ${tz}`;
    const hi = sql`(${w.to}::timestamp + interval '1 day') at time zone ${tz}`;
    const now = w.now.toISOString();
    // Where a running session ends for the ranking: now, capped, never before its start.
    const ends = sql`coalesce(r.end_time, greatest(r.start_time,
      least(${now}::timestamptz, r.start_time + ${`${w.capHours} hours`}::interval)))`;
    // No session lasts longer than the largest cap ever allowed, so start_time bounds the scan from
    // below too (study_record_start_idx, or the member index for a room).
    return sql`part as (
        ${daySlices(
          tz,
          sql.join(
            sources.map(
              (only) => sql`select * from study_record r
              where r.deleted_at is null
                and r.start_time < ${hi}
                and r.start_time >= ${lo} - ${longestSession()}
                and (r.end_time is null or r.end_time > ${lo})
                and ${only}`,
            ),
            sql` union `,
          ),
          { columns: sql`r.member_id, r.end_time is null as running,`, end: ends },
        )}
      ), raw_part as (
        select p.member_id, p.day, p.seconds
        from part p
        where p.day between ${w.from}::date and ${w.to}::date and ${keep}
      )`;
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
