import { describe, expect, it } from 'vitest';
import { advanceStreak, backfillStreak, currentStreakOn, type StreakState } from './streak-rules.js';

const empty: StreakState = { current: 0, longest: 0, lastStudyDate: null };

describe('advanceStreak', () => {
  it('counts consecutive days and keeps the longest', () => {
    let s = advanceStreak(empty, ['2024-02-01']);
    expect(s).toEqual({ current: 1, longest: 1, lastStudyDate: '2024-02-01' });
    s = advanceStreak(s, ['2024-02-02']);
    s = advanceStreak(s, ['2024-02-03']);
    expect(s).toEqual({ current: 3, longest: 3, lastStudyDate: '2024-02-03' });
  });

  it('restarts after a gap, keeping the longest', () => {
    const s = advanceStreak({ current: 3, longest: 3, lastStudyDate: '2024-02-03' }, ['2024-02-05']);
    expect(s).toEqual({ current: 1, longest: 3, lastStudyDate: '2024-02-05' });
  });

  it('counts a day once, however many sessions it has', () => {
    const s = advanceStreak({ current: 2, longest: 5, lastStudyDate: '2024-02-03' }, ['2024-02-03']);
    expect(s).toEqual({ current: 2, longest: 5, lastStudyDate: '2024-02-03' });
  });

  it('takes both days of a session across midnight, in order, across months', () => {
    const s = advanceStreak({ current: 4, longest: 4, lastStudyDate: '2024-02-28' }, ['2024-03-01', '2024-02-29']);
    expect(s).toEqual({ current: 6, longest: 6, lastStudyDate: '2024-03-01' });
  });
});

describe('currentStreakOn', () => {
  const s: StreakState = { current: 5, longest: 7, lastStudyDate: '2024-02-10' };
  it('holds on the day and the day after, 0 after a whole missed day', () => {
    expect(currentStreakOn(s, '2024-02-10')).toBe(5);
    expect(currentStreakOn(s, '2024-02-11')).toBe(5);
    expect(currentStreakOn(s, '2024-02-12')).toBe(0);
    expect(currentStreakOn(empty, '2024-02-12')).toBe(0);
  });
});

describe('backfillStreak (issue 14: a late upload)', () => {
  const days = (...d: string[]) => new Set(d);

  it('a filled gap joins the run before it to the last day', () => {
    const before = { current: 1, longest: 2, lastStudyDate: '2024-02-09' };
    const window = days('2024-02-05', '2024-02-06', '2024-02-07', '2024-02-08', '2024-02-09');
    expect(backfillStreak(before, ['2024-02-08'], window)).toEqual({
      current: 5,
      longest: 5,
      lastStudyDate: '2024-02-09',
    });
  });

  it('a filled gap between two older runs lengthens only the longest', () => {
    const before = { current: 1, longest: 2, lastStudyDate: '2024-02-20' };
    const window = days('2024-02-01', '2024-02-02', '2024-02-03', '2024-02-04', '2024-02-20');
    expect(backfillStreak(before, ['2024-02-03'], window)).toEqual({
      current: 1,
      longest: 4,
      lastStudyDate: '2024-02-20',
    });
  });

  it('a session across midnight onto the day after the last extends it', () => {
    const before = { current: 2, longest: 2, lastStudyDate: '2024-02-02' };
    const window = days('2024-02-01', '2024-02-02', '2024-02-03');
    expect(backfillStreak(before, ['2024-02-02', '2024-02-03'], window)).toEqual({
      current: 3,
      longest: 3,
      lastStudyDate: '2024-02-03',
    });
  });

  it('never drops below the stored state (history the records lack)', () => {
    const before = { current: 9, longest: 12, lastStudyDate: '2024-02-09' };
    expect(backfillStreak(before, ['2024-02-09'], days('2024-02-09'))).toEqual(before);
  });
});
