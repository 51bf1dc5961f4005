import type { Decimal } from './decimal';
import type { InstrumentId } from './instrument';
import type { UnixNanos } from './time';

/** How trustworthy a market-data value is; adapters tag every tick with it. */
export const DATA_QUALITIES = ['REALTIME', 'DELAYED', 'FROZEN', 'DELAYED_FROZEN', 'SIMULATED'] as const;
export type DataQuality = (typeof DATA_QUALITIES)[number];

/** Fields every market-data item carries. */
export interface MarketDataBase {
  readonly instrument: InstrumentId;
  readonly quality: DataQuality;
  /** Venue time when known, else receipt time. */
  readonly eventTime: UnixNanos;
  /** When TTQuant created the object. */
  readonly initTime: UnixNanos;
}

/** Best bid and offer. */
export interface QuoteTick extends MarketDataBase {
  readonly kind: 'quote';
  readonly bidPrice: Decimal;
  readonly bidSize: Decimal;
  readonly askPrice: Decimal;
  readonly askSize: Decimal;
}

export const AGGRESSOR_SIDES = ['BUYER', 'SELLER', 'NONE'] as const;
export type AggressorSide = (typeof AGGRESSOR_SIDES)[number];

/** A trade printed on the venue. */
export interface TradeTick extends MarketDataBase {
  readonly kind: 'trade';
  readonly price: Decimal;
  readonly size: Decimal;
  readonly aggressor: AggressorSide;
  /** The venue's trade id; empty when it gives none. */
  readonly tradeId: string;
}

export interface BookLevel {
  readonly price: Decimal;
  readonly size: Decimal;
}

/** A full L2 book: bids best (highest) first, asks best (lowest) first. */
export interface BookSnapshot extends MarketDataBase {
  readonly kind: 'book-snapshot';
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export type BookSide = 'BID' | 'ASK';

/** One price level changed; a size of zero removes the level. */
export interface BookLevelChange {
  readonly side: BookSide;
  readonly price: Decimal;
  readonly size: Decimal;
}

/** Incremental L2 update applied in order to the last snapshot. */
export interface BookDelta extends MarketDataBase {
  readonly kind: 'book-delta';
  readonly changes: readonly BookLevelChange[];
}

/** An OHLCV bar covering [startTime, startTime + intervalSeconds). */
export interface Bar extends MarketDataBase {
  readonly kind: 'bar';
  readonly intervalSeconds: number;
  readonly startTime: UnixNanos;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly tradeCount: number;
}

/** Perpetual-swap funding rate. */
export interface FundingRate extends MarketDataBase {
  readonly kind: 'funding-rate';
  readonly rate: Decimal;
  readonly nextFundingTime: UnixNanos;
}

export type MarketData = QuoteTick | TradeTick | BookSnapshot | BookDelta | Bar | FundingRate;
