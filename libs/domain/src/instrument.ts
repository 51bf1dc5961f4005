import type { Decimal } from './decimal';

/** Identifies an instrument across the platform: the venue plus the venue-neutral symbol. */
export interface InstrumentId {
  readonly venue: string;
  readonly symbol: string;
}

/** A stable text key for maps: `VENUE:SYMBOL`. */
export function instrumentKey(id: InstrumentId): string {
  return `${id.venue}:${id.symbol}`;
}

/** True when both ids name the same instrument (ids are compared by value, never by reference). */
export function sameInstrument(a: InstrumentId, b: InstrumentId): boolean {
  return a.venue === b.venue && a.symbol === b.symbol;
}

export const ASSET_CLASSES = [
  'EQUITY',
  'ETF',
  'FUTURE',
  'FOREX',
  'CRYPTO_SPOT',
  'CRYPTO_PERPETUAL',
  'INDEX',
  'OPTION',
] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

/** A tradable instrument as its venue defines it. */
export interface Instrument {
  readonly id: InstrumentId;
  /** The venue's own identifier (IB conId, exchange market id); empty when the venue has none. */
  readonly venueInstrumentId: string;
  readonly assetClass: AssetClass;
  readonly exchange: string;
  /** Currency prices are quoted in, and PnL is computed in. */
  readonly currency: string;
  /** Base currency of forex and crypto pairs; empty otherwise. */
  readonly baseCurrency: string;
  /** Contract multiplier: notional = price × quantity × multiplier. */
  readonly multiplier: Decimal;
  /** Smallest price increment. */
  readonly tickSize: Decimal;
  /** Smallest quantity increment. */
  readonly lotSize: Decimal;
  readonly minQuantity: Decimal;
  readonly description: string;
}
