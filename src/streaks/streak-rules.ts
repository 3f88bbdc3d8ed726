import { addDays, daysBetween } from '../statistics/local-days.js';

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
