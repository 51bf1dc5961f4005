import type { Decimal, Instrument, InstrumentId, OrderSpec, QuoteTick } from '@ttquant/domain';

/** The account's trading state: REDUCING lets only position-reducing orders through. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

/** What the checks may look at; the gateway provides it from its own state. */
export interface RiskContext {
  instrument(id: InstrumentId): Instrument | undefined;
  lastQuote(id: InstrumentId): QuoteTick | undefined;
  /** Signed net position of the account in the instrument. */
  position(account: string, id: InstrumentId): Decimal;
  /** Signed sum of the leaves quantity of the account's working orders in the instrument. */
  pendingQuantity(account: string, id: InstrumentId): Decimal;
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
