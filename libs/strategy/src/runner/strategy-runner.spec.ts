import {
  Decimal,
  type Fill,
  type Instrument,
  type InstrumentId,
  type OrderEvent,
  type OrderSpec,
  type OrderStatus,
  type QuoteTick,
} from '@ttquant/domain';
import type { Strategy, StrategyContext } from '../strategy';
import { StrategyRunner, type OrderCommandSink } from './strategy-runner';

const AAPL: InstrumentId = { venue: 'SIM', symbol: 'AAPL' };
const MSFT: InstrumentId = { venue: 'SIM', symbol: 'MSFT' };
const d = Decimal.parse;

const instrument: Instrument = {
  id: AAPL,
  venueInstrumentId: '',
  assetClass: 'EQUITY',
  exchange: 'SIM',
  currency: 'USD',
  baseCurrency: '',
  multiplier: Decimal.ONE,
  tickSize: d('0.01'),
  lotSize: Decimal.ONE,
  minQuantity: Decimal.ONE,
  description: '',
};

class Clock {
  now = 1_000_000_000n;
  nowNanos = () => this.now;
}

/** Buys 10 on the first quote, records everything it is told. */
class Recorder implements Strategy {
  readonly id = 'rec';
  readonly subscriptions = { quotes: [AAPL] };
  readonly seen: string[] = [];
  ctx!: StrategyContext;
  onStart(ctx: StrategyContext) {
    this.ctx = ctx;
  }
  onQuote(q: QuoteTick, ctx: StrategyContext) {
    this.seen.push(`quote ${q.instrument.symbol}`);
    if (ctx.openOrders().length === 0 && ctx.position(AAPL).quantity.isZero()) {
      ctx.submitOrder({ instrument: AAPL, side: 'BUY', quantity: d('10') });
    }
  }
  onOrderEvent(e: OrderEvent) {
    this.seen.push(`order ${e.order.status}`);
  }
  onFill(f: Fill, ctx: StrategyContext) {
    this.seen.push(`fill ${f.quantity.toString()} -> position ${ctx.position(AAPL).quantity.toString()}`);
  }
}

function quote(id: InstrumentId): QuoteTick {
  return { kind: 'quote', instrument: id, bidPrice: d('99.99'), askPrice: d('100.01'), bidSize: d('100'), askSize: d('100'), quality: 'SIMULATED', eventTime: 0n, initTime: 0n };
}

function eventFor(spec: OrderSpec, status: OrderStatus, seq: number, filled = '0'): OrderEvent {
  return {
    order: {
      spec,
      status,
      filledQuantity: d(filled),
      ...(filled !== '0' ? { avgFillPrice: d('100.01') } : {}),
      createdTime: 0n,
      updatedTime: 0n,
    },
    reason: '',
    eventSequence: seq,
  };
}

function fillFor(spec: OrderSpec, execId: string, qty: string): Fill {
  return {
    account: spec.account,
    clientOrderId: spec.clientOrderId,
    venueOrderId: 'v1',
    execId,
    instrument: spec.instrument,
    side: spec.side,
    quantity: d(qty),
    price: d('100.01'),
    commission: d('0.10'),
    commissionCurrency: 'USD',
    liquidity: 'TAKER',
    strategyId: spec.strategyId,
    eventTime: 0n,
  };
}

async function setUp(restored: readonly OrderEvent[] = []) {
  const sent: OrderSpec[] = [];
  const sink: OrderCommandSink = { submit: (s) => sent.push(s), cancel: () => undefined };
  const clock = new Clock();
  const strategy = new Recorder();
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const runner = new StrategyRunner({ strategy, account: 'SIM1', runEpoch: 1_763_700_000_000, sink, clock, log, instrument: () => instrument });
  const taken = runner.restore(restored);
  await runner.start();
  return { sent, clock, strategy, runner, taken };
}

