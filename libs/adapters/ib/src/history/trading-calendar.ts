import { zonedParts, zoneFormatter, zonedWallToUtc, type ZonedParts } from '../parsing/zone-time';
/**
 * When a market trades, day by day: the expected-bar count of the
 * completeness report and the windows a backfill asks for come from here.
 *
 * Deliberately simple: one session per trading day between a fixed local open
 * and close, on the configured weekdays, minus listed holidays, with optional
 * early closes. It knows nothing of exchange calendars beyond what it is told.
 */

/** How a {@link TradingCalendar} is configured. */
export interface TradingCalendarConfig {
  /** IANA time zone the open and close are given in, e.g. `America/New_York`. */
  readonly timeZone: string;
  /** Local opening time `HH:mm`. */
  readonly open: string;
  /** Local closing time `HH:mm`, after `open`; `24:00` for midnight. */
  readonly close: string;
  /** Trading weekdays, 0 = Sunday … 6 = Saturday. */
  readonly weekdays: readonly number[];
  /** Local dates `YYYY-MM-DD` with no session. */
  readonly holidays?: readonly string[];
  /** Local dates `YYYY-MM-DD` closing early, with their closing time `HH:mm`. */
  readonly earlyCloses?: Readonly<Record<string, string>>;
}

/** One trading session, possibly clipped to a requested range. */
export interface TradingSession {
  /** The session's local date `YYYY-MM-DD`. */
  readonly day: string;
  /** Start, epoch milliseconds UTC. */
  readonly fromMs: number;
  /** End (exclusive), epoch milliseconds UTC. */
  readonly toMs: number;
}

/** Thrown for a calendar configuration that cannot work. */
export class TradingCalendarError extends Error {
  override readonly name = 'TradingCalendarError';
}

/** US stocks and ETFs, regular trading hours: 09:30–16:00 New York, Monday to Friday (390 one-minute bars). */
export const US_EQUITY_RTH: TradingCalendarConfig = {
  timeZone: 'America/New_York',
  open: '09:30',
  close: '16:00',
  weekdays: [1, 2, 3, 4, 5],
};

/** US stocks with IB's extended hours: 04:00–20:00 New York, Monday to Friday. */
export const US_EQUITY_EXTENDED: TradingCalendarConfig = {
  timeZone: 'America/New_York',
  open: '04:00',
  close: '20:00',
  weekdays: [1, 2, 3, 4, 5],
};

/** Round the clock, every day, UTC days (crypto). */
export const ALWAYS_OPEN: TradingCalendarConfig = {
  timeZone: 'UTC',
  open: '00:00',
  close: '24:00',
  weekdays: [0, 1, 2, 3, 4, 5, 6],
};

const DAY_MS = 86_400_000;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_TEXT = /^(\d{2}):(\d{2})$/;

/**
 * Sessions of a market from a {@link TradingCalendarConfig}, with daylight
 * saving handled through the platform's time-zone data.
 *
 * @example
 * const calendar = new TradingCalendar({ ...US_EQUITY_RTH, holidays: ['2025-01-01'] });
 * calendar.sessions(Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 3));
 * // [{ day: '2025-01-02', fromMs: Date.UTC(2025, 0, 2, 14, 30), toMs: Date.UTC(2025, 0, 2, 21) }]
 */
export class TradingCalendar {
  private readonly openMinutes: number;
  private readonly closeMinutes: number;
  private readonly holidays: ReadonlySet<string>;
  private readonly earlyCloses: ReadonlyMap<string, number>;
  private readonly weekdays: ReadonlySet<number>;

  /** @throws TradingCalendarError naming the field that is wrong and its value */
  constructor(readonly config: TradingCalendarConfig) {
    try {
      zoneFormatter(config.timeZone);
    } catch {
      throw new TradingCalendarError(`expected an IANA time zone such as America/New_York, was ${JSON.stringify(config.timeZone)}`);
    }
    this.openMinutes = parseTime('open', config.open);
    this.closeMinutes = parseTime('close', config.close);
    if (this.closeMinutes <= this.openMinutes) {
      throw new TradingCalendarError(`expected close after open, was open ${config.open} and close ${config.close}`);
    }
    for (const day of config.weekdays) {
      if (!Number.isInteger(day) || day < 0 || day > 6) {
        throw new TradingCalendarError(`expected weekdays between 0 (Sunday) and 6 (Saturday), was ${day}`);
      }
    }
    this.weekdays = new Set(config.weekdays);
    for (const day of config.holidays ?? []) parseDate('holiday', day);
    this.holidays = new Set(config.holidays ?? []);
    const early = new Map<string, number>();
    for (const [day, close] of Object.entries(config.earlyCloses ?? {})) {
      parseDate('early close', day);
      const minutes = parseTime(`early close of ${day}`, close);
      if (minutes <= this.openMinutes) {
        throw new TradingCalendarError(`expected the early close of ${day} after open ${config.open}, was ${close}`);
      }
      early.set(day, minutes);
    }
    this.earlyCloses = early;
  }

  /** Sessions overlapping `[fromMs, toMs)`, clipped to it, in time order. */
  sessions(fromMs: number, toMs: number): TradingSession[] {
    const out: TradingSession[] = [];
    if (!(toMs > fromMs)) return out;
    const last = this.localDate(toMs - 1);
    for (let day = this.localDate(fromMs); day <= last; day = nextDate(day)) {
      const session = this.session(day);
      if (!session || session.toMs <= fromMs || session.fromMs >= toMs) continue;
      out.push({ day, fromMs: Math.max(fromMs, session.fromMs), toMs: Math.min(toMs, session.toMs) });
    }
    return out;
  }

  /** The whole session of a local date, or `undefined` when the market is closed that day. */
  session(day: string): TradingSession | undefined {
    const [y, m, d] = parseDate('day', day);
    if (!this.weekdays.has(new Date(Date.UTC(y, m - 1, d)).getUTCDay()) || this.holidays.has(day)) return undefined;
    const close = this.earlyCloses.get(day) ?? this.closeMinutes;
    return { day, fromMs: this.localToUtc(y, m, d, this.openMinutes), toMs: this.localToUtc(y, m, d, close) };
  }

  /** The local date `YYYY-MM-DD` of an instant. */
  localDate(ms: number): string {
    const parts = this.localParts(ms);
    return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`;
  }

  private localToUtc(y: number, m: number, d: number, minutes: number): number {
    return zonedWallToUtc(Date.UTC(y, m - 1, d) + minutes * 60_000, this.config.timeZone);
  }

  private localParts(ms: number): ZonedParts {
    return zonedParts(ms, this.config.timeZone);
  }
}

function parseTime(field: string, text: string): number {
  const match = TIME_TEXT.exec(text);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || Number(match[2]) > 59 || minutes > 24 * 60) {
    throw new TradingCalendarError(`expected ${field} as HH:mm between 00:00 and 24:00, was ${JSON.stringify(text)}`);
  }
  return minutes;
}

function parseDate(field: string, text: string): [number, number, number] {
  const match = DATE_TEXT.exec(text);
  const parts: [number, number, number] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const check = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
  if (!match || check.getUTCMonth() !== parts[1] - 1 || check.getUTCDate() !== parts[2]) {
    throw new TradingCalendarError(`expected ${field} as a date YYYY-MM-DD, was ${JSON.stringify(text)}`);
  }
  return parts;
}

function nextDate(day: string): string {
  const [y, m, d] = parseDate('day', day);
  return new Date(Date.UTC(y, m - 1, d) + DAY_MS).toISOString().slice(0, 10);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
