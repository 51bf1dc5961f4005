import { Decimal, type InstrumentId, type OrderSide, type QuoteTick } from '@ttquant/domain';
import type { Strategy, StrategyContext, StrategySubscriptions } from '../strategy';

/** Order tag carrying the triggering quote's init time (decimal nanoseconds). */
export const TICK_INIT_TAG = 'tickInitNs';
/** Order tag carrying the time the probe decided to send (decimal nanoseconds). */
export const DECIDED_TAG = 'decidedNs';

/** Settings of {@link LatencyProbeStrategy}. */
export interface LatencyProbeConfig {
  readonly id: string;
  readonly instrument: InstrumentId;
  /** An order on every `every`-th quote: at 10 000 quotes/s, 50 gives 200 orders/s. */
  readonly every: number;
  /** Size of each order; default 1. */
  readonly quantity?: Decimal;
  /** Default: the engine's account. */
  readonly account?: string;
  /**
   * Quotes to let pass before counting towards the first order; default 0.
   * When market data starts, the strategy can see quotes some milliseconds
   * (up to ~40 ms seen) before the gateway does, and the gateway rightly
   * denies a market order it has no quote to value against (`reference-price`).
   */
  readonly startAfter?: number;
}

/**
 * Measures tick-to-order latency, not a trading idea: on every N-th quote of
 * its instrument it sends a MARKET order, alternately BUY and SELL so the
 * position stays flat and no limit is ever hit, tagged with the quote's init
 * time ({@link TICK_INIT_TAG}). Whoever receives the order (the gateway's
 * latency recorder) subtracts that tag from its own clock.
 */
export class LatencyProbeStrategy implements Strategy {
  readonly id: string;
  readonly subscriptions: StrategySubscriptions;
  private readonly quantity: Decimal;
  /** Quotes seen, less the {@link LatencyProbeConfig.startAfter} ones: negative until the probe starts. */
  private seen: number;
  private nextSide: OrderSide = 'BUY';

  constructor(private readonly config: LatencyProbeConfig) {
    if (!Number.isInteger(config.every) || config.every < 1) {
      throw new RangeError(`expected every as an integer >= 1, was ${config.every}`);
    }
    const startAfter = config.startAfter ?? 0;
    if (!Number.isInteger(startAfter) || startAfter < 0) throw new RangeError(`expected startAfter as an integer >= 0, was ${startAfter}`);
    this.seen = -startAfter;
    this.quantity = config.quantity ?? Decimal.ONE;
    if (!this.quantity.isPositive()) throw new RangeError(`expected quantity > 0, was ${this.quantity.toString()}`);
    this.id = config.id;
    this.subscriptions = { quotes: [config.instrument] };
  }

  onQuote(quote: QuoteTick, ctx: StrategyContext): void {
    // Compared field by field: this runs for every quote, a key string would be built each time.
    const { venue, symbol } = quote.instrument;
    if (symbol !== this.config.instrument.symbol || venue !== this.config.instrument.venue) return;
    if (++this.seen <= 0 || this.seen % this.config.every !== 0) return;
    const side = this.nextSide;
    this.nextSide = side === 'BUY' ? 'SELL' : 'BUY';
    ctx.submitOrder({
      instrument: this.config.instrument,
      side,
      quantity: this.quantity,
      type: 'MARKET',
      tags: { [TICK_INIT_TAG]: quote.initTime.toString(), [DECIDED_TAG]: ctx.now().toString() },
      ...(this.config.account ? { account: this.config.account } : {}),
    });
  }
}
