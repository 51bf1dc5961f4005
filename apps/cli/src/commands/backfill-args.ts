import {
  IB_BAR_SIZES,
  US_EQUITY_EXTENDED,
  US_EQUITY_RTH,
  type IbBarRequest,
  type TradingCalendarConfig,
  zonedWallToUtc,
} from '@ttquant/adapter-ib';
import { booleanFlag, choiceFlag, requiredFlag, stringFlag, type FlagSpecs, type ParsedArgs } from '../args';
import { UsageError } from '../cli-errors';

/** The flags of `ttq backfill`, besides `--json` and `--help`. */
export const BACKFILL_FLAGS = {
  symbols: { type: 'string', value: '<A,B,…>', help: 'IB symbols, comma-separated, e.g. AAPL,SPY' },
  from: { type: 'string', value: '<YYYY-MM-DD>', help: 'first trading day (New York date)' },
  to: { type: 'string', value: '<YYYY-MM-DD>', help: 'last trading day, included (default: --from)' },
  bar: { type: 'string', value: '<size>', help: 'bar size: 1s 5s 10s 15s 30s 1m 2m 3m 5m 10m 15m 20m 30m 1h 2h 3h 4h 8h 1d (default 1m)' },
  what: { type: 'string', value: '<kind>', help: 'TRADES (default), MIDPOINT, BID or ASK' },
  rth: { type: 'boolean', help: 'regular trading hours only (09:30–16:00 New York); default: extended hours 04:00–20:00' },
  holidays: { type: 'string', value: '<dates>', help: 'market holidays in the range, comma-separated YYYY-MM-DD (no bars expected)' },
  tolerate: { type: 'string', value: '<bars>', help: 'bars a session may lack and still count as fetched (illiquid symbols; default 0)' },
  'ib-host': { type: 'string', value: '<host>', help: 'TWS / IB Gateway host (default: ib.host, TTQ_IB_HOST)' },
  'ib-port': { type: 'string', value: '<port>', help: 'TWS / IB Gateway API port (default: ib.port, TTQ_IB_PORT)' },
  'client-id': { type: 'string', value: '<id>', help: "API client id (default: ib.clientId, 90: apart from the services' ids)" },
} as const satisfies FlagSpecs;

