import { describe, expect, it } from 'vitest';
import { csvRow, isoInZone, plainCell, textCell } from './csv.js';

describe('CSV cells', () => {
  it('quotes commas, quotes and line breaks, and leaves plain text alone', () => {
    expect(textCell('수학')).toBe('수학');
    expect(textCell('a,b')).toBe('"a,b"');
    expect(textCell('say "hi"')).toBe('"say ""hi"""');
    expect(textCell('two\nlines')).toBe('"two\nlines"');
    expect(textCell(null)).toBe('');
    expect(csvRow(['1', textCell('x,y')])).toBe('1,"x,y"\r\n');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(textCell(`${start}HYPERLINK("x")`).replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(textCell('=1+1')).toBe("'=1+1");
    expect(textCell('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(plainCell(-3)).toBe('-3'); // our own numbers are not user text
  });
});

describe('isoInZone', () => {
  it('writes the local time with the offset in force at that instant', () => {
    const instant = new Date('2026-03-01T00:30:00.250Z');
    expect(isoInZone(instant, 'Asia/Seoul')).toBe('2026-03-01T09:30:00.250+09:00');
    expect(isoInZone(instant, 'UTC')).toBe('2026-03-01T00:30:00.250+00:00');
    expect(isoInZone(instant, 'America/New_York')).toBe('2026-02-28T19:30:00.250-05:00');
    expect(isoInZone(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00:00.000-04:00');
    expect(isoInZone(new Date('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe('2026-01-01T05:30:00.000+05:30');
    // Each rendering denotes the same instant again.
    expect(Date.parse(isoInZone(instant, 'Asia/Kathmandu'))).toBe(instant.getTime());
  });
});
