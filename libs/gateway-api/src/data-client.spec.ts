import { subscriptionKey } from './data-client';

describe('subscriptionKey', () => {
  const instrument = { venue: 'SIM', symbol: 'ACME' };

  it('distinguishes kinds, depths and intervals', () => {
    expect(subscriptionKey({ kind: 'quotes', instrument })).toBe('quotes:SIM:ACME');
    expect(subscriptionKey({ kind: 'trades', instrument })).toBe('trades:SIM:ACME');
    expect(subscriptionKey({ kind: 'book', instrument, depth: 10 })).toBe('book/10:SIM:ACME');
    expect(subscriptionKey({ kind: 'bars', instrument, intervalSeconds: 60 })).toBe('bars/60:SIM:ACME');
    expect(subscriptionKey({ kind: 'funding-rates', instrument })).toBe('funding-rates:SIM:ACME');
  });
});
