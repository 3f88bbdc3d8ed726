import { describe, expect, it } from 'vitest';
import { cappedSession, rewardPoints } from './study-timer.rules.js';

describe('cappedSession', () => {
  const start = new Date('2024-02-07T14:50:00.000Z');

  it('counts whole seconds up to now', () => {
    expect(cappedSession(start, new Date('2024-02-07T15:10:00.999Z'), 12)).toEqual({
      end: new Date('2024-02-07T15:10:00.999Z'),
      seconds: 1200,
    });
  });

  it('caps a forgotten timer at MAX_SESSION_HOURS', () => {
    const { end, seconds } = cappedSession(start, new Date('2024-02-09T00:00:00Z'), 12);
    expect(end).toEqual(new Date('2024-02-08T02:50:00.000Z'));
    expect(seconds).toBe(12 * 3600);
  });

  it('never goes below zero when the clock is behind the start', () => {
    expect(cappedSession(start, new Date('2024-02-07T14:00:00Z'), 12)).toEqual({ end: start, seconds: 0 });
  });
});

describe('rewardPoints', () => {
  it('pays whole minutes only', () => {
    expect(rewardPoints(59, 9)).toBe(0);
    expect(rewardPoints(60, 9)).toBe(9);
    expect(rewardPoints(25 * 60 + 59, 9)).toBe(225);
    expect(rewardPoints(12 * 3600, 9)).toBe(6480);
  });
});
