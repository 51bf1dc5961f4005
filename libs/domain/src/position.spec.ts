import { Decimal } from './decimal';
import type { OrderSide, Fill } from './orders';
import { Position, PositionError, type PositionInstrument } from './position';

const d = Decimal.parse;

const AAPL: PositionInstrument = { id: { venue: 'SIM', symbol: 'AAPL' }, multiplier: Decimal.ONE, currency: 'USD' };
const ES: PositionInstrument = { id: { venue: 'CME', symbol: 'ESZ5' }, multiplier: d('50'), currency: 'USD' };
const BTC: PositionInstrument = { id: { venue: 'BINANCE', symbol: 'BTC/USDT' }, multiplier: Decimal.ONE, currency: 'USDT' };

let execCounter = 0;
function fill(
  instrument: PositionInstrument,
  side: OrderSide,
  quantity: string,
  price: string,
  commission = '0',
  commissionCurrency = instrument.currency,
): Fill {
  execCounter++;
  return {
    account: 'DU123',
    clientOrderId: `S1o${execCounter}`,
    venueOrderId: `V${execCounter}`,
    execId: `E${execCounter}`,
    instrument: instrument.id,
    side,
    quantity: d(quantity),
    price: d(price),
    commission: d(commission),
    commissionCurrency,
    liquidity: 'TAKER',
    strategyId: 'S1',
    eventTime: BigInt(execCounter),
  };
}

const cents = (value: Decimal) => value.toFixed(2);

