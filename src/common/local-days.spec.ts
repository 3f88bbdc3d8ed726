import { describe, expect, it } from 'vitest';
import {
  addDays,
  canonicalZone,
  datesFrom,
  datesTouched,
  daysBetween,
  isDate,
  isTimeZone,
  localDate,
} from './local-days.js';

describe('local days', () => {
  it('takes the local date in the zone, not UTC', () => {
    // 2024-02-07 15:30Z is 00:30 on the 8th in Seoul.
    expect(localDate(new Date('2024-02-07T15:30:00Z'), 'Asia/Seoul')).toBe('2024-02-08');
    expect(localDate(new Date('2024-02-07T15:30:00Z'), 'UTC')).toBe('2024-02-07');
    expect(localDate(new Date('2024-03-10T07:59:59Z'), 'America/Los_Angeles')).toBe('2024-03-09');
  });

  it('lists every date a session touches across local midnight', () => {
    // 23:50–00:10 in Seoul.
    expect(datesTouched(new Date('2024-02-07T14:50:00Z'), new Date('2024-02-07T15:10:00Z'), 'Asia/Seoul')).toEqual([
      '2024-02-07',
      '2024-02-08',
    ]);
    expect(datesTouched(new Date('2024-02-07T01:00:00Z'), new Date('2024-02-07T02:00:00Z'), 'Asia/Seoul')).toEqual([
      '2024-02-07',
    ]);
    expect(datesTouched(new Date('2024-02-07T14:00:00Z'), new Date('2024-02-09T16:00:00Z'), 'Asia/Seoul')).toEqual([
      '2024-02-07',
      '2024-02-08',
      '2024-02-09',
      '2024-02-10',
    ]);
  });

  it('follows DST in America/Los_Angeles (23- and 25-hour days)', () => {
    // 2024-03-10 00:00 PST = 08:00Z; 2024-03-11 00:00 PDT = 07:00Z: a 23-hour day.
    expect(
      datesTouched(new Date('2024-03-10T08:00:00Z'), new Date('2024-03-11T06:59:59Z'), 'America/Los_Angeles'),
    ).toEqual(['2024-03-10']);
    expect(localDate(new Date('2024-03-11T07:00:00Z'), 'America/Los_Angeles')).toBe('2024-03-11');
    // 2024-11-03 00:00 PDT = 07:00Z; 2024-11-04 00:00 PST = 08:00Z: a 25-hour day.
    expect(
      datesTouched(new Date('2024-11-03T07:00:00Z'), new Date('2024-11-04T07:59:59Z'), 'America/Los_Angeles'),
    ).toEqual(['2024-11-03']);
    expect(localDate(new Date('2024-11-04T08:00:00Z'), 'America/Los_Angeles')).toBe('2024-11-04');
  });

  it('validates dates and zones', () => {
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2023-02-29')).toBe(false);
    expect(isDate('2024-13-01')).toBe(false);
    expect(isDate('2024-1-1')).toBe(false);
    expect(isDate('2024-01-01T00:00')).toBe(false);
    expect(isTimeZone('America/Los_Angeles')).toBe(true);
    expect(isTimeZone('Mars/Base')).toBe(false);
  });

  it('does calendar arithmetic across months and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(daysBetween('2024-02-27', '2024-03-01')).toBe(3);
    expect(daysBetween('2024-03-01', '2024-02-27')).toBe(-3);
  });

  it('keeps years below 100 as they are (Date.UTC would make them 19xx)', () => {
    expect(addDays('0050-04-01', -1)).toBe('0050-03-31');
    expect(isDate('0050-02-29')).toBe(false);
    expect(isDate('0048-02-29')).toBe(true);
  });

  it('hands PostgreSQL canonical zone names, not abbreviations it reads differently', () => {
    expect(canonicalZone('Asia/Seoul')).toBe('Asia/Seoul');
    expect(canonicalZone('IST')).toMatch(/^Asia\/(Kolkata|Calcutta)$/); // ICU versions differ
    expect(canonicalZone('AET')).toBe('Australia/Sydney');
  });
});

describe('datesFrom', () => {
  it('steps through months, leap days and years as addDays does', () => {
    for (const from of [
      '2024-01-01',
      '2023-02-27',
      '2024-02-27',
      '1900-02-27',
      '2000-02-27',
      '0099-12-30',
      '0001-01-01',
      '9997-06-01',
    ]) {
      const dates = datesFrom(from, 800);
      expect(dates, from).toEqual(Array.from({ length: 800 }, (_, i) => addDays(from, i)));
    }
    expect(datesFrom('2024-02-28', 3)).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(datesFrom('2024-05-01', 0)).toEqual([]);
  });
});
