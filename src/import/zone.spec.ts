import { describe, expect, it } from 'vitest';
import { checkZone, localToInstant } from './zone.js';

describe('localToInstant', () => {
  it('reads UTC wall time as that instant, keeping microseconds', () => {
    expect(localToInstant('2024-02-08 14:30:00', 'UTC')).toBe('2024-02-08T14:30:00.000000Z');
    expect(localToInstant('2024-02-08 14:30:00.123456', 'UTC')).toBe('2024-02-08T14:30:00.123456Z');
  });

  it('reads Asia/Seoul wall time nine hours ahead of UTC', () => {
    expect(localToInstant('2024-02-09 00:30:00', 'Asia/Seoul')).toBe('2024-02-08T15:30:00.000000Z');
  });

  it('follows daylight saving time on both sides of the change', () => {
    expect(localToInstant('2024-03-30 12:00:00', 'Europe/Berlin')).toBe('2024-03-30T11:00:00.000000Z');
    expect(localToInstant('2024-03-31 12:00:00', 'Europe/Berlin')).toBe('2024-03-31T10:00:00.000000Z');
  });

  it('refuses text that is no real date', () => {
    expect(localToInstant('0000-00-00 00:00:00', 'UTC')).toBeNull();
    expect(localToInstant('2024-02-31 10:00:00', 'UTC')).toBeNull();
    expect(localToInstant('yesterday', 'UTC')).toBeNull();
  });

  it('rejects an unknown zone with a clear message', () => {
    expect(() => checkZone('Mars/Olympus')).toThrow('unknown time zone: Mars/Olympus');
    expect(() => checkZone('Asia/Seoul')).not.toThrow();
  });
});
