import { Decimal, DecimalError } from './decimal';
import type { Instrument } from './instrument';
import { checkOrderForInstrument, checkPrice, checkQuantity, notional, roundPrice, roundQuantity } from './instrument-rules';

const d = Decimal.parse;

const AAPL: Instrument = {
  id: { venue: 'SIM', symbol: 'AAPL' },
  venueInstrumentId: '265598',
  assetClass: 'EQUITY',
  exchange: 'SMART',
  currency: 'USD',
  baseCurrency: '',
  multiplier: Decimal.ONE,
  tickSize: d('0.01'),
  lotSize: d('1'),
  minQuantity: d('1'),
  description: 'Apple Inc',
};
const ES: Instrument = { ...AAPL, id: { venue: 'CME', symbol: 'ESZ5' }, assetClass: 'FUTURE', multiplier: d('50'), tickSize: d('0.25') };
const BTC: Instrument = {
  ...AAPL,
  id: { venue: 'BINANCE', symbol: 'BTC/USDT' },
  assetClass: 'CRYPTO_SPOT',
  currency: 'USDT',
  baseCurrency: 'BTC',
  tickSize: d('0.01'),
  lotSize: d('0.00001'),
  minQuantity: d('0.0001'),
};

describe('instrument rules', () => {
  it('rounds prices to the tick, half-even by default or as asked', () => {
    expect(roundPrice(ES, d('4500.37')).toString()).toBe('4500.25');
    expect(roundPrice(ES, d('4500.375')).toString()).toBe('4500.50');
    // A tie: 4500.125 is halfway between 4500.00 and 4500.25; half-even picks the even step (4500.00).
    expect(roundPrice(ES, d('4500.125')).toString()).toBe('4500.00');
    expect(roundPrice(ES, d('4500.01'), 'ceil').toString()).toBe('4500.25');
    expect(roundPrice(AAPL, d('101.237'), 'floor').toString()).toBe('101.23');
    expect(() => roundPrice({ tickSize: Decimal.ZERO }, d('1'))).toThrow(DecimalError);
  });

  it('rounds quantities down to the lot by default', () => {
    expect(roundQuantity(BTC, d('0.123456789')).toString()).toBe('0.12345');
    expect(roundQuantity(AAPL, d('9.99')).toString()).toBe('9');
    expect(roundQuantity(AAPL, d('9.5'), 'half-up').toString()).toBe('10');
  });

  it('explains prices off the tick', () => {
    expect(checkPrice(AAPL, d('101.237'))).toBe('price 101.237 is not a multiple of tick size 0.01');
    expect(checkPrice(AAPL, d('101.230'))).toBeUndefined();
    expect(checkPrice(ES, d('4500.10'))).toBe('price 4500.10 is not a multiple of tick size 0.25');
    expect(checkPrice(ES, d('-2.50'))).toBeUndefined();
    expect(checkPrice({ tickSize: Decimal.ZERO }, d('1'))).toBe('expected a positive tick size, was 0');
  });

  it('explains quantities off the lot, below the minimum or not positive', () => {
    expect(checkQuantity(BTC, d('0.00012'))).toBeUndefined();
    expect(checkQuantity(BTC, d('0.000123'))).toBe('quantity 0.000123 is not a multiple of lot size 0.00001');
    expect(checkQuantity(BTC, d('0.00005'))).toBe('quantity 0.00005 is below the minimum quantity 0.0001');
    expect(checkQuantity(AAPL, d('0'))).toBe('expected quantity > 0, was 0');
    expect(checkQuantity({ lotSize: Decimal.ZERO, minQuantity: Decimal.ZERO }, d('1'))).toBe(
      'expected a positive lot size, was 0',
    );
  });

  it('computes notional with the multiplier, exactly', () => {
    expect(notional(ES, d('4500.25'), d('2')).toString()).toBe('450025.00');
    expect(notional(BTC, d('65000.12'), d('0.00012')).eq(d('7.8000144'))).toBe(true);
    expect(notional(AAPL, d('100'), d('-3')).toString()).toBe('-300');
  });

  it('checks an order against its instrument', () => {
    const order = { instrument: AAPL.id, quantity: d('10'), limitPrice: d('101.23') };
    expect(checkOrderForInstrument(order, AAPL)).toBeUndefined();
    expect(checkOrderForInstrument({ ...order, instrument: ES.id }, AAPL)).toBe('expected instrument SIM:AAPL, was CME:ESZ5');
    expect(checkOrderForInstrument({ ...order, quantity: d('1.5') }, AAPL)).toBe(
      'quantity 1.5 is not a multiple of lot size 1',
    );
    expect(checkOrderForInstrument({ ...order, limitPrice: d('101.237') }, AAPL)).toBe(
      'limit price 101.237 is not a multiple of tick size 0.01',
    );
    expect(checkOrderForInstrument({ ...order, stopPrice: d('99.999') }, AAPL)).toBe(
      'stop price 99.999 is not a multiple of tick size 0.01',
    );
    expect(checkOrderForInstrument(order, { ...AAPL, tickSize: Decimal.ZERO })).toBe('expected a positive tick size, was 0');
  });
});
