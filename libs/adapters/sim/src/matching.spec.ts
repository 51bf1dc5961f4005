import { Decimal } from '@ttquant/domain';
import {
  actingType,
  availableNow,
  commission,
  isMarketable,
  isStopTriggered,
  matchOrder,
  slippedPrice,
  type BookTop,
  type MatchableOrder,
  type SlippageRule,
} from './matching';

const d = (text: string): Decimal => Decimal.parse(text);
const tick = d('0.01');
const noSlip: SlippageRule = { ticks: 0, bps: Decimal.ZERO };
const book: BookTop = { bidPrice: d('99.99'), bidSize: d('300'), askPrice: d('100.01'), askSize: d('200') };

function order(overrides: Partial<MatchableOrder>): MatchableOrder {
  return { side: 'BUY', type: 'MARKET', leaves: d('10'), triggered: false, ...overrides };
}

function text(value: Decimal | undefined): string | undefined {
  return value?.normalize().toString();
}

describe('matchOrder', () => {
  it('fills a market buy at the ask and a market sell at the bid, as taker', () => {
    const buy = matchOrder(order({ side: 'BUY' }), book, true, tick, noSlip);
    const sell = matchOrder(order({ side: 'SELL' }), book, true, tick, noSlip);
    expect([text(buy?.price), text(buy?.quantity), buy?.liquidity]).toEqual(['100.01', '10', 'TAKER']);
    expect([text(sell?.price), text(sell?.quantity), sell?.liquidity]).toEqual(['99.99', '10', 'TAKER']);
  });

  it('takes at most the displayed size; the rest waits', () => {
    const fill = matchOrder(order({ leaves: d('250') }), book, true, tick, noSlip);
    expect(text(fill?.quantity)).toBe('200');
    expect(matchOrder(order({}), { ...book, askSize: Decimal.ZERO }, true, tick, noSlip)).toBeUndefined();
  });

  it('does nothing without an opposite side or without leaves', () => {
    expect(matchOrder(order({}), { bidPrice: d('99.99'), bidSize: d('1'), askSize: Decimal.ZERO }, true, tick, noSlip)).toBeUndefined();
    expect(matchOrder(order({ leaves: Decimal.ZERO }), book, true, tick, noSlip)).toBeUndefined();
  });

  it('applies slippage ticks against the trader', () => {
    const slip: SlippageRule = { ticks: 2, bps: Decimal.ZERO };
    expect(text(matchOrder(order({ side: 'BUY' }), book, true, tick, slip)?.price)).toBe('100.03');
    expect(text(matchOrder(order({ side: 'SELL' }), book, true, tick, slip)?.price)).toBe('99.97');
  });

  it('gives a marketable limit on arrival the touch (price improvement), as taker', () => {
    const fill = matchOrder(order({ type: 'LIMIT', limitPrice: d('100.05') }), book, true, tick, noSlip);
    expect([text(fill?.price), fill?.liquidity]).toEqual(['100.01', 'TAKER']);
  });

  it('fills a resting limit that the market crosses at its own limit, as maker', () => {
    const fill = matchOrder(order({ type: 'LIMIT', limitPrice: d('100.05') }), book, false, tick, noSlip);
    expect([text(fill?.price), fill?.liquidity]).toEqual(['100.05', 'MAKER']);
    const sell = matchOrder(order({ side: 'SELL', type: 'LIMIT', limitPrice: d('99.90') }), book, false, tick, noSlip);
    expect([text(sell?.price), sell?.liquidity]).toEqual(['99.9', 'MAKER']);
  });

  it('leaves a limit that does not reach the touch alone', () => {
    expect(matchOrder(order({ type: 'LIMIT', limitPrice: d('100.00') }), book, true, tick, noSlip)).toBeUndefined();
    expect(matchOrder(order({ side: 'SELL', type: 'LIMIT', limitPrice: d('100.00') }), book, true, tick, noSlip)).toBeUndefined();
  });

  it('ignores stops until triggered, then treats STOP as market and STOP_LIMIT as limit', () => {
    expect(matchOrder(order({ type: 'STOP', stopPrice: d('100') }), book, true, tick, noSlip)).toBeUndefined();
    expect(text(matchOrder(order({ type: 'STOP', stopPrice: d('100'), triggered: true }), book, true, tick, noSlip)?.price)).toBe(
      '100.01',
    );
    const stopLimit = order({ type: 'STOP_LIMIT', stopPrice: d('100'), limitPrice: d('100.00'), triggered: true });
    expect(matchOrder(stopLimit, book, true, tick, noSlip)).toBeUndefined();
  });
});

