import type { Decimal } from '@ttquant/domain';

/** Per-order and per-instrument limits. An absent limit is not checked. */
export interface InstrumentLimits {
  /** Largest quantity one order may have. */
  readonly maxOrderQuantity?: Decimal;
  /** Largest price × quantity × multiplier one order may have, in the quote currency. */
  readonly maxOrderNotional?: Decimal;
  /** Largest absolute net position the account may hold after the order and its working orders. */
  readonly maxPosition?: Decimal;
  /** Fat-finger band: a price further than this from the last quote's mid, in basis points, is denied. */
  readonly priceBandBps?: number;
}

/** Limits applied to every order, with overrides per instrument key (`VENUE:SYMBOL`). */
export interface RiskLimits extends InstrumentLimits {
  readonly perInstrument?: Readonly<Record<string, InstrumentLimits>>;
  /**
   * Deny market orders when there is no quote to value them against. On by default:
   * without a price neither the notional nor the band can be checked.
   */
  readonly requireQuoteForMarketOrders?: boolean;
}
