import { Decimal, type Instrument } from '@ttquant/domain';

/** The E-mini S&P 500 December 2027 future, as the instrument provider would load it; for specs only. */
export const ES_FUTURE: Instrument = {
  id: { venue: 'IB', symbol: 'ESZ7' },
  venueInstrumentId: '495512563',
  assetClass: 'FUTURE',
  exchange: 'CME',
  currency: 'USD',
  baseCurrency: '',
  multiplier: Decimal.of(50),
  tickSize: Decimal.parse('0.25'),
  lotSize: Decimal.ONE,
  minQuantity: Decimal.ONE,
  description: 'E-mini S&P 500',
};

/** Apple on SMART as the instrument provider would load it, with the given tick size (IB says 0.01); for specs only. */
export function appleStock(tickSize = '0.01'): Instrument {
  return {
    id: { venue: 'IB', symbol: 'AAPL' },
    venueInstrumentId: '265598',
    assetClass: 'EQUITY',
    exchange: 'SMART',
    currency: 'USD',
    baseCurrency: '',
    multiplier: Decimal.ONE,
    tickSize: Decimal.parse(tickSize),
    lotSize: Decimal.ONE,
    minQuantity: Decimal.ONE,
    description: 'APPLE INC',
  };
}
