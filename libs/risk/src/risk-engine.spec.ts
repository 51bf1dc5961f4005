import {
  Decimal,
  instrumentKey,
  type Instrument,
  type InstrumentId,
  type OrderSide,
  type OrderSpec,
  type QuoteTick,
} from '@ttquant/domain';
import type { RiskContext, TradingState } from './pre-trade';
import { createPreTradeRisk } from './risk-engine';

const d = Decimal.parse;
const AAPL: InstrumentId = { venue: 'SIM', symbol: 'AAPL' };
const ES: InstrumentId = { venue: 'SIM', symbol: 'ES' };

function instrument(id: InstrumentId, multiplier = '1', tick = '0.01'): Instrument {
  return {
    id,
    venueInstrumentId: '',
    assetClass: 'EQUITY',
    exchange: 'SIM',
    currency: 'USD',
    baseCurrency: '',
    multiplier: d(multiplier),
    tickSize: d(tick),
    lotSize: d('1'),
    minQuantity: d('1'),
    description: '',
  };
}

function quote(id: InstrumentId, bid: string, ask: string): QuoteTick {
  return { kind: 'quote', instrument: id, bidPrice: d(bid), askPrice: d(ask), bidSize: d('100'), askSize: d('100'), quality: 'SIMULATED', eventTime: 0n, initTime: 0n };
}

class Context implements RiskContext {
  instruments = new Map([
    [instrumentKey(AAPL), instrument(AAPL)],
    [instrumentKey(ES), instrument(ES, '50', '0.25')],
  ]);
  quotes = new Map([
    [instrumentKey(AAPL), quote(AAPL, '99.99', '100.01')],
    [instrumentKey(ES), quote(ES, '5000.00', '5000.25')],
  ]);
  positions = new Map<string, Decimal>();
  /** Working orders: leaves by client order id, all in AAPL. */
  working = new Map<string, { side: OrderSide; leaves: Decimal }>();
  state: TradingState = 'ACTIVE';
  instrument = (id: InstrumentId) => this.instruments.get(instrumentKey(id));
  lastQuote = (id: InstrumentId) => this.quotes.get(instrumentKey(id));
  position = (_account: string, id: InstrumentId) => this.positions.get(instrumentKey(id)) ?? Decimal.ZERO;
  pendingQuantity = (_account: string, id: InstrumentId, side: OrderSide, exclude?: string) =>
    id.symbol !== 'AAPL'
      ? Decimal.ZERO
      : [...this.working].filter(([cid, o]) => o.side === side && cid !== exclude).reduce((sum, [, o]) => sum.add(o.leaves), Decimal.ZERO);
  tradingState = () => this.state;
}

function order(overrides: Partial<OrderSpec> = {}): OrderSpec {
  return {
    clientOrderId: 'ema1abc1',
    account: 'SIM1',
    instrument: AAPL,
    side: 'BUY',
    type: 'LIMIT',
    quantity: d('10'),
    limitPrice: d('100.00'),
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'ema',
    tags: {},
    ...overrides,
  };
}

const risk = createPreTradeRisk({
  maxOrderQuantity: d('1000'),
  maxOrderNotional: d('50000'),
  maxPosition: d('500'),
  priceBandBps: 500,
  perInstrument: { 'SIM:ES': { maxOrderQuantity: d('5'), maxOrderNotional: d('1000000') } },
});

