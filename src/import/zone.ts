// The original stores `datetime` without a zone; --source-timezone says which
// wall clock it is, and every value becomes an exact instant here.
import { zoneOffsetMs } from '../common/time-zone.js';

/** Throws a clear error for a zone Intl does not know. */
export function checkZone(zone: string): void {
  try {
    zoneOffsetMs(zone, 0);
  } catch {
    throw new Error(`unknown time zone: ${zone}`);
  }
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * `2024-02-08 09:30:00[.ffffff]` read on `zone`'s wall clock → an ISO instant with microseconds,
 * or null for text that is no real date (MySQL's zero date, a 31st of February).
 */
export function localToInstant(text: string, zone: string): string | null {
  const m = LOCAL.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || y < 1) return null;
  // Two passes settle the offset next to a DST change; a wall time skipped by DST lands past the gap.
  let utc = wall - zoneOffsetMs(zone, wall);
  utc = wall - zoneOffsetMs(zone, utc);
  const micros = (m[7] ?? '').padEnd(6, '0');
  return `${new Date(utc).toISOString().slice(0, 19)}.${micros}Z`;
}
