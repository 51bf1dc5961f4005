/** A date-time text TWS would not accept. */
export class TwsTimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwsTimeError';
  }
}

/**
 * Parses a TWS date-time: "" (now), "yyyymmdd-hh:mm:ss" (UTC), or "yyyymmdd hh:mm:ss" with an optional
 * IANA time zone ("US/Eastern", "UTC"); without a zone the time is read as UTC.
 *
 * @param what names the field in the error, e.g. "endDateTime"
 */
export function parseTwsTime(text: string, nowMs: number, what: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return nowMs;
  const match = /^(\d{4})(\d{2})(\d{2})[ -](\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(trimmed);
  if (!match) throw new TwsTimeError(`expected ${what} like "20250102 16:00:00 US/Eastern", got ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, zone] = match;
  const naiveUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (zone === undefined || zone === 'UTC' || zone === 'GMT') return naiveUtc;
  return naiveUtc - zoneOffsetMs(naiveUtc, zone, what, text);
}

/** Offset of a time zone from UTC around an instant, from the runtime's time zone database. */
function zoneOffsetMs(atMs: number, zone: string, what: string, original: string): number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  } catch {
    throw new TwsTimeError(`unknown time zone ${JSON.stringify(zone)} in ${what} ${JSON.stringify(original)}`);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(atMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts['year']), Number(parts['month']) - 1, Number(parts['day']), Number(parts['hour']), Number(parts['minute']), Number(parts['second']));
  return asUtc - atMs;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "yyyymmdd hh:mm:ss UTC" — the fake reports every time in UTC and says so. */
export function formatTwsTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/** "yyyymmdd" of an instant in UTC. */
export function formatTwsDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}
