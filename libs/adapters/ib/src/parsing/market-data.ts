import {
  Decimal,
  roundPrice,
  type BookLevel,
  type DataQuality,
  type Instrument,
  type QuoteTick,
  type UnixNanos,
} from '@ttquant/domain';
import type { IbMarketDataTypeName } from '../config';

/** IB's market data type numbers (MARKET_DATA_TYPE messages, `reqMarketDataType`) as data quality tags. */
export const IB_DATA_QUALITY: Readonly<Record<number, DataQuality>> = {
  1: 'REALTIME',
  2: 'FROZEN',
  3: 'DELAYED',
  4: 'DELAYED_FROZEN',
};

/** The `reqMarketDataType` number of a configured type name. */
export function marketDataTypeNumber(name: IbMarketDataTypeName): 1 | 2 | 3 | 4 {
  switch (name) {
    case 'realtime':
      return 1;
    case 'frozen':
      return 2;
    case 'delayed':
      return 3;
    case 'delayed-frozen':
      return 4;
  }
}

/** The quality tag of an IB market data type number; unknown numbers are taken as delayed (the cautious reading). */
export function qualityOf(marketDataType: number): DataQuality {
  return IB_DATA_QUALITY[marketDataType] ?? 'DELAYED';
}

/** IB tick types the L1 book reads (live and delayed variants). */
export const TICK = {
  BID_SIZE: 0,
  BID: 1,
  ASK: 2,
  ASK_SIZE: 3,
  LAST: 4,
  LAST_SIZE: 5,
  DELAYED_BID: 66,
  DELAYED_ASK: 67,
  DELAYED_LAST: 68,
  DELAYED_BID_SIZE: 69,
  DELAYED_ASK_SIZE: 70,
  DELAYED_LAST_SIZE: 71,
} as const;

/** A TICK_REQ_PARAMS message read from its raw fields. */
export interface RawTickReqParams {
  readonly reqId: number;
  readonly minTick: number;
  readonly bboExchange: string;
  readonly snapshotPermissions: number;
}

const TICK_REQ_PARAMS_MSG = '81';

/**
 * Reads a TICK_REQ_PARAMS message from its raw fields
 * (`81, reqId, minTick, bboExchange, snapshotPermissions`). The pinned decoder
 * reads minTick with `parseInt`, turning 0.01 into 0; this reads it as a number.
 * @returns undefined for any other message.
 */
export function parseRawTickReqParams(fields: readonly string[]): RawTickReqParams | undefined {
  if (fields[0] !== TICK_REQ_PARAMS_MSG || fields.length < 5) return undefined;
  return {
    reqId: Number.parseInt(fields[1], 10),
    minTick: Number(fields[2]),
    bboExchange: fields[3],
    snapshotPermissions: Number.parseInt(fields[4], 10) || 0,
  };
}

/**
 * The top of book of one market data line, built from tickPrice and tickSize
 * events. Sizes come from TICK_SIZE events: the pinned decoder drops the bid
 * size carried inside TICK_PRICE (BID_SIZE is tick type 0, which it tests as
 * false), so the bid side would otherwise never get a size.
 */
export class L1Book {
  bidPrice?: number;
  bidSize?: number;
  askPrice?: number;
  askSize?: number;
  lastPrice?: number;
  lastSize?: number;

  /** Applies a tickPrice event; true when the top of book changed. */
  applyPrice(tickType: number, price: number | undefined): boolean {
    // IB sends -1 (or 0 for some products) when a side has no quote.
    const value = price !== undefined && Number.isFinite(price) && price > 0 ? price : undefined;
    switch (tickType) {
      case TICK.BID:
      case TICK.DELAYED_BID:
        return this.set('bidPrice', value);
      case TICK.ASK:
      case TICK.DELAYED_ASK:
        return this.set('askPrice', value);
      case TICK.LAST:
      case TICK.DELAYED_LAST:
        this.lastPrice = value;
        return false;
      default:
        return false;
    }
  }

  /** Applies a tickSize event; true when the top of book changed. */
  applySize(tickType: number | undefined, size: number | undefined): boolean {
    if (size === undefined || !Number.isFinite(size) || size < 0) return false;
    switch (tickType) {
      case TICK.BID_SIZE:
      case TICK.DELAYED_BID_SIZE:
        return this.set('bidSize', size);
      case TICK.ASK_SIZE:
      case TICK.DELAYED_ASK_SIZE:
        return this.set('askSize', size);
      case TICK.LAST_SIZE:
      case TICK.DELAYED_LAST_SIZE:
        this.lastSize = size;
        return false;
      default:
        return false;
    }
  }

  /** Forgets everything (on resubscription: the new line starts from scratch). */
  clear(): void {
    this.bidPrice = this.bidSize = this.askPrice = this.askSize = this.lastPrice = this.lastSize = undefined;
  }

  /** True when both sides have a price and a size. */
  get complete(): boolean {
    return this.bidPrice !== undefined && this.askPrice !== undefined && this.bidSize !== undefined && this.askSize !== undefined;
  }

  private set(key: 'bidPrice' | 'bidSize' | 'askPrice' | 'askSize', value: number | undefined): boolean {
    if (this[key] === value) return false;
    this[key] = value;
    return true;
  }
}

/** A venue float as a decimal on the instrument's tick grid. */
export function toPrice(instrument: Instrument, value: number): Decimal {
  return roundPrice(instrument, Decimal.fromNumber(value));
}

/** A venue float size as a non-negative decimal (IB sizes may be fractional for crypto and forex). */
export function toSize(value: number): Decimal {
  return value > 0 ? Decimal.fromNumber(value).normalize() : Decimal.ZERO;
}

/**
 * The quote of a complete L1 book; `undefined` while a side is missing or the
 * book is crossed after rounding (a transient IB shows between two ticks).
 */
export function toQuote(instrument: Instrument, book: L1Book, quality: DataQuality, now: UnixNanos): QuoteTick | undefined {
  if (!book.complete) return undefined;
  const bidPrice = toPrice(instrument, book.bidPrice as number);
  const askPrice = toPrice(instrument, book.askPrice as number);
  if (!bidPrice.lt(askPrice)) return undefined;
  return {
    kind: 'quote',
    instrument: instrument.id,
    quality,
    eventTime: now,
    initTime: now,
    bidPrice,
    bidSize: toSize(book.bidSize as number),
    askPrice,
    askSize: toSize(book.askSize as number),
  };
}

/** One side of an IB market depth book, kept by position as IB updates it. */
export class DepthSide {
  private levels: { price: number; size: number }[] = [];

  /**
   * Applies an updateMktDepth operation: 0 insert at `position`, 1 update it,
   * 2 delete it. Out-of-range positions are clamped so a lost message cannot
   * leave holes.
   */
  apply(position: number, operation: number, price: number, size: number): void {
    const at = Math.max(0, Math.min(position, this.levels.length));
    if (operation === 0) this.levels.splice(at, 0, { price, size });
    else if (operation === 1) {
      if (at < this.levels.length) this.levels[at] = { price, size };
      else this.levels.push({ price, size });
    } else if (operation === 2 && at < this.levels.length) this.levels.splice(at, 1);
  }

  /** Forgets every level (on resubscription). */
  clear(): void {
    this.levels = [];
  }

  /** The levels as domain book levels on the instrument's grid, best first, empty levels dropped. */
  toLevels(instrument: Instrument, depth: number): BookLevel[] {
    return this.levels
      .filter((l) => l.size > 0 && l.price > 0)
      .slice(0, depth)
      .map((l) => ({ price: toPrice(instrument, l.price), size: toSize(l.size) }));
  }
}