describe('actingType / isStopTriggered / isMarketable / availableNow', () => {
  it('maps order types to how they behave now', () => {
    expect(actingType({ type: 'MARKET', triggered: false })).toBe('MARKET');
    expect(actingType({ type: 'LIMIT', triggered: false })).toBe('LIMIT');
    expect(actingType({ type: 'STOP', triggered: false })).toBeUndefined();
    expect(actingType({ type: 'STOP', triggered: true })).toBe('MARKET');
    expect(actingType({ type: 'STOP_LIMIT', triggered: true })).toBe('LIMIT');
  });

  it('triggers buy stops on the ask reaching up, sell stops on the bid reaching down', () => {
    expect(isStopTriggered({ side: 'BUY', stopPrice: d('100.01') }, book)).toBe(true);
    expect(isStopTriggered({ side: 'BUY', stopPrice: d('100.02') }, book)).toBe(false);
    expect(isStopTriggered({ side: 'SELL', stopPrice: d('99.99') }, book)).toBe(true);
    expect(isStopTriggered({ side: 'SELL', stopPrice: d('99.98') }, book)).toBe(false);
    expect(isStopTriggered({ side: 'SELL', stopPrice: undefined }, book)).toBe(false);
  });

  it('tells whether an order would take liquidity now, and how much it could take', () => {
    expect(isMarketable(order({ type: 'LIMIT', limitPrice: d('100.01') }), book)).toBe(true);
    expect(isMarketable(order({ type: 'LIMIT', limitPrice: d('100.00') }), book)).toBe(false);
    expect(text(availableNow(order({ type: 'LIMIT', limitPrice: d('100.01') }), book))).toBe('200');
    expect(text(availableNow(order({ type: 'LIMIT', limitPrice: d('100.00') }), book))).toBe('0');
  });
});

describe('slippedPrice', () => {
  it('adds bps of the touch rounded up to the tick, and never goes below one tick', () => {
    // 5 bps of 100.01 is 0.050005: rounded up to the tick it is 0.06.
    expect(text(slippedPrice('BUY', d('100.01'), tick, { ticks: 0, bps: d('5') }))).toBe('100.07');
    expect(text(slippedPrice('SELL', d('100.01'), tick, { ticks: 1, bps: d('5') }))).toBe('99.94');
    expect(text(slippedPrice('SELL', d('0.02'), tick, { ticks: 5, bps: Decimal.ZERO }))).toBe('0.01');
  });
});

describe('commission', () => {
  const fees = { makerBps: d('2'), takerBps: d('7.5'), perUnit: d('0.005'), scale: 4 };

  it('charges the taker or maker rate on notional plus the per-unit fee, rounded up', () => {
    // 10 × 100.01 = 1000.1; × 7.5 bps = 0.750075; + 10 × 0.005 = 0.800075 → 0.8001
    expect(text(commission({ multiplier: Decimal.ONE }, { price: d('100.01'), quantity: d('10'), liquidity: 'TAKER' }, fees))).toBe(
      '0.8001',
    );
    // maker: 1000.1 × 2 bps = 0.20002; + 0.05 = 0.25002 → 0.2501
    expect(text(commission({ multiplier: Decimal.ONE }, { price: d('100.01'), quantity: d('10'), liquidity: 'MAKER' }, fees))).toBe(
      '0.2501',
    );
  });

  it('scales with the contract multiplier and is zero without fees', () => {
    const noPerUnit = { ...fees, perUnit: Decimal.ZERO };
    expect(text(commission({ multiplier: d('50') }, { price: d('4000'), quantity: d('1'), liquidity: 'TAKER' }, noPerUnit))).toBe('150');
    const free = { makerBps: Decimal.ZERO, takerBps: Decimal.ZERO, perUnit: Decimal.ZERO, scale: 8 };
    expect(commission({ multiplier: Decimal.ONE }, { price: d('1'), quantity: d('1'), liquidity: 'TAKER' }, free).isZero()).toBe(true);
  });
});
