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
  /** Only rows after this one (in read order): where the previous page ended. */
  readonly after?: TickCursor;
}

/**
 * The position of a stored tick in read order: its exact time, then its
 * stream (publisher instance, epoch) and sequence, which break ties within
 * a nanosecond. A page ends at a cursor; the next page starts after it.
 */
export interface TickCursor {
  readonly time: bigint;
  readonly sourceInstance: string;
  readonly epoch: bigint;
  readonly sequence: bigint;
}

/** A page of rows and the cursor of its last row (absent when the page is empty). */
export interface TickPage<T> {
  readonly rows: T[];
  readonly last?: TickCursor;
}

interface MarketDataRow {
  ts_ns: string;
  init_ns: string;
  venue: string;
  symbol: string;
  quality: string;
  source_instance: string;
  epoch: string;
  seq: string;
}

/*
 * Ticks are de-duplicated per stream: the same trade published by two
 * market-data instances is stored (and read) twice. Order within one
 * nanosecond follows the stream position. `ts` leads the ORDER BY for the
 * (venue, symbol, ts) index; it is ts_ns truncated, so the order is that of
 * (ts_ns, source_instance, epoch, seq), which the cursor compares as a row.
 */
const WHERE_RANGE = 'venue = $1 AND symbol = $2 AND ts >= $3 AND ts < $4 AND ts_ns >= $5 AND ts_ns < $6';
const AFTER = '(ts_ns, source_instance, epoch, seq) > ($7::int8, $8::text, $9::int8, $10::int8)';
const ORDER = 'ORDER BY ts, ts_ns, source_instance, epoch, seq';
const POSITION_COLUMNS = 'ts_ns, init_ns, venue, symbol, quality, source_instance, epoch, seq';

async function queryTicks<R extends MarketDataRow, T>(
  db: Queryable,
  table: string,
  columns: string,
  query: InstrumentRangeQuery,
  map: (row: R) => T,
): Promise<TickPage<T>> {
  const params: string[] = [query.instrument.venue, query.instrument.symbol, ...rangeParams(query)];
  let after = '';
  if (query.after) {
    const { time, sourceInstance, epoch, sequence } = query.after;
    params.push(time.toString(), sourceInstance, epoch.toString(), sequence.toString());
    after = ` AND ${AFTER}`;
  }
  const result = await db.query<R>(
    `SELECT ${POSITION_COLUMNS}, ${columns} FROM ${table} WHERE ${WHERE_RANGE}${after} ${ORDER}${limitClause(query.limit)}`,
    params,
  );
  const lastRow = result.rows[result.rows.length - 1];
  return {
    rows: result.rows.map(map),
    ...(lastRow && {
      last: {
        time: bigintOf(lastRow.ts_ns, 'ts_ns'),
        sourceInstance: lastRow.source_instance,
        epoch: bigintOf(lastRow.epoch, 'epoch'),
        sequence: bigintOf(lastRow.seq, 'seq'),
      },
    }),
  };
}

function base(row: MarketDataRow) {
  return {
    instrument: { venue: row.venue, symbol: row.symbol },
    quality: enumOf(DATA_QUALITIES, row.quality, 'quality'),
    eventTime: bigintOf(row.ts_ns, 'ts_ns'),
    initTime: bigintOf(row.init_ns, 'init_ns'),
  };
}

type QuoteRow = MarketDataRow & { bid_price: string; bid_size: string; ask_price: string; ask_size: string };

function quoteOf(row: QuoteRow): QuoteTick {
  return {
    kind: 'quote',
    ...base(row),
    bidPrice: decimalOf(row.bid_price, 'bid_price'),
    bidSize: decimalOf(row.bid_size, 'bid_size'),
    askPrice: decimalOf(row.ask_price, 'ask_price'),
    askSize: decimalOf(row.ask_size, 'ask_size'),
  };
}

/** A page of stored quotes of an instrument, with the cursor to continue from. */
export function readQuoteTickPage(db: Queryable, query: InstrumentRangeQuery): Promise<TickPage<QuoteTick>> {
  return queryTicks(db, 'quote_ticks', 'bid_price, bid_size, ask_price, ask_size', query, quoteOf);
}

/** Stored quotes of an instrument. */
export async function readQuoteTicks(db: Queryable, query: InstrumentRangeQuery): Promise<QuoteTick[]> {
  return (await readQuoteTickPage(db, query)).rows;
}

type TradeRow = MarketDataRow & { price: string; size: string; aggressor: string; trade_id: string };

function tradeOf(row: TradeRow): TradeTick {
  return {
    kind: 'trade',
    ...base(row),
    price: decimalOf(row.price, 'price'),
    size: decimalOf(row.size, 'size'),
    aggressor: enumOf(AGGRESSOR_SIDES, row.aggressor, 'aggressor'),
    tradeId: row.trade_id,
  };
}

/** A page of stored trades of an instrument, with the cursor to continue from. */
export function readTradeTickPage(db: Queryable, query: InstrumentRangeQuery): Promise<TickPage<TradeTick>> {
  return queryTicks(db, 'trade_ticks', 'price, size, aggressor, trade_id', query, tradeOf);
}

/** Stored trades of an instrument. */
export async function readTradeTicks(db: Queryable, query: InstrumentRangeQuery): Promise<TradeTick[]> {
  return (await readTradeTickPage(db, query)).rows;
}

/** Stored order books of an instrument. */
export async function readBookSnapshots(db: Queryable, query: InstrumentRangeQuery): Promise<BookSnapshot[]> {
  const page = await queryTicks(db, 'book_snapshots', 'bids, asks', query, (row: MarketDataRow & { bids: unknown; asks: unknown }) => ({
    kind: 'book-snapshot' as const,
    ...base(row),
    bids: levelsOf(row.bids, 'bids'),
    asks: levelsOf(row.asks, 'asks'),
  }));
  return page.rows;
}

/** Stored funding rates of an instrument. */
export async function readFundingRates(db: Queryable, query: InstrumentRangeQuery): Promise<FundingRate[]> {
  const page = await queryTicks(db, 'funding_rates', 'rate, next_funding_ns', query, (row: MarketDataRow & { rate: string; next_funding_ns: string }) => ({
    kind: 'funding-rate' as const,
    ...base(row),
    rate: decimalOf(row.rate, 'rate'),
    nextFundingTime: bigintOf(row.next_funding_ns, 'next_funding_ns'),
  }));
  return page.rows;
}

/** Options of {@link streamTicks}. */
export interface TickStreamOptions {
  /** Rows fetched per query (default 10,000): memory held is one page. */
  readonly pageSize?: number;
}

/**
 * Every tick of a range, page by page, in read order, holding one page in
 * memory: how a backtest replays months of history. Pages continue from the
 * previous page's last stream position, so ties within a nanosecond are
 * neither skipped nor repeated.
 *
 * @example
 * for await (const trade of streamTicks(pool, readTradeTickPage, { instrument, from, to })) engine.onTrade(trade);
 */
export async function* streamTicks<T>(
  db: Queryable,
  readPage: (db: Queryable, query: InstrumentRangeQuery) => Promise<TickPage<T>>,
  query: Omit<InstrumentRangeQuery, 'limit' | 'after'>,
  options: TickStreamOptions = {},
): AsyncGenerator<T, void, undefined> {
  const pageSize = options.pageSize ?? 10_000;
  let after: TickCursor | undefined;
  for (;;) {
    const page = await readPage(db, { ...query, limit: pageSize, ...(after && { after }) });
    yield* page.rows;
    if (page.rows.length < pageSize || !page.last) return;
    after = page.last;
  }
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
