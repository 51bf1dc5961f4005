import {
  AGGRESSOR_SIDES,
  DATA_QUALITIES,
  type BookLevel,
  type BookSnapshot,
  type FundingRate,
  type InstrumentId,
  type QuoteTick,
  type TradeTick,
} from '@ttquant/domain';
import { RowDecodeError } from '../errors';
import type { Queryable } from '../queryable';
import { bigintOf, decimalOf, enumOf } from './row-parsing';
import { limitClause, rangeParams, type NanosRange } from './query-range';

/** Market data of one instrument in `[from, to)`, oldest first. */
export interface InstrumentRangeQuery extends NanosRange {
  readonly instrument: InstrumentId;
  /** At most this many rows (the oldest). */
  readonly limit?: number;
}

interface MarketDataRow {
  ts_ns: string;
  init_ns: string;
  venue: string;
  symbol: string;
  quality: string;
}

/*
 * Ticks are de-duplicated per stream: the same trade published by two
 * market-data instances is stored (and read) twice. Order within one
 * nanosecond follows the stream sequence.
 */
const WHERE_RANGE = 'venue = $1 AND symbol = $2 AND ts >= $3 AND ts < $4 AND ts_ns >= $5 AND ts_ns < $6';
const ORDER = 'ORDER BY ts, ts_ns, source_instance, epoch, seq';

function params(query: InstrumentRangeQuery): string[] {
  return [query.instrument.venue, query.instrument.symbol, ...rangeParams(query)];
}

function base(row: MarketDataRow) {
  return {
    instrument: { venue: row.venue, symbol: row.symbol },
    quality: enumOf(DATA_QUALITIES, row.quality, 'quality'),
    eventTime: bigintOf(row.ts_ns, 'ts_ns'),
    initTime: bigintOf(row.init_ns, 'init_ns'),
  };
}

/** Stored quotes of an instrument. */
export async function readQuoteTicks(db: Queryable, query: InstrumentRangeQuery): Promise<QuoteTick[]> {
  const result = await db.query<MarketDataRow & { bid_price: string; bid_size: string; ask_price: string; ask_size: string }>(
    `SELECT ts_ns, init_ns, venue, symbol, quality, bid_price, bid_size, ask_price, ask_size
       FROM quote_ticks WHERE ${WHERE_RANGE} ${ORDER}${limitClause(query.limit)}`,
    params(query),
  );
  return result.rows.map((row) => ({
    kind: 'quote',
    ...base(row),
    bidPrice: decimalOf(row.bid_price, 'bid_price'),
    bidSize: decimalOf(row.bid_size, 'bid_size'),
    askPrice: decimalOf(row.ask_price, 'ask_price'),
    askSize: decimalOf(row.ask_size, 'ask_size'),
  }));
}

/** Stored trades of an instrument. */
export async function readTradeTicks(db: Queryable, query: InstrumentRangeQuery): Promise<TradeTick[]> {
  const result = await db.query<MarketDataRow & { price: string; size: string; aggressor: string; trade_id: string }>(
    `SELECT ts_ns, init_ns, venue, symbol, quality, price, size, aggressor, trade_id
       FROM trade_ticks WHERE ${WHERE_RANGE} ${ORDER}${limitClause(query.limit)}`,
    params(query),
  );
  return result.rows.map((row) => ({
    kind: 'trade',
    ...base(row),
    price: decimalOf(row.price, 'price'),
    size: decimalOf(row.size, 'size'),
    aggressor: enumOf(AGGRESSOR_SIDES, row.aggressor, 'aggressor'),
    tradeId: row.trade_id,
  }));
}

/** Stored order books of an instrument. */
export async function readBookSnapshots(db: Queryable, query: InstrumentRangeQuery): Promise<BookSnapshot[]> {
  const result = await db.query<MarketDataRow & { bids: unknown; asks: unknown }>(
    `SELECT ts_ns, init_ns, venue, symbol, quality, bids, asks
       FROM book_snapshots WHERE ${WHERE_RANGE} ${ORDER}${limitClause(query.limit)}`,
    params(query),
  );
  return result.rows.map((row) => ({
    kind: 'book-snapshot',
    ...base(row),
    bids: levelsOf(row.bids, 'bids'),
    asks: levelsOf(row.asks, 'asks'),
  }));
}

/** Stored funding rates of an instrument. */
export async function readFundingRates(db: Queryable, query: InstrumentRangeQuery): Promise<FundingRate[]> {
  const result = await db.query<MarketDataRow & { rate: string; next_funding_ns: string }>(
    `SELECT ts_ns, init_ns, venue, symbol, quality, rate, next_funding_ns
       FROM funding_rates WHERE ${WHERE_RANGE} ${ORDER}${limitClause(query.limit)}`,
    params(query),
  );
  return result.rows.map((row) => ({
    kind: 'funding-rate',
    ...base(row),
    rate: decimalOf(row.rate, 'rate'),
    nextFundingTime: bigintOf(row.next_funding_ns, 'next_funding_ns'),
  }));
}

function levelsOf(value: unknown, column: string): BookLevel[] {
  if (!Array.isArray(value)) throw new RowDecodeError(`${column}: expected an array of [price, size], was ${typeof value}`);
  return value.map((level: unknown, i) => {
    if (!Array.isArray(level) || typeof level[0] !== 'string' || typeof level[1] !== 'string') {
      throw new RowDecodeError(`${column}[${i}]: expected [price, size] strings, was ${JSON.stringify(level)}`);
    }
    return { price: decimalOf(level[0], `${column}[${i}].price`), size: decimalOf(level[1], `${column}[${i}].size`) };
  });
}
