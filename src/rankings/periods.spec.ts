import { describe, expect, it } from 'vitest';
import { periodOf } from './periods.js';

describe('ranking periods', () => {
  it('is the date itself for a day', () => {
    expect(periodOf('day', '2026-03-15')).toEqual({ start: '2026-03-15', end: '2026-03-15' });
  });

  it('starts the ISO week on Monday', () => {
    // 2026-12-07 is a Monday, 2026-12-13 a Sunday.
    expect(periodOf('week', '2026-12-07')).toEqual({ start: '2026-12-07', end: '2026-12-13' });
    expect(periodOf('week', '2026-12-13')).toEqual({ start: '2026-12-07', end: '2026-12-13' });
    expect(periodOf('week', '2026-12-14')).toEqual({ start: '2026-12-14', end: '2026-12-20' });
  });

  it('keeps an ISO week whole across a year end', () => {
    // 2026-01-01 is a Thursday: its week (2026-W01) began on Monday 2025-12-29.
    expect(periodOf('week', '2026-01-01')).toEqual({ start: '2025-12-29', end: '2026-01-04' });
    expect(periodOf('week', '2025-12-29')).toEqual({ start: '2025-12-29', end: '2026-01-04' });
    // 2027-01-01 is a Friday: 2026-W53 runs from 2026-12-28 to 2027-01-03.
    expect(periodOf('week', '2027-01-03')).toEqual({ start: '2026-12-28', end: '2027-01-03' });
  });

  it('covers the calendar month, leap February included', () => {
    expect(periodOf('month', '2024-02-10')).toEqual({ start: '2024-02-01', end: '2024-02-29' });
    expect(periodOf('month', '2026-02-28')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(periodOf('month', '2026-12-31')).toEqual({ start: '2026-12-01', end: '2026-12-31' });
    expect(periodOf('month', '2026-04-01')).toEqual({ start: '2026-04-01', end: '2026-04-30' });
  });
});
