import {
  AGGRESSOR_SIDES,
  checkPrice,
  Decimal,
  DecimalError,
  type AggressorSide,
  type Instrument,
  type QuoteTick,
  type TradeTick,
  type UnixNanos,
} from '@ttquant/domain';

/**
 * Replay files are CSV with a header line naming the format; blank lines and
 * lines starting with `#` are ignored.
 *
 * Quotes:
 * ```csv
 * time,bid,bid_size,ask,ask_size
 * 2024-03-01T14:30:00.000000000Z,100.01,300,100.03,200
 * ```
 * Trades (`aggressor` is optional: BUYER, SELLER or NONE):
 * ```csv
 * time,price,size,aggressor
 * 1709303400000000000,100.02,50,BUYER
 * ```
 * `time` is ISO-8601 UTC with up to nine fractional digits, or integer
 * nanoseconds since the Unix epoch; rows are in time order. Prices and sizes are
 * decimal text (never parsed through floats), prices on the instrument's tick,
 * sizes on its lot; quotes have bid < ask.
 */
export type ReplayRow =
  | {
      readonly kind: 'quote';
      readonly time: UnixNanos;
      readonly bidPrice: Decimal;
      readonly bidSize: Decimal;
      readonly askPrice: Decimal;
      readonly askSize: Decimal;
    }
  | {
      readonly kind: 'trade';
      readonly time: UnixNanos;
      readonly price: Decimal;
      readonly size: Decimal;
      readonly aggressor: AggressorSide;
    };

/** A replay file does not follow the format; the message names the line. */
export class ReplayFormatError extends Error {
  override readonly name = 'ReplayFormatError';
}

const QUOTE_HEADER = 'time,bid,bid_size,ask,ask_size';
const TRADE_HEADER = 'time,price,size,aggressor';
const TRADE_HEADER_SHORT = 'time,price,size';
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;
const INTEGER = /^\d+$/;

/**
 * Parses a replay file for one instrument.
 * @throws ReplayFormatError naming the line and what was expected and found.
 */
export function parseReplayCsv(text: string, instrument: Pick<Instrument, 'tickSize' | 'lotSize'>): ReplayRow[] {
  const rows: ReplayRow[] = [];
  let format: 'quote' | 'trade' | undefined;
  let lastTime = -1n;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = `line ${index + 1}`;
    if (format === undefined) {
      const header = line.replace(/\s+/g, '').toLowerCase();
      if (header === QUOTE_HEADER) format = 'quote';
      else if (header === TRADE_HEADER || header === TRADE_HEADER_SHORT) format = 'trade';
      else throw new ReplayFormatError(`${at}: expected header "${QUOTE_HEADER}" or "${TRADE_HEADER}", was "${line}"`);
      continue;
    }
    const cells = line.split(',').map((cell) => cell.trim());
    const row = format === 'quote' ? parseQuote(cells, at, instrument) : parseTrade(cells, at, instrument);
    if (row.time < lastTime) {
      throw new ReplayFormatError(`${at}: expected time >= ${lastTime} (rows in time order), was ${row.time}`);
    }
    lastTime = row.time;
    rows.push(row);
  }
  if (format === undefined) throw new ReplayFormatError('expected a header line, the file is empty');
  return rows;
}

/** Parses replay `time`: ISO-8601 UTC with up to nanoseconds, or integer epoch nanoseconds. */
export function parseReplayTime(text: string, at = 'time'): UnixNanos {
  if (INTEGER.test(text)) return BigInt(text);
  const match = ISO_TIME.exec(text);
  const millis = match ? Date.parse(`${match[1]}Z`) : Number.NaN;
  if (!match || Number.isNaN(millis)) {
    throw new ReplayFormatError(`${at}: expected time as ISO-8601 UTC (2024-03-01T14:30:00.123Z) or epoch nanoseconds, was "${text}"`);
  }
  const fraction = (match[2] ?? '').padEnd(9, '0');
  return BigInt(millis) * 1_000_000n + BigInt(fraction);
}