describe('Position', () => {
  it('accounts a long → short flip with commissions exactly to the cent', () => {
    const position = new Position('DU123', AAPL);

    // 1. Buy 100 @ 10.00, fee 1.00: long 100, cost 1000.00, avg 10.00.
    //    Realised: 0 − 1.00 fee = −1.00.
    let step = position.applyFill(fill(AAPL, 'BUY', '100', '10.00', '1.00'));
    expect(cents(step.realizedPnl)).toBe('-1.00');
    expect(cents(position.realizedPnl)).toBe('-1.00');
    expect(position.quantity.toString()).toBe('100');
    expect(position.avgPrice.toString()).toBe('10');

    // 2. Buy 50 @ 10.30, fee 0.50: long 150, cost 1000.00 + 515.00 = 1515.00, avg 1515 / 150 = 10.10.
    //    Realised: −1.00 − 0.50 = −1.50.
    position.applyFill(fill(AAPL, 'BUY', '50', '10.30', '0.50'));
    expect(cents(position.realizedPnl)).toBe('-1.50');
    expect(position.quantity.toString()).toBe('150');
    expect(position.avgPrice.toString()).toBe('10.1');
    // Marked at 10.40: (10.40 − 10.10) × 150 = 45.00.
    expect(cents(position.unrealizedPnl(d('10.40')))).toBe('45.00');

    // 3. Sell 200 @ 10.50, fee 2.00: closes the 150 long, opens 50 short at 10.50.
    //    Closing: (10.50 − 10.10) × 150 = 60.00. Realised: −1.50 + 60.00 − 2.00 = 56.50.
    step = position.applyFill(fill(AAPL, 'SELL', '200', '10.50', '2.00'));
    expect(cents(step.realizedPnl)).toBe('58.00');
    expect(step.closedQuantity.toString()).toBe('150');
    expect(step.openedQuantity.toString()).toBe('50');
    expect(cents(position.realizedPnl)).toBe('56.50');
    expect(position.quantity.toString()).toBe('-50');
    expect(position.side).toBe('SHORT');
    expect(position.avgPrice.toString()).toBe('10.5');
    // Short 50 from 10.50 marked at 10.20: (10.50 − 10.20) × 50 = 15.00.
    expect(cents(position.unrealizedPnl(d('10.20')))).toBe('15.00');

    // 4. Buy 50 @ 10.20, fee 0.50: closes the short: (10.50 − 10.20) × 50 = 15.00.
    //    Realised: 56.50 + 15.00 − 0.50 = 71.00; flat, average reset to 0.
    position.applyFill(fill(AAPL, 'BUY', '50', '10.20', '0.50'));
    expect(position.realizedPnl.eq(d('71.00'))).toBe(true);
    expect(position.isFlat).toBe(true);
    expect(position.side).toBe('FLAT');
    expect(position.avgPrice.isZero()).toBe(true);
    expect(position.costBasis.isZero()).toBe(true);
    expect(position.unrealizedPnl(d('99')).isZero()).toBe(true);
    expect(position.commissionsByCurrency.get('USD')?.toString()).toBe('4.00');
  });

  it('applies the contract multiplier to futures PnL', () => {
    const position = new Position('DU123', ES);

    // Buy 2 ES @ 4500.25, fee 4.50: long 2, avg 4500.25. Realised −4.50.
    position.applyFill(fill(ES, 'BUY', '2', '4500.25', '4.50'));
    // Marked at 4505.00: (4505.00 − 4500.25) × 2 × 50 = 475.00.
    expect(cents(position.unrealizedPnl(d('4505.00')))).toBe('475.00');

    // Sell 1 @ 4510.50, fee 2.25: (4510.50 − 4500.25) × 1 × 50 = 512.50.
    // Realised: −4.50 + 512.50 − 2.25 = 505.75.
    position.applyFill(fill(ES, 'SELL', '1', '4510.50', '2.25'));
    expect(cents(position.realizedPnl)).toBe('505.75');
    // Remaining 1 marked at 4490.00: (4490.00 − 4500.25) × 1 × 50 = −512.50.
    expect(cents(position.unrealizedPnl(d('4490.00')))).toBe('-512.50');

    // Sell 3 @ 4490.00, fee 6.75: closes 1 at (4490.00 − 4500.25) × 50 = −512.50, opens 2 short at 4490.
    // Realised: 505.75 − 512.50 − 6.75 = −13.50.
    position.applyFill(fill(ES, 'SELL', '3', '4490.00', '6.75'));
    expect(cents(position.realizedPnl)).toBe('-13.50');
    expect(position.quantity.toString()).toBe('-2');
    // Short 2 from 4490.00 marked at 4480.25: (4490.00 − 4480.25) × 2 × 50 = 975.00.
    expect(cents(position.unrealizedPnl(d('4480.25')))).toBe('975.00');
    expect(position.snapshot(d('4480.25'))).toMatchObject({
      account: 'DU123',
      instrument: ES.id,
      currency: 'USD',
    });
    expect(position.snapshot(d('4480.25')).unrealizedPnl.eq(d('975'))).toBe(true);
  });

  it('keeps commissions in another currency apart and unconverted', () => {
    const position = new Position('DU123', BTC);
    // Fee paid in BNB: realised PnL in USDT is not touched by it.
    position.applyFill(fill(BTC, 'BUY', '0.5', '60000.00', '0.0012', 'BNB'));
    position.applyFill(fill(BTC, 'SELL', '0.5', '61000.00', '0.75', 'USDT'));
    // (61000 − 60000) × 0.5 = 500.00, minus the 0.75 USDT fee = 499.25.
    expect(cents(position.realizedPnl)).toBe('499.25');
    expect(position.commissionsByCurrency.get('BNB')?.toString()).toBe('0.0012');
    expect(position.commissionsByCurrency.get('USDT')?.toString()).toBe('0.75');
  });

  it('treats an unnamed commission currency as the instrument currency and rebates as income', () => {
    const position = new Position('DU123', AAPL);
    position.applyFill(fill(AAPL, 'BUY', '10', '5', '0.10', ''));
    position.applyFill(fill(AAPL, 'SELL', '10', '5', '-0.02'));
    expect(position.realizedPnl.toString()).toBe('-0.08');
  });

  it('keeps a round trip exact when partial closes cannot divide evenly', () => {
    const position = new Position('DU123', AAPL);
    // Cost 10.00 + 10.01 + 10.01 = 30.02 for 3: average 10.00666…
    position.applyFill(fill(AAPL, 'BUY', '1', '10.00'));
    position.applyFill(fill(AAPL, 'BUY', '2', '10.01'));
    expect(position.avgPrice.toString()).toBe('10.0066666667');
    for (let i = 0; i < 3; i++) position.applyFill(fill(AAPL, 'SELL', '1', '10.02'));
    // Proceeds 30.06 − cost 30.02 = 0.04, exactly, despite the thirds.
    expect(position.realizedPnl.eq(d('0.04'))).toBe(true);
    expect(position.isFlat).toBe(true);
  });

  it('handles a short opened from flat and exact decimals of crypto sizes', () => {
    const position = new Position('DU123', BTC);
    position.applyFill(fill(BTC, 'SELL', '0.00012345', '65000.12'));
    position.applyFill(fill(BTC, 'BUY', '0.00002345', '64000.12'));
    // (65000.12 − 64000.12) × 0.00002345 = 0.02345
    expect(position.realizedPnl.eq(d('0.02345'))).toBe(true);
    expect(position.quantity.toString()).toBe('-0.00010000');
    expect(position.avgPrice.toString()).toBe('65000.12');
  });

  it('refuses fills of another account or instrument and non-positive quantities', () => {
    const position = new Position('DU123', AAPL);
    expect(() => position.applyFill({ ...fill(AAPL, 'BUY', '1', '1'), account: 'DU999' })).toThrow(
      'expected a fill for account DU123, was one for DU999',
    );
    expect(() => position.applyFill(fill(ES, 'BUY', '1', '1'))).toThrow('expected a fill of SIM:AAPL, was one of CME:ESZ5');
    expect(() => position.applyFill(fill(AAPL, 'BUY', '0', '1'))).toThrow(PositionError);
    expect(position.isFlat).toBe(true);
    expect(() => new Position('DU123', { ...AAPL, multiplier: Decimal.ZERO })).toThrow('expected a multiplier > 0, was 0');
  });

  it('rebuilds from a snapshot and carries on', () => {
    const original = new Position('DU123', AAPL);
    original.applyFill(fill(AAPL, 'BUY', '100', '10.00', '1'));
    const copy = Position.fromSnapshot(original.snapshot(), AAPL, original.commissionsByCurrency);
    expect(copy.snapshot()).toEqual(original.snapshot());
    copy.applyFill(fill(AAPL, 'SELL', '100', '10.25'));
    expect(copy.realizedPnl.eq(d('24'))).toBe(true);
    expect(copy.commissionsByCurrency.get('USD')?.toString()).toBe('1');
    expect(() => Position.fromSnapshot(original.snapshot(), ES)).toThrow(PositionError);
  });

  it('reports zero unrealised PnL in a snapshot without a mark', () => {
    const position = new Position('DU123', AAPL);
    position.applyFill(fill(AAPL, 'BUY', '1', '10'));
    expect(position.snapshot().unrealizedPnl.isZero()).toBe(true);
  });
});
