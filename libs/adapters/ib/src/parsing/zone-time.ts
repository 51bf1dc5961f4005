/** The calendar fields of an instant in a time zone. */
export interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * A formatter giving the wall-clock fields of an instant in `zone` (IANA name),
 * one per zone for the process.
 * @throws RangeError for a zone the runtime does not know
 */
export function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall-clock fields of instant `ms` in `zone`. */
export function zonedParts(ms: number, zone: string): ZonedParts {
  const fields: Record<string, number> = {};
  for (const part of zoneFormatter(zone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields['year'] ?? 0,
    month: fields['month'] ?? 0,
    day: fields['day'] ?? 0,
    hour: (fields['hour'] ?? 0) % 24,
    minute: fields['minute'] ?? 0,
    second: fields['second'] ?? 0,
  };
}

/** Local time minus UTC in `zone` at instant `ms`, in milliseconds. */
export function zoneOffsetMs(ms: number, zone: string): number {
  const p = zonedParts(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the clocks of `zone` show `wallMs` (a wall time written
 * as if it were UTC). The offset at the wall time itself is right except within
 * hours of a DST switch; measuring again at that first guess settles those.
 * @throws RangeError for a zone the runtime does not know
 */
export function zonedWallToUtc(wallMs: number, zone: string): number {
  const guess = wallMs - zoneOffsetMs(wallMs, zone);
  return wallMs - zoneOffsetMs(guess, zone);
}
