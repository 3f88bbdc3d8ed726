import { addDays } from '../common/local-days.js';

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

export interface PeriodRange {
  /** First and last local date of the period (inclusive). */
  start: string;
  end: string;
}

/** ISO weekday of a calendar date: 1 Monday … 7 Sunday. */
function isoWeekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  return ((day.getUTCDay() + 6) % 7) + 1;
}

/** The local day, the ISO week (Monday first) or the calendar month that contains `date`. */
export function periodOf(period: Period, date: string): PeriodRange {
  if (period === 'day') return { start: date, end: date };
  if (period === 'week') {
    const start = addDays(date, 1 - isoWeekday(date));
    return { start, end: addDays(start, 6) };
  }
  const start = `${date.slice(0, 8)}01`;
  // The day before the first of the next month: 32 days on from the 1st always lands in the next month.
  const next = addDays(start, 32);
  return { start, end: addDays(`${next.slice(0, 8)}01`, -1) };
}
