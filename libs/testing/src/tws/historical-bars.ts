import type { FakeTwsContract } from './fake-tws-types';
import { roundToTick, seededRandom } from './market-simulator';
import type { WireBar } from './server-messages';
import { formatTwsDay, formatTwsTime, parseTwsTime, TwsTimeError } from './tws-time';

/** A historical request the fake cannot serve; the message follows TWS's wording (error 321/162). */
export class HistoricalRequestError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'HistoricalRequestError';
  }
}

/** The most bars one response may carry; IB caps durations per bar size in a similar spirit. */
export const MAX_BARS_PER_REQUEST = 100_000;

const UNIT_SECONDS: Record<string, number> = { sec: 1, min: 60, hour: 3600, day: 86_400, week: 604_800, month: 2_592_000 };

/** Parses a bar size such as "5 mins" or "1 day" into seconds. */
export function parseBarSize(text: string): number {
  const match = /^(\d+)\s+(sec|min|hour|day|week|month)s?$/i.exec(text.trim());
  const unit = match ? UNIT_SECONDS[(match[2] as string).toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) <= 0) {
    throw new HistoricalRequestError(`Error validating request: expected a bar size like "5 mins" or "1 day", got ${JSON.stringify(text)}`, 321);
  }
  return Number(match[1]) * unit;
}

const DURATION_SECONDS: Record<string, number> = { S: 1, D: 86_400, W: 604_800, M: 2_592_000, Y: 31_536_000 };

/** Parses a duration such as "2 D" into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s+([SDWMY])$/i.exec(text.trim());
  const unit = match ? DURATION_SECONDS[(match[2] as string).toUpperCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) <= 0) {
    throw new HistoricalRequestError(`Error validating request: expected a duration like "2 D" (units S, D, W, M, Y), got ${JSON.stringify(text)}`, 321);
  }
  return Number(match[1]) * unit;
}

/** Parses a historical request's end date-time (see {@link parseTwsTime}); a bad one is error 321. */
export function parseEndDateTime(text: string, nowMs: number): number {
  try {
    return parseTwsTime(text, nowMs, 'endDateTime');
  } catch (error) {
    if (error instanceof TwsTimeError) throw new HistoricalRequestError(`Error validating request: ${error.message}`, 321);
    throw error;
  }
}

/** What a historical request asks for, already parsed. */
export interface BarQuery {
  contract: FakeTwsContract;
  endMs: number;
  durationSec: number;
  barSec: number;
  useRth: boolean;
  /** 1: text dates, 2: epoch seconds. */
  formatDate: number;
}

const NEW_YORK = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });

/** Weekday and minute of the day in New York, where US stock sessions are defined (daylight saving included). */
function newYorkClock(ms: number): { weekday: string; minute: number } {
  const parts = Object.fromEntries(NEW_YORK.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { weekday: parts['weekday'] ?? '', minute: Number(parts['hour']) * 60 + Number(parts['minute']) };
}

function isTradingTime(c: FakeTwsContract, startMs: number, barSec: number, useRth: boolean): boolean {
  if (c.secType === 'CRYPTO') return true;
  const stockLike = c.secType === 'STK' || c.secType === 'ETF' || c.secType === 'IND';
  if (!stockLike || barSec >= 86_400) {
    const day = new Date(startMs).getUTCDay();
    return day !== 0 && day !== 6;
  }
  const ny = newYorkClock(startMs);
  if (ny.weekday === 'Sat' || ny.weekday === 'Sun') return false;
  // The regular session is 9:30-16:00 New York time; outside RTH the fake serves the whole weekday.
  return !useRth || (ny.minute >= 9 * 60 + 30 && ny.minute < 16 * 60);
}

/**
 * Deterministic bars for [end - duration, end): the same query always gives the same bars, so a resumed
 * backfill can be compared with an uninterrupted one. Weekends are skipped except for crypto.
 */
export function generateBars(q: BarQuery): { startMs: number; bars: WireBar[] } {
  const barMs = q.barSec * 1000;
  // The last bar may be partial, as IB's is when the end falls inside it.
  const endMs = q.endMs;
  const startMs = endMs - q.durationSec * 1000;
  const count = Math.ceil((endMs - startMs) / barMs);
  if (count > MAX_BARS_PER_REQUEST) {
    throw new HistoricalRequestError(
      `Historical Market Data Service error message:Time length exceed max. (${count} bars requested, at most ${MAX_BARS_PER_REQUEST})`,
      162,
    );
  }
  const bars: WireBar[] = [];
  for (let t = Math.ceil(startMs / barMs) * barMs; t < endMs; t += barMs) {
    if (!isTradingTime(q.contract, t, q.barSec, q.useRth)) continue;
    bars.push(barAt(q.contract, t, q.barSec, q.formatDate));
  }
  return { startMs, bars };
}

function barAt(c: FakeTwsContract, startMs: number, barSec: number, formatDate: number): WireBar {
  const rnd = seededRandom((c.conId * 31 + Math.floor(startMs / 1000)) >>> 0);
  // A slow wave plus noise keeps prices near the start price for any date.
  const wave = Math.sin(startMs / 86_400_000 / 5) * 0.05;
  const base = c.startPrice * (1 + wave);
  const open = roundToTick(base * (1 + (rnd() - 0.5) * 0.004), c.minTick);
  const close = roundToTick(base * (1 + (rnd() - 0.5) * 0.004), c.minTick);
  const high = roundToTick(Math.max(open, close) * (1 + rnd() * 0.002), c.minTick);
  const low = roundToTick(Math.min(open, close) * (1 - rnd() * 0.002), c.minTick);
  const volume = 100 * (1 + Math.floor(rnd() * 50));
  const wap = roundToTick((open + high + low + close) / 4, c.minTick);
  const time = formatDate === 2 ? Math.floor(startMs / 1000) : barSec >= 86_400 ? formatTwsDay(startMs) : formatTwsTime(startMs);
  return { time, open, high, low, close, volume, wap, count: 1 + Math.floor(rnd() * 40) };
}
