import { instrumentKey, sameInstrument } from './instrument';

describe('instrument ids', () => {
  it('key and compare by venue and symbol', () => {
    expect(instrumentKey({ venue: 'SIM', symbol: 'AAPL' })).toBe('SIM:AAPL');
    expect(sameInstrument({ venue: 'SIM', symbol: 'AAPL' }, { venue: 'SIM', symbol: 'AAPL' })).toBe(true);
    expect(sameInstrument({ venue: 'SIM', symbol: 'AAPL' }, { venue: 'IB', symbol: 'AAPL' })).toBe(false);
    expect(sameInstrument({ venue: 'SIM', symbol: 'AAPL' }, { venue: 'SIM', symbol: 'MSFT' })).toBe(false);
  });
});
