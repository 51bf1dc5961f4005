import { systemClock } from '@ttquant/domain';
import { AdapterRegistryError, VenueAdapterRegistry, type VenueAdapter, type VenueAdapterFactory } from './venue-adapter';

function fakeFactory(kind: string, seen: unknown[]): VenueAdapterFactory {
  return {
    kind,
    create(config: unknown): VenueAdapter {
      seen.push(config);
      return {
        kind,
        venue: kind.toUpperCase(),
        instruments: {
          venue: kind.toUpperCase(),
          load: async () => [],
          get: () => {
            throw new Error('none');
          },
          find: () => undefined,
          all: () => [],
        },
        dispose: async () => undefined,
      };
    },
  };
}

describe('VenueAdapterRegistry', () => {
  it('creates the adapter of the configured kind, handing it the raw config', () => {
    const seen: unknown[] = [];
    const registry = new VenueAdapterRegistry().register(fakeFactory('sim', seen)).register(fakeFactory('ib', seen));
    const adapter = registry.createVenueAdapter('ib', { port: 4002 }, { clock: systemClock });
    expect(adapter.kind).toBe('ib');
    expect(seen).toEqual([{ port: 4002 }]);
    expect(registry.kinds()).toEqual(['sim', 'ib']);
    expect(registry.has('sim')).toBe(true);
    expect(registry.has('ccxt')).toBe(false);
  });

  it('refuses an unknown kind, naming the known ones', () => {
    const registry = new VenueAdapterRegistry().register(fakeFactory('sim', []));
    expect(() => registry.createVenueAdapter('kraken', {}, { clock: systemClock })).toThrow(
      new AdapterRegistryError('expected adapter kind one of sim, was "kraken"'),
    );
  });

  it('refuses registering a kind twice', () => {
    const registry = new VenueAdapterRegistry().register(fakeFactory('sim', []));
    expect(() => registry.register(fakeFactory('sim', []))).toThrow(AdapterRegistryError);
  });
});
