import { InstrumentMap } from './instrument-map';

describe('InstrumentMap', () => {
  it('stores values by venue and symbol, compared by value', () => {
    const map = new InstrumentMap<number>();
    map.set({ venue: 'SIM', symbol: 'AAPL' }, 1).set({ venue: 'SIM', symbol: 'MSFT' }, 2).set({ venue: 'CME', symbol: 'AAPL' }, 3);
    expect(map.get({ venue: 'SIM', symbol: 'AAPL' })).toBe(1);
    expect(map.get({ venue: 'CME', symbol: 'AAPL' })).toBe(3);
    expect(map.has({ venue: 'CME', symbol: 'MSFT' })).toBe(false);
    expect(map.size).toBe(3);
    map.set({ venue: 'SIM', symbol: 'AAPL' }, 10);
    expect(map.size).toBe(3);
    expect([...map.values()]).toEqual([10, 2, 3]);
    expect([...map.entries()]).toEqual([
      [{ venue: 'SIM', symbol: 'AAPL' }, 10],
      [{ venue: 'SIM', symbol: 'MSFT' }, 2],
      [{ venue: 'CME', symbol: 'AAPL' }, 3],
    ]);
  });

  it('deletes and clears', () => {
    const map = new InstrumentMap<string>();
    map.set({ venue: 'SIM', symbol: 'AAPL' }, 'a');
    expect(map.delete({ venue: 'SIM', symbol: 'MSFT' })).toBe(false);
    expect(map.delete({ venue: 'SIM', symbol: 'AAPL' })).toBe(true);
    expect(map.size).toBe(0);
    expect(map.get({ venue: 'SIM', symbol: 'AAPL' })).toBeUndefined();
    map.set({ venue: 'X', symbol: 'Y' }, 'b');
    map.clear();
    expect(map.size).toBe(0);
    expect([...map.values()]).toEqual([]);
  });
});