describe('StrategyRunner', () => {
  it('feeds only subscribed data and sends complete, valid orders', async () => {
    const { sent, strategy, runner } = await setUp();
    runner.onMarketData(quote(MSFT));
    runner.onMarketData(quote(AAPL));
    expect(strategy.seen).toEqual(['quote AAPL']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ account: 'SIM1', side: 'BUY', type: 'MARKET', timeInForce: 'DAY', strategyId: 'rec' });
    expect(sent[0]?.clientOrderId).toMatch(/^rec[A-Za-z0-9]{1,29}$/);
  });

  it('counts a sent order as working at once, so the strategy never stacks orders', async () => {
    const { sent, runner } = await setUp();
    runner.onMarketData(quote(AAPL));
    runner.onMarketData(quote(AAPL));
    expect(sent).toHaveLength(1);
    expect(runner.orderSnapshots()[0]?.status).toBe('INITIALIZED');
  });

  it('tracks its order through events and its position through fills, ignoring repeats and strangers', async () => {
    const { sent, strategy, runner } = await setUp();
    runner.onMarketData(quote(AAPL));
    const spec = sent[0] as OrderSpec;
    runner.onOrderEvent(eventFor(spec, 'SUBMITTED', 1));
    runner.onOrderEvent(eventFor(spec, 'SUBMITTED', 1)); // repeat
    runner.onOrderEvent(eventFor({ ...spec, clientOrderId: 'other1' }, 'SUBMITTED', 1)); // someone else's
    runner.onFill(fillFor(spec, 'x1', '10'));
    runner.onFill(fillFor(spec, 'x1', '10')); // same exec id
    runner.onOrderEvent(eventFor(spec, 'FILLED', 2, '10'));
    expect(strategy.seen).toEqual(['quote AAPL', 'order SUBMITTED', 'fill 10 -> position 10', 'order FILLED']);
    expect(runner.position(AAPL).realizedPnl.toString()).toBe('-0.10');
    runner.onMarketData(quote(AAPL));
    expect(sent).toHaveLength(1); // in position now: no second buy
  });

  it('resends an unacknowledged order under the same client order id, and stops once answered', async () => {
    const { sent, clock, runner } = await setUp();
    runner.onMarketData(quote(AAPL));
    clock.now += 4_000_000_000n;
    expect(runner.resendUnacknowledged()).toBe(0);
    clock.now += 2_000_000_000n;
    expect(runner.resendUnacknowledged()).toBe(1);
    expect(sent.map((s) => s.clientOrderId)).toEqual([sent[0]?.clientOrderId, sent[0]?.clientOrderId]);
    runner.onOrderEvent(eventFor(sent[0] as OrderSpec, 'SUBMITTED', 1));
    clock.now += 10_000_000_000n;
    expect(runner.resendUnacknowledged()).toBe(0);
  });

  it('turns a denial of a pending order into a DENIED event for the strategy', async () => {
    const { sent, strategy, runner } = await setUp();
    runner.onMarketData(quote(AAPL));
    const spec = sent[0] as OrderSpec;
    runner.onDenial({ account: 'SIM1', clientOrderId: spec.clientOrderId, instrument: AAPL, check: 'malformed-command', reason: 'bad' });
    expect(strategy.seen).toContain('order DENIED');
    expect(strategy.ctx.openOrders()).toHaveLength(0);
  });

  it('refuses an invalid request before anything is sent', async () => {
    const { sent, strategy } = await setUp();
    expect(() => strategy.ctx.submitOrder({ instrument: AAPL, side: 'BUY', quantity: d('-1') })).toThrow(/order refused before sending/);
    expect(() => strategy.ctx.submitOrder({ instrument: AAPL, side: 'BUY', quantity: d('1'), type: 'LIMIT' })).toThrow(/limit/i);
    expect(sent).toHaveLength(0);
  });

  describe('after a restart, from the gateway state', () => {
    const earlier = (cid: string, strategyId: string, side: 'BUY' | 'SELL', status: OrderStatus, filled: string, price: string, at: bigint): OrderEvent => ({
      order: {
        spec: { clientOrderId: cid, account: 'SIM1', instrument: AAPL, side, type: 'MARKET', quantity: d('10'), timeInForce: 'DAY', reduceOnly: false, postOnly: false, outsideRth: false, strategyId, tags: {} },
        status,
        filledQuantity: d(filled),
        ...(filled !== '0' ? { avgFillPrice: d(price) } : {}),
        createdTime: at,
        updatedTime: at + 5n,
      },
      reason: '',
      eventSequence: 3,
    });

    it('takes up its own orders and the position they built, and so does not buy again', async () => {
      const { sent, runner, taken } = await setUp([
        earlier('rec1old1', 'rec', 'SELL', 'FILLED', '10', '101.00', 20n), // created later, listed first
        earlier('rec1old0', 'rec', 'BUY', 'FILLED', '10', '100.00', 10n),
        earlier('rec1old2', 'rec', 'BUY', 'FILLED', '10', '102.00', 30n),
        earlier('oth1old0', 'other', 'BUY', 'FILLED', '10', '100.00', 5n),
      ]);
      expect(taken).toEqual({ orders: 3, working: 0, positions: { 'SIM:AAPL': '10' } });
      expect(runner.position(AAPL).quantity.toString()).toBe('10');
      expect(runner.position(AAPL).realizedPnl.toString()).toBe('10.00'); // bought 100, sold 101, x10
      runner.onMarketData(quote(AAPL));
      expect(sent).toHaveLength(0);
    });

    it('keeps a working order: no new order meanwhile, and its later fill counts once', async () => {
      const { sent, runner, taken, strategy } = await setUp([earlier('rec1old3', 'rec', 'BUY', 'PARTIALLY_FILLED', '4', '100.00', 10n)]);
      expect(taken).toEqual({ orders: 1, working: 1, positions: { 'SIM:AAPL': '4' } });
      runner.onMarketData(quote(AAPL));
      expect(sent).toHaveLength(0);
      const spec = earlier('rec1old3', 'rec', 'BUY', 'PARTIALLY_FILLED', '4', '100.00', 10n).order.spec;
      // Published before the state was taken (its time is not after the order's last update): already counted.
      runner.onFill({ ...fillFor(spec, 'e-early', '4'), eventTime: 15n });
      expect(runner.position(AAPL).quantity.toString()).toBe('4');
      runner.onFill({ ...fillFor(spec, 'e-late', '6'), eventTime: 16n });
      expect(runner.position(AAPL).quantity.toString()).toBe('10');
      expect(strategy.seen).toEqual(['quote AAPL', 'fill 6 -> position 10']);
    });
  });
});
