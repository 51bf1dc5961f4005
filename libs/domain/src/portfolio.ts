import type { PositionSnapshot } from './account';
import { Decimal } from './decimal';
import type { InstrumentId } from './instrument';
import { InstrumentMap } from './instrument-map';
import type { Fill } from './orders';
import { Position, PositionError, type PositionFillResult, type PositionInstrument } from './position';

/** PnL and commissions of a portfolio in one currency. */
export interface CurrencyTotals {
  readonly currency: string;
  /** Realised PnL of positions quoted in this currency, already net of commissions paid in it. */
  readonly realizedPnl: Decimal;
  /** Unrealised PnL of positions quoted in this currency at their last marks. */
  readonly unrealizedPnl: Decimal;
  /**
   * Commissions paid in this currency, whatever the instrument: for
   * information, since those in a position's own currency are already inside
   * its realised PnL.
   */
  readonly commissions: Decimal;
}

/**
 * The positions of one account across instruments and currencies, with marks
 * for unrealised PnL. Amounts are never converted between currencies.
 *
 * @example
 * const portfolio = new Portfolio('DU123');
 * portfolio.applyFill(fill, instrument);
 * portfolio.updateMark(instrument.id, lastPrice);
 * portfolio.totals().get('USD')?.unrealizedPnl;
 */
export class Portfolio {
  private readonly byInstrument = new InstrumentMap<Position>();
  private readonly marks = new InstrumentMap<Decimal>();

  /** @param account when given, fills of other accounts are refused */
  constructor(readonly account?: string) {}

  /**
   * Applies a fill to the instrument's position, opening one on first use.
   * @throws PositionError for a fill of another account or a non-positive quantity.
   */
  applyFill(fill: Fill, instrument: PositionInstrument): PositionFillResult {
    if (this.account !== undefined && fill.account !== this.account) {
      throw new PositionError(`expected a fill for account ${this.account}, was one for ${fill.account}`);
    }
    let position = this.byInstrument.get(instrument.id);
    if (!position) {
      position = new Position(fill.account, instrument);
      // Validate before storing, so a refused first fill leaves no empty position behind.
      const result = position.applyFill(fill);
      this.byInstrument.set(instrument.id, position);
      return result;
    }
    return position.applyFill(fill);
  }

  /**
   * Adds a position rebuilt from a snapshot (see `Position.fromSnapshot`),
   * replacing any position of that instrument.
   * @throws PositionError when the position belongs to another account.
   */
  restore(position: Position): void {
    if (this.account !== undefined && position.account !== this.account) {
      throw new PositionError(`expected a position of account ${this.account}, was one of ${position.account}`);
    }
    this.byInstrument.set(position.instrument, position);
  }

  /** The position in `instrument`, if a fill ever opened one. */
  position(instrument: InstrumentId): Position | undefined {
    return this.byInstrument.get(instrument);
  }

  /** Every position ever opened, flat ones included (they hold realised PnL). */
  positions(): readonly Position[] {
    return [...this.byInstrument.values()];
  }

  /** Positions that are not flat. */
  openPositions(): readonly Position[] {
    return this.positions().filter((position) => !position.isFlat);
  }

  /** Records the latest price of an instrument for unrealised PnL; cheap enough per tick. */
  updateMark(instrument: InstrumentId, price: Decimal): void {
    this.marks.set(instrument, price);
  }

  /** The last mark recorded for `instrument`. */
  mark(instrument: InstrumentId): Decimal | undefined {
    return this.marks.get(instrument);
  }

  /** Unrealised PnL of one position at its mark; zero when flat or never marked. */
  unrealizedPnlOf(position: Position): Decimal {
    const mark = this.marks.get(position.instrument);
    return mark === undefined ? Decimal.ZERO : position.unrealizedPnl(mark);
  }

  /** Sum of realised PnL of the positions quoted in `currency`. */
  realizedPnl(currency: string): Decimal {
    let total = Decimal.ZERO;
    for (const position of this.byInstrument.values()) {
      if (position.currency === currency) total = total.add(position.realizedPnl);
    }
    return total;
  }

  /** Sum of unrealised PnL of the positions quoted in `currency`; unmarked positions count zero. */
  unrealizedPnl(currency: string): Decimal {
    let total = Decimal.ZERO;
    for (const position of this.byInstrument.values()) {
      if (position.currency === currency) total = total.add(this.unrealizedPnlOf(position));
    }
    return total;
  }

  /** Totals per currency, in currency order; every currency that has a position or a commission appears. */
  totals(): ReadonlyMap<string, CurrencyTotals> {
    const sums = new Map<string, { realized: Decimal; unrealized: Decimal; commissions: Decimal }>();
    const entry = (currency: string) => {
      let sum = sums.get(currency);
      if (!sum) {
        sum = { realized: Decimal.ZERO, unrealized: Decimal.ZERO, commissions: Decimal.ZERO };
        sums.set(currency, sum);
      }
      return sum;
    };
    for (const position of this.byInstrument.values()) {
      const sum = entry(position.currency);
      sum.realized = sum.realized.add(position.realizedPnl);
      sum.unrealized = sum.unrealized.add(this.unrealizedPnlOf(position));
      for (const [currency, amount] of position.commissionsByCurrency) {
        const commissionSum = entry(currency);
        commissionSum.commissions = commissionSum.commissions.add(amount);
      }
    }
    const totals = new Map<string, CurrencyTotals>();
    const byCurrency = [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [currency, sum] of byCurrency) {
      totals.set(currency, {
        currency,
        realizedPnl: sum.realized,
        unrealizedPnl: sum.unrealized,
        commissions: sum.commissions,
      });
    }
    return totals;
  }

  /** Snapshots of every position at its mark (unmarked: zero unrealised PnL). */
  snapshots(): PositionSnapshot[] {
    return this.positions().map((position) => position.snapshot(this.marks.get(position.instrument)));
  }
}
