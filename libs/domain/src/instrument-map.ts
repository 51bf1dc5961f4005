import type { InstrumentId } from './instrument';

/**
 * A map keyed by {@link InstrumentId} without building a text key per lookup
 * (venue, then symbol): cheap enough for per-tick use.
 */
export class InstrumentMap<V> {
  private readonly byVenue = new Map<string, Map<string, V>>();
  private count = 0;

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /** The value stored for `id`, if any. */
  get(id: InstrumentId): V | undefined {
    return this.byVenue.get(id.venue)?.get(id.symbol);
  }

  /** True when a value is stored for `id`. */
  has(id: InstrumentId): boolean {
    return this.byVenue.get(id.venue)?.has(id.symbol) ?? false;
  }

  /** Stores `value` for `id`, replacing any previous one. */
  set(id: InstrumentId, value: V): this {
    let bySymbol = this.byVenue.get(id.venue);
    if (!bySymbol) {
      bySymbol = new Map();
      this.byVenue.set(id.venue, bySymbol);
    }
    if (!bySymbol.has(id.symbol)) this.count++;
    bySymbol.set(id.symbol, value);
    return this;
  }

  /** Returns true when an entry was removed. */
  delete(id: InstrumentId): boolean {
    const bySymbol = this.byVenue.get(id.venue);
    if (!bySymbol?.delete(id.symbol)) return false;
    this.count--;
    if (bySymbol.size === 0) this.byVenue.delete(id.venue);
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.byVenue.clear();
    this.count = 0;
  }

  /** Values in insertion order per venue, venues in first-seen order. */
  *values(): IterableIterator<V> {
    for (const bySymbol of this.byVenue.values()) yield* bySymbol.values();
  }

  /** `[id, value]` pairs; the ids are fresh objects. */
  *entries(): IterableIterator<[InstrumentId, V]> {
    for (const [venue, bySymbol] of this.byVenue) {
      for (const [symbol, value] of bySymbol) yield [{ venue, symbol }, value];
    }
  }
}
