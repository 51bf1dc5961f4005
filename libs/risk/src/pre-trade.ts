import type { Decimal, Instrument, InstrumentId, OrderSide, OrderSpec, QuoteTick } from '@ttquant/domain';

/** The account's trading state: REDUCING lets only position-reducing orders through. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

/** What the checks may look at; the gateway provides it from its own state. */
export interface RiskContext {
  instrument(id: InstrumentId): Instrument | undefined;
  lastQuote(id: InstrumentId): QuoteTick | undefined;
  /** Signed net position of the account in the instrument. */
  position(account: string, id: InstrumentId): Decimal;
  /**
   * Leaves quantity (never negative) of the account's working orders in the
   * instrument on one side, leaving out the order `excludeClientOrderId` (the
   * order being amended, whose new quantity replaces its leaves). Buys and
   * sells are kept apart because either side may fill first: netting them
   * would let a resting sell hide a buy that breaks the limit on its own.
   */
  pendingQuantity(account: string, id: InstrumentId, side: OrderSide, excludeClientOrderId?: string): Decimal;
  tradingState(account: string): TradingState;
}

/** A check's verdict: allowed, or denied with the check's name and a reason a trader can act on. */
export type RiskDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly check: string; readonly reason: string };

/** One pre-trade rule. Checks are pure functions of the order and the context. */
export interface PreTradeCheck {
  readonly name: string;
  check(order: OrderSpec, ctx: RiskContext): RiskDecision;
}

/** Runs checks in order; the first denial wins. */
export interface PreTradeRisk {
  evaluate(order: OrderSpec, ctx: RiskContext): RiskDecision;
}

export const ALLOWED: RiskDecision = Object.freeze({ allowed: true });

/** Builds a denial. */
export function deny(check: string, reason: string): RiskDecision {
  return { allowed: false, check, reason };
}
