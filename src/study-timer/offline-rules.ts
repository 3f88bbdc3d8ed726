export interface OfflineLimits {
  maxAgeDays: number;
  maxSessionHours: number;
  clockSkewSeconds: number;
}

/** A refused upload, by its error code (the catalogue holds the texts). */
export interface Refusal {
  code: 'OFFLINE_END_BEFORE_START' | 'OFFLINE_IN_FUTURE' | 'OFFLINE_TOO_OLD' | 'OFFLINE_TOO_LONG';
}

/** Whole seconds, as the timer stores them (the original's columns had second precision). */
export const toWholeSecond = (iso: string): Date => new Date(Math.floor(Date.parse(iso) / 1000) * 1000);

/**
 * The time rules of an uploaded session, first failing one wins: end after start, not ahead of the
 * server clock by more than the skew, started within the age limit, no longer than the session cap.
 */
export function offlineRefusal(start: Date, end: Date, now: Date, limits: OfflineLimits): Refusal | null {
  if (end.getTime() <= start.getTime()) return { code: 'OFFLINE_END_BEFORE_START' };
  if (end.getTime() > now.getTime() + limits.clockSkewSeconds * 1000) {
    return { code: 'OFFLINE_IN_FUTURE' };
  }
  if (start.getTime() < now.getTime() - limits.maxAgeDays * 86_400_000) {
    return { code: 'OFFLINE_TOO_OLD' };
  }
  if (end.getTime() - start.getTime() > limits.maxSessionHours * 3_600_000) {
    return { code: 'OFFLINE_TOO_LONG' };
  }
  return null;
}
