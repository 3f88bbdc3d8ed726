import { describe, expect, it } from 'vitest';
import { isInstant } from './study-timer.dto.js';
import { offlineRefusal, toWholeSecond } from './offline-rules.js';

const limits = { maxAgeDays: 7, maxSessionHours: 12, clockSkewSeconds: 60 };
const now = new Date('2024-05-10T03:00:00Z');
const code = (start: string, end: string) => offlineRefusal(new Date(start), new Date(end), now, limits)?.code ?? null;

describe('offlineRefusal', () => {
  it('refuses in rule order and accepts the edges', () => {
    expect(code('2024-05-10T02:00:00Z', '2024-05-10T02:00:00Z')).toBe('OFFLINE_END_BEFORE_START');
    expect(code('2024-05-10T02:00:00Z', '2024-05-10T03:01:01Z')).toBe('OFFLINE_IN_FUTURE');
    expect(code('2024-05-10T02:00:00Z', '2024-05-10T03:01:00Z')).toBeNull();
    expect(code('2024-05-03T02:59:59Z', '2024-05-03T04:00:00Z')).toBe('OFFLINE_TOO_OLD');
    expect(code('2024-05-03T03:00:00Z', '2024-05-03T04:00:00Z')).toBeNull();
    expect(code('2024-05-08T00:00:00Z', '2024-05-08T12:00:01Z')).toBe('OFFLINE_TOO_LONG');
    expect(code('2024-05-08T00:00:00Z', '2024-05-08T12:00:00Z')).toBeNull();
  });

  it('keeps whole seconds', () => {
    expect(toWholeSecond('2024-05-10T03:00:00.999+09:00').toISOString()).toBe('2024-05-09T18:00:00.000Z');
  });
});

describe('isInstant', () => {
  it('wants an offset and fields in range', () => {
    expect(isInstant('2024-05-10T03:00:00Z')).toBe(true);
    expect(isInstant('2024-05-10T03:00+09:00')).toBe(true);
    expect(isInstant('2024-05-10T03:00:00.123456-05:30')).toBe(true);
    expect(isInstant('2024-05-10T03:00:00')).toBe(false);
    expect(isInstant('2024-02-30T03:00:00Z')).toBe(false);
    expect(isInstant('2024-05-10T24:00:00Z')).toBe(false);
    expect(isInstant(1715310000000)).toBe(false);
  });
});
