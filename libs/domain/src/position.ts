import type { PositionSnapshot } from './account';
import { Decimal } from './decimal';
import { instrumentKey, sameInstrument, type InstrumentId } from './instrument';
import type { Fill } from './orders';

/** What a position needs to know about its instrument. */
export interface PositionInstrument {
  readonly id: InstrumentId;
  /** Contract multiplier: PnL = price move × quantity × multiplier. */
  readonly multiplier: Decimal;
  /** Quote currency: PnL is in this currency. */
  readonly currency: string;
}

/** Direction of a position: by the sign of its quantity. */
export type PositionSide = 'LONG' | 'SHORT' | 'FLAT';

/** Places the average entry price is reported with (half-even). */
export const AVG_PRICE_SCALE = 10;

/**
 * Places the cost taken off a partially closed position is rounded to. The
 * rounding residue stays in the remaining cost and is realised when the
 * position closes, so a round trip's total PnL is exact.
 */
const CLOSED_COST_MIN_SCALE = 12;

/** What one fill did to a position. */
export interface PositionFillResult {
  /** Realised PnL of this fill, net of its commission when in the instrument currency. */
  readonly realizedPnl: Decimal;
  /** Quantity of the previous position closed by this fill (unsigned). */
  readonly closedQuantity: Decimal;
  /** Quantity opened or added by this fill (unsigned); on a flip, the new side's size. */
  readonly openedQuantity: Decimal;
}

/** A fill or snapshot that does not belong to the position, or a fill that is not positive. */
export class PositionError extends Error {
  override readonly name = 'PositionError';
}

/**
 * The net position of one account in one instrument, with average-cost
 * accounting in exact decimals.
 *
 * The cost of the open quantity is kept exactly (Σ signed quantity × price);
 * the average price is derived from it. Realised PnL is net of commissions paid
 * in the instrument's currency; commissions in any other currency are kept per
 * currency in {@link commissionsByCurrency} and never converted.
 *
 * Fills must be applied once each: de-duplicate by exec id before calling.
 *
 * @example
 * const position = new Position('DU123', { id, multiplier: Decimal.ONE, currency: 'USD' });
 * position.applyFill(buy100At10);
 * position.unrealizedPnl(Decimal.parse('10.50')).toFixed(2); // '50.00'
 */
export class Position {
  /** The account holding the position. */
  readonly account: string;
  readonly instrument: InstrumentId;
  /** The instrument's quote currency: realised and unrealised PnL are in it. */
  readonly currency: string;
  /** The instrument's contract multiplier. */
  readonly multiplier: Decimal;
  private qty = Decimal.ZERO;
  /** Signed exact cost of the open quantity, in price units (not × multiplier). */
  private cost = Decimal.ZERO;
  private realized = Decimal.ZERO;
  private readonly commissions = new Map<string, Decimal>();

  /** @throws PositionError when the multiplier is not positive. */
  constructor(account: string, instrument: PositionInstrument) {
    if (!instrument.multiplier.isPositive()) {
      throw new PositionError(`expected a multiplier > 0, was ${instrument.multiplier.toString()}`);
    }
    this.account = account;
    this.instrument = instrument.id;
    this.currency = instrument.currency;
    this.multiplier = instrument.multiplier;
  }

  /**
   * Rebuilds a position from its last snapshot (after a restart). The cost is
   * taken as average price × quantity, so it is only as exact as the snapshot.
   * @throws PositionError when the snapshot is for another instrument or currency.
   */
  static fromSnapshot(
    snapshot: PositionSnapshot,
    instrument: PositionInstrument,
    commissionsByCurrency?: ReadonlyMap<string, Decimal>,
  ): Position {
    if (!sameInstrument(snapshot.instrument, instrument.id)) {
      throw new PositionError(
        `expected a snapshot of ${instrumentKey(instrument.id)}, was one of ${instrumentKey(snapshot.instrument)}`,
      );
    }
    if (snapshot.currency !== instrument.currency) {
      throw new PositionError(`expected a snapshot in ${instrument.currency}, was one in ${snapshot.currency}`);
    }
    const position = new Position(snapshot.account, instrument);
    position.qty = snapshot.quantity;
    position.cost = snapshot.quantity.isZero() ? Decimal.ZERO : snapshot.avgPrice.mul(snapshot.quantity);
    position.realized = snapshot.realizedPnl;
    for (const [currency, amount] of commissionsByCurrency ?? []) position.commissions.set(currency, amount);
    return position;
  }

  /** Signed: positive long, negative short. */
  get quantity(): Decimal {
    return this.qty;
  }

