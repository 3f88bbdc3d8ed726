/** Local calendar days in an IANA time zone: the only place that turns instants into dates. */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

export function isTimeZone(tz: string): boolean {
  try {
    // Raw offsets are refused: newer ICU accepts `+09:00`, which PostgreSQL reads with the POSIX
    // sign (as UTC-9).
    return !/^[+-]/.test(tz) && !/^[+-]/.test(canonicalZone(tz));
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

/** The zone's canonical IANA name as ICU reads it: PostgreSQL reads IST or PST otherwise, and AET not at all. */
export function canonicalZone(tz: string): string {
  return formatter(tz).resolvedOptions().timeZone;
}

/** Midnight UTC of a calendar day; unlike `Date.UTC`, years 0–99 stay themselves (not 1900–1999). */
function utcDay(y: number, m: number, d: number): Date {
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  return day;
}

/** `YYYY-MM-DD` of a real calendar day, or false (2023-02-29, 2024-13-01, 2024-1-1 are not). */
export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = utcDay(y, mo, d);
  return y >= 1 && utc.getUTCFullYear() === y && utc.getUTCMonth() === mo - 1 && utc.getUTCDate() === d;
}

/** The local date (`YYYY-MM-DD`) of an instant in `tz`. */
export function localDate(instant: Date, tz: string): string {
  return formatter(tz).format(instant);
}

/** `date` plus `days` calendar days (no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return utcDay(y, m, d + days)
    .toISOString()
    .slice(0, 10);
}

/**
 * The `count` consecutive dates from `from` on, as addDays(from, i) gives them, stepped by calendar
 * arithmetic instead of a Date each: a year's heat-map formats 366 of them per request.
 */
export function datesFrom(from: string, count: number): string[] {
  let [y, m, d] = from.split('-').map(Number) as [number, number, number];
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
  let prefix = `${String(y).padStart(4, '0')}-${pad(m)}-`;
  let monthLength = daysInMonth(y, m);
  const dates = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    dates[i] = prefix + pad(d);
    if (++d > monthLength) {
      d = 1;
      if (++m > 12) [m, y] = [1, y + 1];
      prefix = `${String(y).padStart(4, '0')}-${pad(m)}-`;
      monthLength = daysInMonth(y, m);
    }
  }
  return dates;
}

/** Days in month `m` (1–12) of year `y`, proleptic Gregorian as Date counts them. */
function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Every local date that the interval [start, end] touches, in order. */
export function datesTouched(start: Date, end: Date, tz: string): string[] {
  const first = localDate(start, tz);
  const last = localDate(end, tz);
  const dates = [first];
  for (let d = first; d < last;) {
    d = addDays(d, 1);
    dates.push(d);
  }
  return dates;
}