/** What an operator asked `ttq backfill` for, checked. */
export interface BackfillOptions {
  /** IB symbols, upper-case, each once, in the order given. */
  readonly symbols: readonly string[];
  /** First and last local date (New York), both included. */
  readonly fromDay: string;
  readonly toDay: string;
  /** Start of `fromDay` and end of `toDay` in the calendar's zone, epoch ms. */
  readonly fromMs: number;
  readonly toMs: number;
  /** IB's spelling, e.g. `1 min`. */
  readonly barSize: string;
  readonly whatToShow: IbBarRequest['whatToShow'];
  readonly useRth: boolean;
  readonly calendar: TradingCalendarConfig;
  readonly toleratedMissingBars: number;
  /** Overrides of the `ib` configuration from flags. */
  readonly ib: { readonly host?: string; readonly port?: number; readonly clientId?: number };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SYMBOL = /^[A-Z0-9][A-Z0-9.\-/ ]{0,31}$/;
const DAY_MS = 86_400_000;

/** Short bar sizes an operator types, in IB's spelling. */
const BAR_ALIASES: Readonly<Record<string, string>> = {
  '1s': '1 secs',
  '5s': '5 secs',
  '10s': '10 secs',
  '15s': '15 secs',
  '30s': '30 secs',
  '1m': '1 min',
  '2m': '2 mins',
  '3m': '3 mins',
  '5m': '5 mins',
  '10m': '10 mins',
  '15m': '15 mins',
  '20m': '20 mins',
  '30m': '30 mins',
  '1h': '1 hour',
  '2h': '2 hours',
  '3h': '3 hours',
  '4h': '4 hours',
  '8h': '8 hours',
  '1d': '1 day',
};

const WHAT_TO_SHOW: Readonly<Record<string, IbBarRequest['whatToShow']>> = {
  trades: 'TRADES',
  midpoint: 'MIDPOINT',
  bid: 'BID',
  ask: 'ASK',
};

/**
 * Reads and checks the flags of `ttq backfill`.
 * @throws UsageError saying which flag is wrong, what was expected and what was found
 */
export function parseBackfillArgs(args: ParsedArgs): BackfillOptions {
  const symbols = parseSymbols(requiredFlag(args, 'symbols', 'AAPL,SPY'));
  const fromDay = parseDay(requiredFlag(args, 'from', '2026-07-01'), 'from');
  const toDay = parseDay(stringFlag(args, 'to') ?? fromDay, 'to');
  if (toDay < fromDay) throw new UsageError(`--to: expected a date on or after --from ${fromDay}, was ${toDay}`);
  const useRth = booleanFlag(args, 'rth');
  const holidays = parseHolidays(stringFlag(args, 'holidays'));
  const base = useRth ? US_EQUITY_RTH : US_EQUITY_EXTENDED;
  const calendar: TradingCalendarConfig = holidays.length > 0 ? { ...base, holidays } : base;
  const fromMs = localMidnightMs(fromDay, calendar.timeZone);
  const toMs = localMidnightMs(nextDay(toDay), calendar.timeZone);
  const tolerateText = stringFlag(args, 'tolerate');
  const ib = {
    ...optional('host', stringFlag(args, 'ib-host')?.trim()),
    ...optional('port', integerFlag(args, 'ib-port', 1, 65_535, 4002)),
    ...optional('clientId', integerFlag(args, 'client-id', 0, 2_147_483_647, 90)),
  };
  return {
    symbols,
    fromDay,
    toDay,
    fromMs,
    toMs,
    barSize: parseBarSize(stringFlag(args, 'bar') ?? '1m'),
    whatToShow: choiceFlag(args, 'what', WHAT_TO_SHOW) ?? 'TRADES',
    useRth,
    calendar,
    toleratedMissingBars: tolerateText === undefined ? 0 : parseWhole(tolerateText, 'tolerate', 0, 100_000, 5),
    ib,
  };
}

/** `1m`, `1h`, `1d`… or IB's own spelling (`1 min`) as IB's spelling. */
export function parseBarSize(text: string): string {
  const key = text.trim().toLowerCase();
  const ib = BAR_ALIASES[key] ?? IB_BAR_SIZES.find((size) => size === key);
  if (ib === undefined) {
    throw new UsageError(`--bar: expected one of ${Object.keys(BAR_ALIASES).join(', ')} (or IB's spelling such as "1 min"), was ${JSON.stringify(text)}`);
  }
  return ib;
}

/**
 * Epoch milliseconds of 00:00 on local date `day` in `timeZone`, so a range
 * of New York dates holds whole New York sessions whatever the UTC offset.
 */
export function localMidnightMs(day: string, timeZone: string): number {
  return zonedWallToUtc(dayMs(day), timeZone);
}

function parseSymbols(text: string): string[] {
  const symbols: string[] = [];
  for (const piece of text.split(',')) {
    const symbol = piece.trim().toUpperCase();
    if (symbol === '') throw new UsageError(`--symbols: expected symbols separated by commas such as AAPL,SPY, was ${JSON.stringify(text)}`);
    if (!SYMBOL.test(symbol)) throw new UsageError(`--symbols: expected an IB symbol such as AAPL or EUR.USD, was ${JSON.stringify(piece.trim())}`);
    if (!symbols.includes(symbol)) symbols.push(symbol);
  }
  return symbols;
}

function parseDay(text: string, flag: string): string {
  const day = text.trim();
  const match = DATE.exec(day);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  // Round-tripping rejects dates such as 2026-02-30 that Date.UTC would roll over.
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new UsageError(`--${flag}: expected a date YYYY-MM-DD such as 2026-07-01, was ${JSON.stringify(text)}`);
  }
  return day;
}

function parseHolidays(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text.split(',').map((piece) => parseDay(piece, 'holidays'));
}

function integerFlag(args: ParsedArgs, name: string, min: number, max: number, example: number): number | undefined {
  const text = stringFlag(args, name);
  return text === undefined ? undefined : parseWhole(text, name, min, max, example);
}

function parseWhole(text: string, flag: string, min: number, max: number, example: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag}: expected a whole number from ${min} to ${max} such as ${example}, was ${JSON.stringify(text)}`);
  }
  return value;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function dayMs(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
}

function nextDay(day: string): string {
  return new Date(dayMs(day) + DAY_MS).toISOString().slice(0, 10);
}
