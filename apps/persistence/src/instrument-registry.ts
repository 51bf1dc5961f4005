import { InstrumentMap, type Instrument, type InstrumentId, type UnixNanos } from '@ttquant/domain';
import type { FillInstrument } from '@ttquant/storage';

/** Where definitions are kept: `PgInstrumentCache` in production. */
export interface InstrumentStore {
  put(instrument: Instrument, seenAt: UnixNanos): Promise<void>;
}

/** Settings of an {@link InstrumentRegistry}. */
export interface InstrumentRegistryOptions {
  readonly store: InstrumentStore;
  /**
   * An unchanged definition is written again (moving `last_seen`) at most this
   * often; market-data republishes every few seconds for late joiners.
   */
  readonly refreshNs: bigint;
  /** Told when a definition could not be written; it is tried again on its next arrival. */
  readonly onError?: (error: unknown, instrument: Instrument) => void;
}

interface Known {
  readonly instrument: Instrument;
  /** Event time of the last definition written; undefined until one was. */
  written: UnixNanos | undefined;
}

/**
 * The instruments persistence has seen: kept in memory for the currency and
 * multiplier stored with each fill, and written to the instrument cache table
 * when new or changed (and at most every `refreshNs` otherwise).
 */
export class InstrumentRegistry {
  private readonly known = new InstrumentMap<Known>();
  private writes = 0;

  constructor(private readonly options: InstrumentRegistryOptions) {}

  /** Definitions already stored (from the cache table at start-up): known without writing them again. */
  preload(instruments: readonly Instrument[]): void {
    for (const instrument of instruments) this.known.set(instrument.id, { instrument, written: undefined });
  }

  /** Instruments known. */
  get size(): number {
    return this.known.size;
  }

  /** Definitions written to the store so far. */
  get written(): number {
    return this.writes;
  }

  /** A definition arrived: remembered, and written when new, changed or due for refresh. */
  seen(instrument: Instrument, at: UnixNanos): void | Promise<void> {
    const held = this.known.get(instrument.id);
    const changed = held === undefined || !sameDefinition(held.instrument, instrument);
    const due = held?.written === undefined || at - held.written >= this.options.refreshNs;
    if (!changed && !due) return undefined;
    const entry: Known = { instrument, written: held?.written };
    this.known.set(instrument.id, entry);
    return this.write(entry, at);
  }

  /** Currency and multiplier for a fill of `id`, when its definition was seen. */
  fillInstrument(id: InstrumentId): FillInstrument | undefined {
    return this.known.get(id)?.instrument;
  }

  private async write(entry: Known, at: UnixNanos): Promise<void> {
    try {
      await this.options.store.put(entry.instrument, at);
      entry.written = at;
      this.writes++;
    } catch (error) {
      this.options.onError?.(error, entry.instrument);
    }
  }
}

/** Every field of the definitions equal (decimals by value). */
export function sameDefinition(a: Instrument, b: Instrument): boolean {
  return (
    a.venueInstrumentId === b.venueInstrumentId &&
    a.assetClass === b.assetClass &&
    a.exchange === b.exchange &&
    a.currency === b.currency &&
    a.baseCurrency === b.baseCurrency &&
    a.multiplier.eq(b.multiplier) &&
    a.tickSize.eq(b.tickSize) &&
    a.lotSize.eq(b.lotSize) &&
    a.minQuantity.eq(b.minQuantity) &&
    a.description === b.description
  );
}
