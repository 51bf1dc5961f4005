import { loadSimConfig, SimConfigError, toSimInstrument } from './config';

describe('loadSimConfig', () => {
  it('gives documented defaults for an empty config', () => {
    const config = loadSimConfig({});
    expect(config.venue).toBe('SIM');
    expect(config.account).toBe('SIM001');
    expect(config.seed).toBe(42);
    expect(config.market.source).toBe('internal');
    expect(config.execution.latencyMs).toBe(0);
    expect(config.instruments.map((i) => i.symbol)).toEqual(['ACME', 'BTC-USD']);
    expect(config.startingBalances).toEqual([{ currency: 'USD', amount: '1000000' }]);
  });

  it('merges overrides and fills instrument defaults', () => {
    const config = loadSimConfig({
      seed: 7,
      execution: { latencyMs: 25, takerFeeBps: '7.5' },
      instruments: [
        {
          symbol: 'ES',
          assetClass: 'FUTURE',
          currency: 'USD',
          tickSize: '0.25',
          lotSize: '1',
          initialPrice: '5000',
          multiplier: '50',
        },
      ],
    });
    expect(config.seed).toBe(7);
    expect(config.execution).toMatchObject({ latencyMs: 25, takerFeeBps: '7.5', makerFeeBps: '0' });
    expect(config.instruments[0]).toMatchObject({ symbol: 'ES', minQuantity: '', replayFile: '', baseCurrency: '' });
    const instrument = toSimInstrument(config.venue, config.instruments[0]);
    expect(instrument.id).toEqual({ venue: 'SIM', symbol: 'ES' });
    expect(instrument.multiplier.toString()).toBe('50');
    expect(instrument.minQuantity.toString()).toBe('1');
  });

  it.each([
    ['an unknown key', { sed: 1 }, "configuration param 'sed' not declared in the schema"],
    ['a negative latency', { execution: { latencyMs: -1 } }, 'expected execution.latencyMs an integer in 0..60000, was -1'],
    ['a fee as a number', { execution: { takerFeeBps: 7.5 } }, 'expected execution.takerFeeBps as non-negative decimal text'],
    ['a bad source', { market: { source: 'replay' } }, 'market.source: must be one of the possible values'],
    ['an empty instrument list', { instruments: [] }, 'expected instruments as a non-empty array'],
    [
      'a bad tick size',
      { instruments: [{ symbol: 'X', assetClass: 'EQUITY', currency: 'USD', tickSize: '0', lotSize: '1', initialPrice: '1' }] },
      'expected instruments[0].tickSize as positive decimal text, was "0"',
    ],
    [
      'a repeated symbol',
      {
        instruments: [
          { symbol: 'X', assetClass: 'EQUITY', currency: 'USD', tickSize: '1', lotSize: '1', initialPrice: '1' },
          { symbol: 'X', assetClass: 'EQUITY', currency: 'USD', tickSize: '1', lotSize: '1', initialPrice: '1' },
        ],
      },
      'expected instruments[1].symbol to be unique',
    ],
    [
      'crossed spread bounds',
      { market: { minSpreadTicks: 5, maxSpreadTicks: 2 } },
      'expected market.minSpreadTicks <= market.maxSpreadTicks',
    ],
    ['a non-object', 'seed=1', 'expected the sim config to be an object'],
  ])('refuses %s, saying what was expected', (_case, input, message) => {
    expect(() => loadSimConfig(input)).toThrow(SimConfigError);
    expect(() => loadSimConfig(input)).toThrow(message);
  });
});
