import { Decimal } from './decimal';
import type { Fill, OrderSide } from './orders';
import { Portfolio } from './portfolio';
import { PositionError, type PositionInstrument } from './position';

const d = Decimal.parse;

const AAPL: PositionInstrument = { id: { venue: 'SIM', symbol: 'AAPL' }, multiplier: Decimal.ONE, currency: 'USD' };
const ES: PositionInstrument = { id: { venue: 'CME', symbol: 'ESZ5' }, multiplier: d('50'), currency: 'USD' };
const SAP: PositionInstrument = { id: { venue: 'IBIS', symbol: 'SAP' }, multiplier: Decimal.ONE, currency: 'EUR' };
const BTC: PositionInstrument = { id: { venue: 'BINANCE', symbol: 'BTC/USDT' }, multiplier: Decimal.ONE, currency: 'USDT' };

function fill(
  instrument: PositionInstrument,
  side: OrderSide,
  quantity: string,
  price: string,
  commission = '0',
  commissionCurrency = instrument.currency,
): Fill {
  return {
    account: 'DU123',
    clientOrderId: 'S1o1',
    venueOrderId: 'V1',
    execId: `E-${instrument.id.symbol}-${quantity}-${price}`,
    instrument: instrument.id,
    side,
    quantity: d(quantity),
    price: d(price),
    commission: d(commission),
    commissionCurrency,
    liquidity: 'TAKER',
    strategyId: 'S1',
    eventTime: 1n,
  };
}

describe('Portfolio', () => {
  function scripted(): Portfolio {
    const portfolio = new Portfolio('DU123');
    // AAPL: buy 100 @ 10.00 fee 1, sell 60 @ 10.50 fee 0.60 → realised 30.00 − 1.60 = 28.40, long 40.
    portfolio.applyFill(fill(AAPL, 'BUY', '100', '10.00', '1'), AAPL);
    portfolio.applyFill(fill(AAPL, 'SELL', '60', '10.50', '0.60'), AAPL);
    // ES: buy 1 @ 4500.00 fee 2.25 → realised −2.25, long 1.
    portfolio.applyFill(fill(ES, 'BUY', '1', '4500.00', '2.25'), ES);
    // SAP: sell 10 @ 200.00 fee 1 EUR → realised −1.00 EUR, short 10.
    portfolio.applyFill(fill(SAP, 'SELL', '10', '200.00', '1'), SAP);
    // BTC: buy 0.1 @ 60000 with fee 0.0001 BNB → realised 0 USDT, BNB commission kept apart.
    portfolio.applyFill(fill(BTC, 'BUY', '0.1', '60000', '0.0001', 'BNB'), BTC);
    return portfolio;
  }

  it('sums realised PnL per currency, never mixing currencies', () => {
    const portfolio = scripted();
    // USD: 28.40 − 2.25 = 26.15.
    expect(portfolio.realizedPnl('USD').toFixed(2)).toBe('26.15');
    expect(portfolio.realizedPnl('EUR').toFixed(2)).toBe('-1.00');
    expect(portfolio.realizedPnl('USDT').isZero()).toBe(true);
    expect(portfolio.realizedPnl('JPY').isZero()).toBe(true);
  });

  it('values open positions at their marks; unmarked positions count zero', () => {
    const portfolio = scripted();
    expect(portfolio.unrealizedPnl('USD').isZero()).toBe(true);
    portfolio.updateMark(AAPL.id, d('10.25'));
    portfolio.updateMark(ES.id, d('4502.50'));
    portfolio.updateMark(SAP.id, d('201.50'));
    // AAPL: (10.25 − 10.00) × 40 = 10.00; ES: (4502.50 − 4500.00) × 50 = 125.00 → USD 135.00.
    expect(portfolio.unrealizedPnl('USD').toFixed(2)).toBe('135.00');
    // SAP short 10 from 200.00 at 201.50: −15.00 EUR.
    expect(portfolio.unrealizedPnl('EUR').toFixed(2)).toBe('-15.00');
    expect(portfolio.mark(AAPL.id)?.toString()).toBe('10.25');
  });

  it('gives totals per currency, commissions in the currency they were paid in', () => {
    const portfolio = scripted();
    portfolio.updateMark(AAPL.id, d('10.25'));
    const totals = portfolio.totals();
    expect([...totals.keys()]).toEqual(['BNB', 'EUR', 'USD', 'USDT']);
    const usd = totals.get('USD');
    expect(usd?.realizedPnl.toFixed(2)).toBe('26.15');
    expect(usd?.unrealizedPnl.toFixed(2)).toBe('10.00');
    expect(usd?.commissions.toFixed(2)).toBe('3.85');
    expect(totals.get('BNB')).toMatchObject({ currency: 'BNB' });
    expect(totals.get('BNB')?.commissions.toString()).toBe('0.0001');
    expect(totals.get('BNB')?.realizedPnl.isZero()).toBe(true);
    expect(totals.get('EUR')?.commissions.toString()).toBe('1');
  });

  it('lists positions, open ones and snapshots at marks', () => {
    const portfolio = scripted();
    portfolio.applyFill(fill(ES, 'SELL', '1', '4510.00'), ES);
    expect(portfolio.positions()).toHaveLength(4);
    expect(portfolio.openPositions().map((p) => p.instrument.symbol)).toEqual(['AAPL', 'SAP', 'BTC/USDT']);
    // ES closed: (4510 − 4500) × 50 − 2.25 = 497.75.
    expect(portfolio.position(ES.id)?.realizedPnl.toFixed(2)).toBe('497.75');
    portfolio.updateMark(AAPL.id, d('11'));
    const snapshot = portfolio.snapshots().find((s) => s.instrument.symbol === 'AAPL');
    expect(snapshot?.unrealizedPnl.toFixed(2)).toBe('40.00');
  });

  it('refuses fills of another account without opening a position', () => {
    const portfolio = new Portfolio('DU123');
    expect(() => portfolio.applyFill({ ...fill(AAPL, 'BUY', '1', '1'), account: 'DU9' }, AAPL)).toThrow(PositionError);
    expect(() => portfolio.applyFill(fill(AAPL, 'BUY', '0', '1'), AAPL)).toThrow(PositionError);
    expect(portfolio.positions()).toHaveLength(0);
  });

  it('restores positions', () => {
    const portfolio = new Portfolio('DU123');
    const source = scripted();
    const aapl = source.position(AAPL.id);
    if (!aapl) throw new Error('expected an AAPL position');
    portfolio.restore(aapl);
    expect(portfolio.realizedPnl('USD').toFixed(2)).toBe('28.40');
  });
});
