import { type SQL, sql } from 'drizzle-orm';
import { MAX_SESSION_HOURS_EVER } from '../config/config.js';

/**
 * The one definition of how a session counts toward local days, for every reader and writer of
 * study time (raw statistics, the rollup reader's raw remainder, the rollup writers, the rankings):
 * each session of `sessions` (a select of study_record rows, aliased `r` here) cut at the local
 * midnights of `tz` it crosses, as rows (`columns`…, day, seconds). A session counts toward every
 * local day it overlaps, for its part of that day (DST days have 23 or 25 hours, as PostgreSQL's
 * `AT TIME ZONE` makes them). `end` is where a session ends (the rankings end a running one now).
 */
export function daySlices(tz: string | SQL, sessions: SQL, options: { columns?: SQL; end?: SQL } = {}): SQL {
  const end = options.end ?? sql`r.end_time`;
  return sql`select ${options.columns ?? sql``} d.day::date as day,
         extract(epoch from
           least(${end}, (d.day + interval '1 day') at time zone ${tz})
           - greatest(r.start_time, d.day at time zone ${tz})) as seconds
  from (${sessions}) r
  cross join lateral generate_series(
    date_trunc('day', r.start_time at time zone ${tz}),
    date_trunc('day', ${end} at time zone ${tz}),
    interval '1 day') as d(day)`;
}

/** How far before a window a session overlapping it can have started: the largest cap ever allowed. */
// A constant, written into the text: statements built with positional parameters of their own stay free of drizzle's.
export const longestSession = () => sql.raw(`interval '${MAX_SESSION_HOURS_EVER} hours'`);

/**
 * The ended, live sessions overlapping [lo, hi) that `where` keeps. No session lasts longer than
 * the largest cap ever allowed, so start_time bounds the scan from below too (an index range).
 */
export const endedSessions = (lo: SQL, hi: SQL, where: SQL): SQL => sql`select * from study_record r
  where r.deleted_at is null
    and r.end_time is not null
    and r.start_time < ${hi}
    and r.end_time > ${lo}
    and r.start_time >= ${lo} - ${longestSession()}
    and ${where}`;