describe('pre-trade risk', () => {
  it('allows an order within every limit', () => {
    expect(risk.evaluate(order(), new Context())).toEqual({ allowed: true });
    expect(risk.evaluate(order({ type: 'MARKET', limitPrice: undefined }), new Context())).toEqual({ allowed: true });
  });

  it.each<[string, Partial<OrderSpec>, string, string | RegExp]>([
    ['an unknown instrument', { instrument: { venue: 'SIM', symbol: 'NOPE' } }, 'instrument-known', 'unknown instrument SIM:NOPE'],
    ['an off-tick price', { limitPrice: d('100.005') }, 'precision', /100\.005.*tick size 0\.01/],
    ['a fractional lot', { quantity: d('1.5') }, 'precision', /1\.5/],
    ['too large a quantity', { quantity: d('1001'), limitPrice: d('1.00') }, 'max-order-quantity', 'quantity 1001 exceeds the per-order maximum 1000'],
    ['too large a notional', { quantity: d('600') }, 'max-order-notional', 'notional 60000.00 USD exceeds the per-order maximum 50000'],
    ['a fat-finger price', { limitPrice: d('110.00') }, 'price-band', /price 110\.00 is 1000 bps from the mid 100, beyond the band of 500 bps/],
  ])('denies %s, naming the check and the reason', (_what, overrides, check, reason) => {
    const decision = risk.evaluate(order(overrides), new Context());
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.check).toBe(check);
    expect(decision.reason).toMatch(reason);
  });

  it('applies per-instrument overrides and the multiplier', () => {
    const ctx = new Context();
    const es = (qty: string) => order({ instrument: ES, quantity: d(qty), limitPrice: d('5000.00') });
    expect(risk.evaluate(es('5'), ctx)).toMatchObject({ allowed: false, check: 'max-order-notional' }); // 1,250,000
    expect(risk.evaluate(es('4'), ctx)).toEqual({ allowed: true }); // 4 × 5000 × 50 = 1,000,000
    expect(risk.evaluate(es('6'), ctx)).toMatchObject({ allowed: false, check: 'max-order-quantity' });
  });

  it('denies a market order with no quote to value it against', () => {
    const ctx = new Context();
    ctx.quotes.clear();
    expect(risk.evaluate(order({ type: 'MARKET', limitPrice: undefined }), ctx)).toMatchObject({
      allowed: false,
      check: 'reference-price',
    });
  });

  it('counts the position and working orders on the same side against the position limit', () => {
    const ctx = new Context();
    ctx.positions.set(instrumentKey(AAPL), d('400'));
    ctx.working.set('buy1', { side: 'BUY', leaves: d('90') });
    expect(risk.evaluate(order({ quantity: d('10') }), ctx).allowed).toBe(true); // 400 + 90 + 10 = 500
    expect(risk.evaluate(order({ quantity: d('11') }), ctx)).toMatchObject({ allowed: false, check: 'position-limit' });
    expect(risk.evaluate(order({ quantity: d('11'), reduceOnly: true }), ctx)).toMatchObject({ allowed: false, check: 'position-limit' });
  });

  it('does not let a working order on the other side hide a breach', () => {
    const ctx = new Context();
    ctx.positions.set(instrumentKey(AAPL), d('400'));
    ctx.working.set('sell1', { side: 'SELL', leaves: d('300') });
    // Netted, 400 - 300 + 200 = 300 looks fine; if the buy fills first the position is 600.
    expect(risk.evaluate(order({ quantity: d('200') }), ctx)).toMatchObject({ allowed: false, check: 'position-limit' });
  });

  it('checks sells against the short side of the limit', () => {
    const ctx = new Context();
    ctx.positions.set(instrumentKey(AAPL), d('-400'));
    ctx.working.set('sell1', { side: 'SELL', leaves: d('50') });
    expect(risk.evaluate(order({ side: 'SELL', quantity: d('50') }), ctx).allowed).toBe(true); // -500
    expect(risk.evaluate(order({ side: 'SELL', quantity: d('51') }), ctx)).toMatchObject({ allowed: false, check: 'position-limit' });
    expect(risk.evaluate(order({ side: 'BUY', quantity: d('400') }), ctx).allowed).toBe(true); // buying only reduces a short
  });

  it("leaves an amended order's own leaves out, so its new quantity replaces them", () => {
    const ctx = new Context();
    ctx.positions.set(instrumentKey(AAPL), d('400'));
    ctx.working.set('ema1abc1', { side: 'BUY', leaves: d('100') });
    // The amendment of ema1abc1 from 100 to 100 is within the limit: 400 + 100 = 500, not 600.
    expect(risk.evaluate(order({ quantity: d('100') }), ctx).allowed).toBe(true);
    expect(risk.evaluate(order({ clientOrderId: 'other1', quantity: d('1') }), ctx)).toMatchObject({ allowed: false, check: 'position-limit' });
  });

  it('honours the trading state', () => {
    const ctx = new Context();
    ctx.state = 'HALTED';
    expect(risk.evaluate(order(), ctx)).toMatchObject({ allowed: false, check: 'trading-state' });
    ctx.state = 'REDUCING';
    expect(risk.evaluate(order(), ctx)).toMatchObject({ allowed: false, check: 'trading-state' });
    ctx.positions.set(instrumentKey(AAPL), d('-20'));
    expect(risk.evaluate(order(), ctx).allowed).toBe(true); // buying 10 reduces a short of 20
    expect(risk.evaluate(order({ quantity: d('20') }), ctx).allowed).toBe(true); // to flat
    expect(risk.evaluate(order({ quantity: d('21') }), ctx)).toMatchObject({ allowed: false, check: 'trading-state' });
  });

  it('counts working orders when REDUCING, so two reducing orders cannot flip the position together', () => {
    const ctx = new Context();
    ctx.state = 'REDUCING';
    ctx.positions.set(instrumentKey(AAPL), d('-20'));
    ctx.working.set('buy1', { side: 'BUY', leaves: d('15') });
    expect(risk.evaluate(order({ quantity: d('5') }), ctx).allowed).toBe(true);
    const denied = risk.evaluate(order({ quantity: d('10') }), ctx);
    expect(denied).toMatchObject({ allowed: false, check: 'trading-state' });
    expect(!denied.allowed && denied.reason).toMatch(/position -20 \(with working orders this one would bring it to 5\)/);
  });
});
