import { addDays, daysBetween } from '../common/local-days.js';

export interface StreakState {
  current: number;
  longest: number;
  /** The latest local day that counted, `YYYY-MM-DD`. */
  lastStudyDate: string | null;
}

/**
 * Counts newly qualifying local days (each studied at least `STREAK_MIN_SECONDS`), in order: the day
 * after the last one extends the streak, a later one starts a new streak, an earlier or equal one
 * changes nothing.
 */
export function advanceStreak(state: StreakState, qualifyingDates: readonly string[]): StreakState {
  let { current, longest, lastStudyDate } = state;
  for (const date of [...qualifyingDates].sort()) {
    if (lastStudyDate !== null && date <= lastStudyDate) continue;
    current = lastStudyDate !== null && addDays(lastStudyDate, 1) === date ? current + 1 : 1;
    longest = Math.max(longest, current);
    lastStudyDate = date;
  }
  return { current, longest, lastStudyDate };
}

/** The streak as read on `today`: 0 once a whole local day was missed. */
export function currentStreakOn(state: StreakState, today: string): number {
  if (state.lastStudyDate === null) return 0;
  return daysBetween(state.lastStudyDate, today) <= 1 ? state.current : 0;
}

/**
 * Issue 14: a session uploaded late can fill a day on or before `lastStudyDate`, which
 * `advanceStreak` skips. The streak is then counted again from the qualifying days of a window
 * ending at the (possibly later) last day: the run ending there, and the longest run. Neither ever
 * drops below what the stored state or the plain advance gives (history the records don't hold).
 */
export function backfillStreak(
  state: StreakState,
  newQualifying: readonly string[],
  windowQualifying: ReadonlySet<string>,
): StreakState {
  const advanced = advanceStreak(state, newQualifying);
  const last = advanced.lastStudyDate;
  if (last === null) return advanced;
  let run = 0;
  for (let d = last; windowQualifying.has(d); d = addDays(d, -1)) run++;
  let longestRun = 0;
  let streak = 0;
  let previous: string | null = null;
  for (const d of [...windowQualifying].sort()) {
    streak = previous !== null && addDays(previous, 1) === d ? streak + 1 : 1;
    longestRun = Math.max(longestRun, streak);
    previous = d;
  }
  const current = Math.max(advanced.current, run);
  return { current, longest: Math.max(advanced.longest, longestRun, current), lastStudyDate: last };
}
