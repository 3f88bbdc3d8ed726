/** CSV text for spreadsheet programs: RFC 4180 quoting, and no cell that a spreadsheet runs as a formula. */
import { zoneOffsetMs } from '../common/time-zone.js';

/** The byte order mark: without it Excel reads UTF-8 as the system code page and garbles Korean text. */
export const BOM = '\uFEFF';

// A cell starting with one of these is a formula (or DDE payload) to Excel, LibreOffice and Sheets.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell of user text: a leading formula character gets a `'` in front (OWASP's advice: the
 * spreadsheet shows the text, the value stays readable), then the cell is quoted when it must be.
 */
export function textCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return quote(safe);
}

/** A cell written by us (ids, numbers, ISO times, enums): never a formula, quoted only if needed. */
export function plainCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return quote(String(value));
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A row ends with CRLF, as RFC 4180 and Excel expect. */
export const csvRow = (cells: string[]): string => `${cells.join(',')}\r\n`;

/** ISO 8601 local time with the zone's offset at that instant, e.g. `2026-03-01T09:30:00.000+09:00`. */
export function isoInZone(instant: Date, tz: string): string {
  const offset = zoneOffsetMs(tz, instant.getTime());
  const local = new Date(Math.floor(instant.getTime() / 1000) * 1000 + offset);
  const offsetMinutes = Math.round(offset / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const ms = pad(((instant.getTime() % 1000) + 1000) % 1000, 3);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  return `${date}T${time}.${ms}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
