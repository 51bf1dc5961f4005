import { Decimal, sameInstrument, type InstrumentId, type QuoteTick } from '@ttquant/domain';
import { Ema } from '../indicators/ema';
import type { Strategy, StrategyContext, StrategySubscriptions } from '../strategy';

/** Settings of {@link EmaCrossStrategy}. */
export interface EmaCrossConfig {
  /** Unique strategy id (letters and digits make the clearest client order ids). */
  readonly id: string;
  readonly instrument: InstrumentId;
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  /** Position size when in the market. */
  readonly quantity: Decimal;
  /**
   * `long-only`: long on a golden cross, flat on a death cross.
   * `long-short`: long on a golden cross, short on a death cross.
   */
  readonly mode: 'long-only' | 'long-short';
  /** Default: the engine's account. */
  readonly account?: string;
}

/**
 * The classic moving-average crossover on the quote mid price: when the fast EMA
 * crosses above the slow one it goes long, when it crosses below it goes flat
 * (or short). It waits for its own order to finish before deciding again, so a
 * fast market never stacks orders.
 */
export class EmaCrossStrategy implements Strategy {
  readonly id: string;
  readonly subscriptions: StrategySubscriptions;
  private readonly fast: Ema;
  private readonly slow: Ema;
  /** +1 when fast > slow, -1 when below, 0 before both EMAs are ready. */
  private trend = 0;

  constructor(private readonly config: EmaCrossConfig) {
    if (config.fastPeriod >= config.slowPeriod) {
      throw new RangeError(
        `expected fastPeriod < slowPeriod, was fastPeriod=${config.fastPeriod} slowPeriod=${config.slowPeriod}`,
      );
    }
    if (!config.quantity.isPositive()) {
      throw new RangeError(`expected quantity > 0, was ${config.quantity.toString()}`);
    }
    this.id = config.id;
    this.fast = new Ema(config.fastPeriod);
    this.slow = new Ema(config.slowPeriod);
    this.subscriptions = { quotes: [config.instrument] };
  }

  onQuote(quote: QuoteTick, ctx: StrategyContext): void {
    if (!sameInstrument(quote.instrument, this.config.instrument)) return;
    if (quote.bidPrice.isZero() || quote.askPrice.isZero()) return; // one-sided book
    const mid = (quote.bidPrice.toNumber() + quote.askPrice.toNumber()) / 2;
    const fast = this.fast.update(mid);
    const slow = this.slow.update(mid);
    if (!this.slow.ready || fast === slow) return;

    const trend = fast > slow ? 1 : -1;
    const crossed = this.trend !== 0 && trend !== this.trend;
    this.trend = trend;
    if (crossed) this.moveTo(this.targetFor(trend), ctx);
  }

  private targetFor(trend: number): Decimal {
    if (trend > 0) return this.config.quantity;
    return this.config.mode === 'long-short' ? this.config.quantity.neg() : Decimal.ZERO;
  }

  private moveTo(target: Decimal, ctx: StrategyContext): void {
    const { instrument } = this.config;
    if (ctx.openOrders(instrument).length > 0) return;
    const delta = target.sub(ctx.position(instrument).quantity);
    if (delta.isZero()) return;
    ctx.submitOrder({
      instrument,
      side: delta.isPositive() ? 'BUY' : 'SELL',
      quantity: delta.abs(),
      type: 'MARKET',
      ...(this.config.account ? { account: this.config.account } : {}),
    });
  }
}
