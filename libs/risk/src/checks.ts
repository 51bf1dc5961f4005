import {
  checkPrice,
  checkQuantity,
  Decimal,
  instrumentKey,
  notional,
  type OrderSpec,
  type QuoteTick,
} from '@ttquant/domain';
import { ALLOWED, deny, type PreTradeCheck, type RiskContext, type RiskDecision } from './pre-trade';
import type { InstrumentLimits, RiskLimits } from './risk-limits';

const TWO = Decimal.of(2);
const BPS = Decimal.of(10_000);

/**
 * The position if every working order on the order's side filled, and then the order itself:
 * the worst case the order can lead to, whichever orders fill first.
 */
function worstCasePosition(order: OrderSpec, ctx: RiskContext): Decimal {
  const position = ctx.position(order.account, order.instrument);
  const sameSide = ctx.pendingQuantity(order.account, order.instrument, order.side, order.clientOrderId).add(order.quantity);
  return order.side === 'BUY' ? position.add(sameSide) : position.sub(sameSide);
}

/**
 * HALTED denies everything; REDUCING lets through only orders that, together with the
 * working orders on their side, still only reduce the position (never flip it).
 */
export const tradingStateCheck: PreTradeCheck = {
  name: 'trading-state',
  check(order, ctx) {
    const state = ctx.tradingState(order.account);
    if (state === 'ACTIVE') return ALLOWED;
    if (state === 'HALTED') return deny(this.name, `account ${order.account} is HALTED: no new orders`);
    const position = ctx.position(order.account, order.instrument);
    const after = worstCasePosition(order, ctx);
    const reduces =
      (order.side === 'SELL' && position.isPositive() && !after.isNegative()) ||
      (order.side === 'BUY' && position.isNegative() && !after.isPositive());
    return reduces
      ? ALLOWED
      : deny(
          this.name,
          `account ${order.account} is REDUCING: only orders that reduce the position ${position.toString()} ` +
            `(with working orders this one would bring it to ${after.toString()})`,
        );
  },
};

export const instrumentKnownCheck: PreTradeCheck = {
  name: 'instrument-known',
  check(order, ctx) {
    return ctx.instrument(order.instrument)
      ? ALLOWED
      : deny(this.name, `unknown instrument ${instrumentKey(order.instrument)}`);
  },
};

/** Quantity a multiple of the lot size and at least the minimum; prices on the tick grid. */
export const precisionCheck: PreTradeCheck = {
  name: 'precision',
  check(order, ctx) {
    const instrument = ctx.instrument(order.instrument);
    if (!instrument) return ALLOWED; // instrument-known reports it
    const problem =
      checkQuantity(instrument, order.quantity) ??
      (order.limitPrice && checkPrice(instrument, order.limitPrice)) ??
      (order.stopPrice && checkPrice(instrument, order.stopPrice));
    return problem ? deny(this.name, problem) : ALLOWED;
  },
};

/** Checks that need the limits and a reference price. */
export function limitChecks(limits: RiskLimits): PreTradeCheck[] {
  const limitsFor = (order: OrderSpec): InstrumentLimits => {
    const override = limits.perInstrument?.[instrumentKey(order.instrument)];
    return override ? { ...limits, ...override } : limits;
  };
  const requireQuote = limits.requireQuoteForMarketOrders ?? true;

  return [
    {
      name: 'max-order-quantity',
      check(order) {
        const max = limitsFor(order).maxOrderQuantity;
        return max && order.quantity.gt(max)
          ? deny(this.name, `quantity ${order.quantity.toString()} exceeds the per-order maximum ${max.toString()}`)
          : ALLOWED;
      },
    },
    {
      name: 'reference-price',
      check(order, ctx) {
        if (order.type !== 'MARKET' || !requireQuote) return ALLOWED;
        return referencePrice(order, ctx.lastQuote(order.instrument))
          ? ALLOWED
          : deny(this.name, `no quote for ${instrumentKey(order.instrument)} to value a market order against`);
      },
    },
    {
      name: 'max-order-notional',
      check(order, ctx) {
        const max = limitsFor(order).maxOrderNotional;
        const instrument = ctx.instrument(order.instrument);
        const price = referencePrice(order, ctx.lastQuote(order.instrument));
        if (!max || !instrument || !price) return ALLOWED;
        const value = notional(instrument, price, order.quantity);
        return value.gt(max)
          ? deny(this.name, `notional ${value.toFixed(2)} ${instrument.currency} exceeds the per-order maximum ${max.toString()}`)
          : ALLOWED;
      },
    },
    {
      name: 'price-band',
      check(order, ctx) {
        const bandBps = limitsFor(order).priceBandBps;
        const quote = ctx.lastQuote(order.instrument);
        const price = order.limitPrice ?? order.stopPrice;
        if (bandBps === undefined || !quote || !price) return ALLOWED;
        return priceBandDecision(this.name, price, quote, bandBps);
      },
    },
    {
      // Reduce-only orders get no pass: the worst case of one that truly reduces stays within the limit anyway.
      name: 'position-limit',
      check(order, ctx) {
        const max = limitsFor(order).maxPosition;
        if (!max) return ALLOWED;
        const projected = worstCasePosition(order, ctx);
        const beyond = order.side === 'BUY' ? projected.gt(max) : projected.lt(max.neg());
        return beyond
          ? deny(
              this.name,
              `position would reach ${projected.toString()}, beyond the limit of ±${max.toString()} for ${instrumentKey(order.instrument)}`,
            )
          : ALLOWED;
      },
    },
  ];
}

/** The price an order would trade at: its limit, else the touch it would take. */
function referencePrice(order: OrderSpec, quote: QuoteTick | undefined): Decimal | undefined {
  if (order.limitPrice) return order.limitPrice;
  if (!quote) return order.stopPrice;
  const touch = order.side === 'BUY' ? quote.askPrice : quote.bidPrice;
  return touch.isPositive() ? touch : order.stopPrice;
}

function priceBandDecision(name: string, price: Decimal, quote: QuoteTick, bandBps: number): RiskDecision {
  if (!quote.bidPrice.isPositive() || !quote.askPrice.isPositive()) return ALLOWED;
  const mid = quote.bidPrice.add(quote.askPrice).div(TWO, 12);
  const deviationBps = price.sub(mid).abs().mul(BPS).div(mid, 2);
  return deviationBps.toNumber() > bandBps
    ? deny(name, `price ${price.toString()} is ${deviationBps.toFixed(0)} bps from the mid ${mid.normalize().toString()}, beyond the band of ${bandBps} bps`)
    : ALLOWED;
}
