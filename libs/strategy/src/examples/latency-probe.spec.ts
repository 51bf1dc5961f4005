import { Decimal, type InstrumentId, type QuoteTick } from '@ttquant/domain';
import type { OrderRequest, PositionView, StrategyContext } from '../strategy';
import { DECIDED_TAG, LatencyProbeStrategy, TICK_INIT_TAG } from './latency-probe';

const ACME: InstrumentId = { venue: 'SIM', symbol: 'ACME' };
const OTHER: InstrumentId = { venue: 'SIM', symbol: 'BTC-USD' };

/** A context that records orders; its clock reads 5 000 ns. */
class RecordingContext implements StrategyContext {
  readonly strategyId = 'probe';
  readonly orders: OrderRequest[] = [];
  readonly log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  now = () => 5_000n;
  instrument = () => undefined;
  submitOrder(request: OrderRequest): string {
    this.orders.push(request);
    return `probe${this.orders.length}`;
  }
  cancelOrder(): void {
    throw new Error('LatencyProbeStrategy never cancels');
  }
  openOrders = () => [];
  position = (instrument: InstrumentId): PositionView => ({ instrument, quantity: Decimal.ZERO, avgPrice: Decimal.ZERO, realizedPnl: Decimal.ZERO });
}

function quote(instrument: InstrumentId, initTime: bigint): QuoteTick {
  return {
    kind: 'quote',
    instrument,
    bidPrice: Decimal.parse('99.99'),
    askPrice: Decimal.parse('100.01'),
    bidSize: Decimal.of(10),
    askSize: Decimal.of(10),
    quality: 'SIMULATED',
    eventTime: initTime,
    initTime,
  };
}

describe('LatencyProbeStrategy', () => {
  it('sends a market order on every N-th quote, alternating sides, tagged with the quote time', () => {
    const ctx = new RecordingContext();
    const probe = new LatencyProbeStrategy({ id: 'probe', instrument: ACME, every: 3 });
    for (let i = 1; i <= 9; i++) probe.onQuote(quote(ACME, BigInt(i) * 1_000n), ctx);

    expect(ctx.orders.map((o) => `${o.side} ${o.type} ${o.quantity.toString()}`)).toEqual(['BUY MARKET 1', 'SELL MARKET 1', 'BUY MARKET 1']);
    expect(ctx.orders.map((o) => o.tags?.[TICK_INIT_TAG])).toEqual(['3000', '6000', '9000']);
    expect(ctx.orders[0]?.tags?.[DECIDED_TAG]).toBe('5000');
    expect(ctx.orders[0]?.instrument).toEqual(ACME);
  });

  it('counts only quotes of its own instrument', () => {
    const ctx = new RecordingContext();
    const probe = new LatencyProbeStrategy({ id: 'probe', instrument: ACME, every: 2 });
    probe.onQuote(quote(ACME, 1n), ctx);
    probe.onQuote(quote(OTHER, 2n), ctx);
    probe.onQuote(quote(OTHER, 3n), ctx);
    expect(ctx.orders).toHaveLength(0);
    probe.onQuote(quote(ACME, 4n), ctx);
    expect(ctx.orders.map((o) => o.tags?.[TICK_INIT_TAG])).toEqual(['4']);
  });

  it('lets startAfter quotes pass before it counts towards the first order', () => {
    const ctx = new RecordingContext();
    const probe = new LatencyProbeStrategy({ id: 'probe', instrument: ACME, every: 2, startAfter: 3 });
    for (let i = 1; i <= 7; i++) probe.onQuote(quote(ACME, BigInt(i)), ctx);
    expect(ctx.orders.map((o) => o.tags?.[TICK_INIT_TAG])).toEqual(['5', '7']);
  });

  it('uses the configured quantity and account', () => {
    const ctx = new RecordingContext();
    const probe = new LatencyProbeStrategy({ id: 'probe', instrument: ACME, every: 1, quantity: Decimal.of(5), account: 'ACC2' });
    probe.onQuote(quote(ACME, 1n), ctx);
    expect(ctx.orders[0]).toMatchObject({ account: 'ACC2', side: 'BUY' });
    expect(ctx.orders[0]?.quantity.toString()).toBe('5');
  });

  it('refuses settings that cannot work', () => {
    expect(() => new LatencyProbeStrategy({ id: 'p', instrument: ACME, every: 0 })).toThrow('expected every as an integer >= 1, was 0');
    expect(() => new LatencyProbeStrategy({ id: 'p', instrument: ACME, every: 1, startAfter: -1 })).toThrow(
      'expected startAfter as an integer >= 0, was -1',
    );
    expect(() => new LatencyProbeStrategy({ id: 'p', instrument: ACME, every: 1, quantity: Decimal.ZERO })).toThrow(
      'expected quantity > 0, was 0',
    );
  });
});
