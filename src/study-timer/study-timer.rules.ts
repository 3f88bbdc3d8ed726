/** The session as it counts: capped at `maxHours`, whole seconds. */
export function cappedSession(start: Date, now: Date, maxHours: number): { end: Date; seconds: number } {
  const cap = start.getTime() + maxHours * 3_600_000;
  const end = new Date(Math.max(start.getTime(), Math.min(now.getTime(), cap)));
  return { end, seconds: Math.floor((end.getTime() - start.getTime()) / 1000) };
}

/** Points for a `Completed` session: whole minutes × the rate. */
export function rewardPoints(seconds: number, pointsPerMinute: number): number {
  return Math.floor(seconds / 60) * pointsPerMinute;
}
