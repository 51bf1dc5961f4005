import { Decimal, type InstrumentId, type OrderSnapshot, type QuoteTick } from '@ttquant/domain';
import type { OrderRequest, PositionView, StrategyContext } from '../strategy';
import { EmaCrossStrategy } from './ema-cross';

const AAPL: InstrumentId = { venue: 'SIM', symbol: 'AAPL' };

/** A context that records orders and lets the test set the position. */
class RecordingContext implements StrategyContext {
  readonly strategyId = 'ema';
  readonly orders: OrderRequest[] = [];
  quantity = Decimal.ZERO;
  open: OrderSnapshot[] = [];
  readonly log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  now = () => 0n;
  instrument = () => undefined;
  submitOrder(request: OrderRequest): string {
    this.orders.push(request);
    return `ema${this.orders.length}`;
  }
  cancelOrder(): void {
    throw new Error("EmaCrossStrategy never cancels");
  }
  openOrders = () => this.open;
  position = (instrument: InstrumentId): PositionView => ({
    instrument,
    quantity: this.quantity,
    avgPrice: Decimal.ZERO,
    realizedPnl: Decimal.ZERO,
  });
}

function quote(mid: number): QuoteTick {
  return {
    kind: 'quote',
    instrument: AAPL,
    bidPrice: Decimal.fromNumber(mid - 0.01).round(2),
    askPrice: Decimal.fromNumber(mid + 0.01).round(2),
    bidSize: Decimal.of(100),
    askSize: Decimal.of(100),
    quality: 'SIMULATED',
    eventTime: 0n,
    initTime: 0n,
  };
}

function feed(strategy: EmaCrossStrategy, ctx: RecordingContext, mids: number[]): void {
  for (const mid of mids) strategy.onQuote(quote(mid), ctx);
}

const rising = Array.from({ length: 10 }, (_, i) => 100 + i);
const falling = Array.from({ length: 10 }, (_, i) => 109 - 2 * i);

describe('EmaCrossStrategy', () => {
  const make = (mode: 'long-only' | 'long-short' = 'long-only') =>
    new EmaCrossStrategy({ id: 'ema', instrument: AAPL, fastPeriod: 2, slowPeriod: 4, quantity: Decimal.of(10), mode });

  it('does not trade on the first trend it sees, only on a cross', () => {
    const ctx = new RecordingContext();
    feed(make(), ctx, rising);
    expect(ctx.orders).toHaveLength(0);
  });

  it('goes long on a golden cross and flat on the death cross', () => {
    const ctx = new RecordingContext();
    const strategy = make();
    feed(strategy, ctx, [...falling, ...rising.map((m) => m - 10)]);
    expect(ctx.orders).toHaveLength(1);
    expect(ctx.orders[0]).toMatchObject({ side: 'BUY', type: 'MARKET' });
    expect(ctx.orders[0]?.quantity.toString()).toBe('10');

    ctx.quantity = Decimal.of(10);
    feed(strategy, ctx, falling.map((m) => m - 10));
    expect(ctx.orders).toHaveLength(2);
    expect(ctx.orders[1]?.side).toBe('SELL');
    expect(ctx.orders[1]?.quantity.toString()).toBe('10');
  });

  it('flips to short in long-short mode', () => {
    const ctx = new RecordingContext();
    const strategy = make('long-short');
    ctx.quantity = Decimal.of(10);
    feed(strategy, ctx, [...rising, ...falling]);
    expect(ctx.orders.map((o) => `${o.side} ${o.quantity.toString()}`)).toEqual(['SELL 20']);
  });

  it('never stacks orders while one is working', () => {
    const ctx = new RecordingContext();
    ctx.open = [{} as OrderSnapshot];
    feed(make(), ctx, [...falling, ...rising, ...falling, ...rising]);
    expect(ctx.orders).toHaveLength(0);
  });

  it('refuses inconsistent settings', () => {
    const base = { id: 'x', instrument: AAPL, quantity: Decimal.of(1), mode: 'long-only' as const };
    expect(() => new EmaCrossStrategy({ ...base, fastPeriod: 5, slowPeriod: 5 })).toThrow('expected fastPeriod < slowPeriod');
    expect(() => new EmaCrossStrategy({ ...base, fastPeriod: 2, slowPeriod: 5, quantity: Decimal.ZERO })).toThrow(
      'expected quantity > 0, was 0',
    );
  });
});