  /** Average entry price of the open quantity (positive), zero when flat. */
  get avgPrice(): Decimal {
    if (this.qty.isZero()) return Decimal.ZERO;
    return this.cost.div(this.qty, AVG_PRICE_SCALE).normalize();
  }

  /** Exact signed cost of the open quantity (quantity × average price, before rounding). */
  get costBasis(): Decimal {
    return this.cost;
  }

  /** Realised PnL in {@link currency}, net of commissions paid in that currency. */
  get realizedPnl(): Decimal {
    return this.realized;
  }

  /** Every commission applied, per currency (the instrument currency included), never converted. */
  get commissionsByCurrency(): ReadonlyMap<string, Decimal> {
    return this.commissions;
  }

  /** True when the quantity is zero. */
  get isFlat(): boolean {
    return this.qty.isZero();
  }

  /** LONG, SHORT or FLAT by the sign of the quantity. */
  get side(): PositionSide {
    const sign = this.qty.sign();
    return sign > 0 ? 'LONG' : sign < 0 ? 'SHORT' : 'FLAT';
  }

  /**
   * Applies one execution. Adds at average cost when it increases the
   * position; realises (exit − average) × closed quantity × multiplier when it
   * reduces it; on a flip closes the old side fully and opens the rest at the
   * fill price.
   * @throws PositionError when the fill is for another account or instrument, or not positive.
   */
  applyFill(fill: Fill): PositionFillResult {
    if (fill.account !== this.account) {
      throw new PositionError(`expected a fill for account ${this.account}, was one for ${fill.account}`);
    }
    if (!sameInstrument(fill.instrument, this.instrument)) {
      throw new PositionError(
        `expected a fill of ${instrumentKey(this.instrument)}, was one of ${instrumentKey(fill.instrument)}`,
      );
    }
    if (!fill.quantity.isPositive()) {
      throw new PositionError(`expected fill quantity > 0, was ${fill.quantity.toString()} (exec ${fill.execId})`);
    }

    const direction = fill.side === 'BUY' ? 1 : -1;
    const held = this.qty.sign();
    let realized = Decimal.ZERO;
    let closed = Decimal.ZERO;
    let opened = fill.quantity;

    if (held !== 0 && held !== direction) {
      const heldAbs = this.qty.abs();
      closed = Decimal.min(heldAbs, fill.quantity);
      opened = fill.quantity.sub(closed);
      // Closing everything takes the whole cost, exactly; a partial close takes its pro-rata share.
      const closedCost = closed.eq(heldAbs)
        ? this.cost
        : this.cost.mul(closed).div(heldAbs, Math.max(CLOSED_COST_MIN_SCALE, this.cost.scale)).normalize();
      const exitValue = held > 0 ? fill.price.mul(closed) : fill.price.mul(closed).neg();
      realized = exitValue.sub(closedCost).mul(this.multiplier);
      this.cost = this.cost.sub(closedCost);
      this.qty = held > 0 ? this.qty.sub(closed) : this.qty.add(closed);
    }
    if (opened.isPositive()) {
      const signedOpened = direction > 0 ? opened : opened.neg();
      this.qty = this.qty.add(signedOpened);
      this.cost = this.cost.add(signedOpened.mul(fill.price));
    }
    if (this.qty.isZero()) this.cost = Decimal.ZERO;

    const commissionCurrency = fill.commissionCurrency === '' ? this.currency : fill.commissionCurrency;
    if (!fill.commission.isZero()) {
      const paid = this.commissions.get(commissionCurrency) ?? Decimal.ZERO;
      this.commissions.set(commissionCurrency, paid.add(fill.commission));
      if (commissionCurrency === this.currency) realized = realized.sub(fill.commission);
    }
    this.realized = this.realized.add(realized);
    return { realizedPnl: realized, closedQuantity: closed, openedQuantity: opened };
  }

  /** (mark − average) × quantity × multiplier, exact; zero when flat. */
  unrealizedPnl(mark: Decimal): Decimal {
    if (this.qty.isZero()) return Decimal.ZERO;
    return mark.mul(this.qty).sub(this.cost).mul(this.multiplier);
  }

  /** The position for publishing; unrealised PnL is zero when no mark is given. */
  snapshot(mark?: Decimal): PositionSnapshot {
    return {
      account: this.account,
      instrument: this.instrument,
      quantity: this.qty,
      avgPrice: this.avgPrice,
      realizedPnl: this.realized,
      unrealizedPnl: mark === undefined ? Decimal.ZERO : this.unrealizedPnl(mark),
      currency: this.currency,
    };
  }
}

