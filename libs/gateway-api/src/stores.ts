import type { Bar, Instrument, InstrumentId, UnixNanos } from '@ttquant/domain';

/** An instrument as cached, with when it was first and last seen at the venue. */
export interface CachedInstrument {
  readonly instrument: Instrument;
  readonly firstSeen: UnixNanos;
  readonly lastSeen: UnixNanos;
}

/**
 * Where an adapter keeps reference data between runs (IB's contract details,
 * an exchange's market list), so a restart does not hammer the venue and
 * instruments that disappeared stay explainable. Implemented by storage; the
 * app passes it in through the adapter context.
 */
export interface InstrumentCache {
  /** The cached instrument, or `undefined`. */
  get(id: InstrumentId): Promise<CachedInstrument | undefined>;
  /**
   * Inserts or updates the instrument: `firstSeen` is kept from the first put,
   * `lastSeen` becomes `seenAt`.
   */
  put(instrument: Instrument, seenAt: UnixNanos): Promise<void>;
  /** Every cached instrument, of one venue when given. */
  list(venue?: string): Promise<CachedInstrument[]>;
}

/** A half-open time range `[from, to)` in nanoseconds. */
export interface TimeRange {
  readonly from: UnixNanos;
  readonly to: UnixNanos;
}

/**
 * What a history backfill needs from storage: which bars are already stored,
 * and a way to write more. Implemented by storage.
 */
export interface HistoryStore {
  /**
   * The ranges of `[from, to)` already covered by stored bars of this
   * instrument and interval, sorted and non-overlapping.
   */
  coverage(instrument: InstrumentId, intervalSeconds: number, range: TimeRange): Promise<TimeRange[]>;
  /**
   * Writes bars idempotently: a bar with the same instrument, interval and
   * start time as a stored one replaces it, never duplicates it.
   * Resolves with the number of bars written.
   */
  writeBars(bars: readonly Bar[]): Promise<number>;
}

/**
 * The parts of `range` not covered by `covered`: what a backfill still has to
 * fetch. `covered` may be unsorted and overlapping.
 *
 * @example
 * missingRanges({ from: 0n, to: 100n }, [{ from: 20n, to: 50n }]);
 * // [{ from: 0n, to: 20n }, { from: 50n, to: 100n }]
 */
export function missingRanges(range: TimeRange, covered: readonly TimeRange[]): TimeRange[] {
  const sorted = [...covered].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const gaps: TimeRange[] = [];
  let cursor = range.from;
  for (const piece of sorted) {
    if (piece.to <= cursor || piece.from >= piece.to) continue;
    if (piece.from >= range.to) break;
    if (piece.from > cursor) gaps.push({ from: cursor, to: piece.from });
    cursor = piece.to;
    if (cursor >= range.to) return gaps;
  }
  if (cursor < range.to) gaps.push({ from: cursor, to: range.to });
  return gaps;
}
