import { Decimal, notional, type Instrument, type LiquiditySide, type OrderSide, type OrderType } from '@ttquant/domain';

/**
 * The simulated venue's matching rules, as pure functions of an order and the
 * top of the book. The venue keeps the state; these decide prices and sizes.
 *
 * - Market orders (and stops once triggered) take the touch: buys pay the ask,
 *   sells get the bid, worsened by the configured slippage.
 * - A marketable limit order on arrival takes the touch (price improvement,
 *   TAKER); a resting limit order that the moving market crosses fills at its
 *   own limit price (MAKER).
 * - Every fill takes at most the displayed size still available at the touch;
 *   the rest keeps working until the next quote brings fresh size.
 * - Buy stops trigger when the ask reaches the stop price, sell stops when the
 *   bid reaches it.
 */

/** Best bid and offer with the displayed size still available to take at each. */
export interface BookTop {
  readonly bidPrice?: Decimal;
  readonly bidSize: Decimal;
  readonly askPrice?: Decimal;
  readonly askSize: Decimal;
}

/** What matching needs to know of an order. */
export interface MatchableOrder {
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  /** Quantity still to fill. */
  readonly leaves: Decimal;
  /** For STOP and STOP_LIMIT: whether the stop has triggered. */
  readonly triggered: boolean;
}

/** How much worse than the touch market orders fill. */
export interface SlippageRule {
  /** Whole ticks beyond the touch. */
  readonly ticks: number;
  /** Basis points of the touch, rounded up to the tick, added to the ticks. */
  readonly bps: Decimal;
}

/** Commission schedule. */
export interface FeeSchedule {
  /** Basis points of notional for MAKER fills. */
  readonly makerBps: Decimal;
  /** Basis points of notional for TAKER fills. */
  readonly takerBps: Decimal;
  /** Per unit of quantity, in the instrument currency. */
  readonly perUnit: Decimal;
  /** Decimal places the commission is rounded up to. */
  readonly scale: number;
}

/** One fill the venue should execute. */
export interface FillInstruction {
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly liquidity: LiquiditySide;
}

const BPS = Decimal.of(1, -4);

/** How the order behaves now: as a market order, as a limit order, or not at all (an untriggered stop). */
export function actingType(order: Pick<MatchableOrder, 'type' | 'triggered'>): 'MARKET' | 'LIMIT' | undefined {
  switch (order.type) {
    case 'MARKET':
      return 'MARKET';
    case 'LIMIT':
      return 'LIMIT';
    case 'STOP':
      return order.triggered ? 'MARKET' : undefined;
    case 'STOP_LIMIT':
      return order.triggered ? 'LIMIT' : undefined;
  }
}

/** True when the book reaches the stop: the ask at or above a buy stop, the bid at or below a sell stop. */
export function isStopTriggered(order: Pick<MatchableOrder, 'side' | 'stopPrice'>, book: BookTop): boolean {
  if (order.stopPrice === undefined) return false;
  if (order.side === 'BUY') return book.askPrice !== undefined && book.askPrice.gte(order.stopPrice);
  return book.bidPrice !== undefined && book.bidPrice.lte(order.stopPrice);
}

/** The touch an order trades against, with its available size: the ask for buys, the bid for sells. */
export function oppositeTouch(side: OrderSide, book: BookTop): { price: Decimal; size: Decimal } | undefined {
  const price = side === 'BUY' ? book.askPrice : book.bidPrice;
  if (price === undefined) return undefined;
  return { price, size: side === 'BUY' ? book.askSize : book.bidSize };
}

/** True when the order would take liquidity right now (for post-only refusal and fill-or-kill checks). */
export function isMarketable(order: MatchableOrder, book: BookTop): boolean {
  const acting = actingType(order);
  const touch = oppositeTouch(order.side, book);
  if (acting === undefined || touch === undefined) return false;
  if (acting === 'MARKET') return true;
  return priceAcceptable(order.side, touch.price, order.limitPrice);
}

/** Quantity the order could take at once at acceptable prices (what a fill-or-kill order must see in full). */
export function availableNow(order: MatchableOrder, book: BookTop): Decimal {
  const touch = oppositeTouch(order.side, book);
  if (touch === undefined || !isMarketable(order, book)) return Decimal.ZERO;
  return touch.size.isPositive() ? touch.size : Decimal.ZERO;
}

/**
 * The touch worsened by slippage: up for buys, down for sells, on the tick grid
 * and never below one tick.
 */
export function slippedPrice(side: OrderSide, touch: Decimal, tickSize: Decimal, slippage: SlippageRule): Decimal {
  let offset = tickSize.mul(Decimal.of(slippage.ticks));
  if (slippage.bps.isPositive()) offset = offset.add(touch.mul(slippage.bps).mul(BPS).roundToIncrement(tickSize, 'ceil'));
  if (side === 'BUY') return touch.add(offset);
  const price = touch.sub(offset);
  return price.lt(tickSize) ? tickSize : price;
}

/**
 * The fill the order gets from the book now, or `undefined`.
 * @param aggressive true when the order has just arrived, been amended or
 *   triggered (it takes the touch); false when it was resting and the market
 *   moved onto it (it fills at its limit).
 */
export function matchOrder(
  order: MatchableOrder,
  book: BookTop,
  aggressive: boolean,
  tickSize: Decimal,
  slippage: SlippageRule,
): FillInstruction | undefined {
  const acting = actingType(order);
  const touch = oppositeTouch(order.side, book);
  if (acting === undefined || touch === undefined || !touch.size.isPositive() || !order.leaves.isPositive()) return undefined;
  const quantity = Decimal.min(order.leaves, touch.size);
  if (acting === 'MARKET') {
    return { price: slippedPrice(order.side, touch.price, tickSize, slippage), quantity, liquidity: 'TAKER' };
  }
  if (!priceAcceptable(order.side, touch.price, order.limitPrice)) return undefined;
  if (aggressive) return { price: touch.price, quantity, liquidity: 'TAKER' };
  // The limit is the best price on the book: an incoming order trades with it there.
  return { price: order.limitPrice as Decimal, quantity, liquidity: 'MAKER' };
}

/**
 * Commission of a fill in the instrument currency: the maker or taker rate on
 * notional (price × quantity × multiplier) plus the per-unit fee, rounded up to
 * the schedule's scale.
 */
export function commission(
  instrument: Pick<Instrument, 'multiplier'>,
  fill: FillInstruction,
  fees: FeeSchedule,
): Decimal {
  const rate = fill.liquidity === 'MAKER' ? fees.makerBps : fees.takerBps;
  const total = notional(instrument, fill.price, fill.quantity).mul(rate).mul(BPS).add(fill.quantity.mul(fees.perUnit));
  return total.isZero() ? Decimal.ZERO : total.round(fees.scale, 'up').normalize();
}

function priceAcceptable(side: OrderSide, touch: Decimal, limit: Decimal | undefined): boolean {
  if (limit === undefined) return false;
  return side === 'BUY' ? touch.lte(limit) : touch.gte(limit);
}