/** Turns a replay row into the market-data item it stands for, stamped with `time`. */
export function replayRowToMarketData(row: ReplayRow, instrument: Instrument, time: UnixNanos): QuoteTick | TradeTick {
  if (row.kind === 'quote') {
    return {
      kind: 'quote',
      instrument: instrument.id,
      quality: 'SIMULATED',
      eventTime: time,
      initTime: time,
      bidPrice: row.bidPrice,
      bidSize: row.bidSize,
      askPrice: row.askPrice,
      askSize: row.askSize,
    };
  }
  return {
    kind: 'trade',
    instrument: instrument.id,
    quality: 'SIMULATED',
    eventTime: time,
    initTime: time,
    price: row.price,
    size: row.size,
    aggressor: row.aggressor,
    tradeId: '',
  };
}

function parseQuote(cells: string[], at: string, instrument: Pick<Instrument, 'tickSize' | 'lotSize'>): ReplayRow {
  if (cells.length !== 5) throw new ReplayFormatError(`${at}: expected 5 fields (${QUOTE_HEADER}), was ${cells.length}`);
  const bidPrice = price(cells[1], 'bid', at, instrument);
  const askPrice = price(cells[3], 'ask', at, instrument);
  if (!bidPrice.lt(askPrice)) {
    throw new ReplayFormatError(`${at}: expected bid < ask, was bid ${bidPrice.toString()} and ask ${askPrice.toString()}`);
  }
  return {
    kind: 'quote',
    time: parseReplayTime(cells[0], at),
    bidPrice,
    bidSize: size(cells[2], 'bid_size', at, instrument),
    askPrice,
    askSize: size(cells[4], 'ask_size', at, instrument),
  };
}

function parseTrade(cells: string[], at: string, instrument: Pick<Instrument, 'tickSize' | 'lotSize'>): ReplayRow {
  if (cells.length !== 3 && cells.length !== 4) {
    throw new ReplayFormatError(`${at}: expected 3 or 4 fields (${TRADE_HEADER}), was ${cells.length}`);
  }
  const aggressor = (cells[3] ?? 'NONE').toUpperCase() || 'NONE';
  if (!(AGGRESSOR_SIDES as readonly string[]).includes(aggressor)) {
    throw new ReplayFormatError(`${at}: expected aggressor one of ${AGGRESSOR_SIDES.join(', ')}, was "${cells[3]}"`);
  }
  return {
    kind: 'trade',
    time: parseReplayTime(cells[0], at),
    price: price(cells[1], 'price', at, instrument),
    size: size(cells[2], 'size', at, instrument),
    aggressor: aggressor as AggressorSide,
  };
}

function decimal(text: string, field: string, at: string): Decimal {
  try {
    return Decimal.parse(text);
  } catch (error) {
    if (error instanceof DecimalError) throw new ReplayFormatError(`${at}: expected ${field} as a decimal number, was "${text}"`);
    throw error;
  }
}

function price(text: string, field: string, at: string, instrument: Pick<Instrument, 'tickSize'>): Decimal {
  const value = decimal(text, field, at);
  if (!value.isPositive()) throw new ReplayFormatError(`${at}: expected ${field} > 0, was ${text}`);
  const problem = checkPrice(instrument, value);
  if (problem) throw new ReplayFormatError(`${at}: ${field} ${problem}`);
  return value;
}

function size(text: string, field: string, at: string, instrument: Pick<Instrument, 'lotSize'>): Decimal {
  const value = decimal(text, field, at);
  if (value.isNegative()) throw new ReplayFormatError(`${at}: expected ${field} >= 0, was ${text}`);
  if (!value.isZero() && !value.isMultipleOf(instrument.lotSize)) {
    throw new ReplayFormatError(`${at}: expected ${field} a multiple of lot size ${instrument.lotSize.toString()}, was ${text}`);
  }
  return value;
}
