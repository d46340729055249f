// Wall-clock times in a time zone as UTC instants (for dating demo events at a local evening).
// Intl only formats, so the zone's offset is read back from a formatted instant.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** How far the zone's wall clock is ahead of UTC at `instantMs`, in ms (BST: +3,600,000). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instantMs)))
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant when the wall clock in `timeZone` shows `hour:minute` on the UTC calendar day of
 * `dayMs` (a time a DST change skips lands an hour off; evenings are never skipped).
 */
export function zonedTime(dayMs: number, hour: number, minute: number, timeZone: string): Date {
  const day = new Date(dayMs);
  const wall = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute);
  const first = wall - zoneOffsetMs(wall, timeZone);
  return new Date(wall - zoneOffsetMs(first, timeZone));
}
