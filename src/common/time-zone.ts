const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** A zone's wall clock to the second; throws a RangeError for a zone Intl does not know. */
function wallClock(zone: string): Intl.DateTimeFormat {
  let f = wallClocks.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClocks.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds (a whole number of seconds). */
export function zoneOffsetMs(zone: string, utcMs: number): number {
  const parts = Object.fromEntries(
    wallClock(zone)
      .formatToParts(new Date(utcMs))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return wall - Math.floor(utcMs / 1000) * 1000;
}
