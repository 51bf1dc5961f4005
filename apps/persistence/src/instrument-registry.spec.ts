import type { Instrument, UnixNanos } from '@ttquant/domain';
import { InstrumentRegistry, sameDefinition } from './instrument-registry';
import { ACME, acmeInstrument, d, DAY0 } from './testing/fixtures';

const MINUTE = 60_000_000_000n;

describe('InstrumentRegistry', () => {
  function setup() {
    const puts: [Instrument, UnixNanos][] = [];
    const errors: string[] = [];
    let refuse = false;
    const registry = new InstrumentRegistry({
      store: {
        put: async (instrument, seenAt) => {
          if (refuse) throw new Error('database unavailable');
          puts.push([instrument, seenAt]);
        },
      },
      refreshNs: MINUTE,
      onError: (error) => errors.push((error as Error).message),
    });
    return { registry, puts, errors, refuse: (value: boolean) => (refuse = value) };
  }

  it('writes a definition when new, changed or due for refresh, not on every republish', async () => {
    const { registry, puts } = setup();
    await registry.seen(acmeInstrument(), DAY0);
    expect(registry.seen(acmeInstrument(), DAY0 + MINUTE / 2n)).toBeUndefined();
    await registry.seen(acmeInstrument({ tickSize: d('0.05') }), DAY0 + MINUTE / 2n);
    await registry.seen(acmeInstrument({ tickSize: d('0.050') }), DAY0 + MINUTE + MINUTE / 2n);
    expect(puts.map(([i, at]) => [i.tickSize.toString(), at])).toEqual([
      ['0.01', DAY0],
      ['0.05', DAY0 + MINUTE / 2n],
      ['0.050', DAY0 + MINUTE + MINUTE / 2n],
    ]);
    expect(registry.written).toBe(3);
  });

  it('knows preloaded instruments for fills at once, and refreshes them on their first arrival', async () => {
    const { registry, puts } = setup();
    expect(registry.fillInstrument(ACME)).toBeUndefined();
    registry.preload([acmeInstrument({ currency: 'EUR', multiplier: d('100') })]);
    expect(registry.fillInstrument(ACME)).toMatchObject({ currency: 'EUR', multiplier: d('100') });
    await registry.seen(acmeInstrument({ currency: 'EUR', multiplier: d('100') }), DAY0);
    expect(puts).toHaveLength(1);
    expect(registry.size).toBe(1);
  });

  it('reports a failed write and tries again on the next arrival', async () => {
    const { registry, puts, errors, refuse } = setup();
    refuse(true);
    await registry.seen(acmeInstrument(), DAY0);
    expect(errors).toEqual(['database unavailable']);
    refuse(false);
    await registry.seen(acmeInstrument(), DAY0 + 1n);
    expect(puts.map(([, at]) => at)).toEqual([DAY0 + 1n]);
  });

  it('compares definitions field by field, decimals by value', () => {
    expect(sameDefinition(acmeInstrument(), acmeInstrument({ multiplier: d('1.0') }))).toBe(true);
    expect(sameDefinition(acmeInstrument(), acmeInstrument({ description: 'renamed' }))).toBe(false);
    expect(sameDefinition(acmeInstrument(), acmeInstrument({ lotSize: d('10') }))).toBe(false);
  });
});
