import { millisToNanos, nanosToMillis, type UnixNanos } from '@ttquant/domain';
import { zonedWallToUtc } from './zone-time';

// Zone abbreviations TWS prints after times, as IANA zones Intl understands.
const ZONE_ALIASES: Readonly<Record<string, string>> = {
  EST: 'America/New_York',
  EDT: 'America/New_York',
  CST: 'America/Chicago',
  CDT: 'America/Chicago',
  MET: 'Europe/Berlin',
  CET: 'Europe/Berlin',
  GMT: 'UTC',
  UTC: 'UTC',
  JST: 'Asia/Tokyo',
  HKT: 'Asia/Hong_Kong',
};

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * Epoch nanoseconds as IB's UTC time text `yyyyMMdd-HH:mm:ss` (the form TWS
 * reads as UTC in execution filters, GTD dates and historical end times).
 *
 * @example
 * formatIbUtc(1735810200000000000n); // '20250102-09:30:00'
 */
export function formatIbUtc(nanos: UnixNanos): string {
  const date = new Date(nanosToMillis(nanos));
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/**
 * Parses the time texts TWS sends: `yyyyMMdd-HH:mm:ss` (UTC), `yyyyMMdd HH:mm:ss`
 * optionally followed by a zone (`US/Eastern`, `EST`; none means UTC), a date
 * `yyyyMMdd` (midnight UTC) or epoch seconds. Returns epoch milliseconds, or
 * `undefined` when the text is none of these.
 *
 * @example
 * parseIbTime('20250102 09:30:00 US/Eastern'); // 1735828200000
 */
export function parseIbTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d{9,11}$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = /^(\d{4})(\d{2})(\d{2})(?:[-\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s+(\S+))?$/.exec(trimmed);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = match;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(wall)) return undefined;
  if (zone === undefined) return wall;
  const iana = ZONE_ALIASES[zone] ?? zone;
  try {
    return zonedWallToUtc(wall, iana);
  } catch {
    return undefined;
  }
}

/** {@link parseIbTime} as nanoseconds, or `fallback` when the text does not parse. */
export function parseIbTimeNanos(text: string | undefined, fallback: UnixNanos): UnixNanos {
  const ms = parseIbTime(text);
  return ms === undefined ? fallback : millisToNanos(ms);
}
