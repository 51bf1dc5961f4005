import { instrumentKey, type Bar, type InstrumentId } from '@ttquant/domain';
import type { HistoryStore, TimeRange } from '@ttquant/gateway-api';

/**
 * A `HistoryStore` in memory with the storage implementation's semantics:
 * bars keyed by instrument, interval and start (a rewrite replaces), coverage
 * as runs of consecutive bars. For specs only.
 */
export class MemoryHistoryStore implements HistoryStore {
  private readonly bars = new Map<string, Map<bigint, Bar>>();
  /** Every writeBars call, in order, with how many bars it carried. */
  readonly writes: number[] = [];
  /** When set, the next writeBars calls reject with it (one per entry). */
  readonly failNextWrites: Error[] = [];

  async coverage(instrument: InstrumentId, intervalSeconds: number, range: TimeRange): Promise<TimeRange[]> {
    const step = BigInt(intervalSeconds) * 1_000_000_000n;
    const starts = [...(this.series(instrument, intervalSeconds)?.keys() ?? [])]
      .filter((start) => start >= range.from && start < range.to)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const runs: TimeRange[] = [];
    for (const start of starts) {
      const last = runs[runs.length - 1];
      if (last && last.to === start) runs[runs.length - 1] = { from: last.from, to: start + step };
      else runs.push({ from: start, to: start + step });
    }
    return runs.map((run) => ({ from: run.from, to: run.to < range.to ? run.to : range.to }));
  }

  async writeBars(bars: readonly Bar[]): Promise<number> {
    const failure = this.failNextWrites.shift();
    if (failure) throw failure;
    for (const bar of bars) {
      const key = `${instrumentKey(bar.instrument)}|${bar.intervalSeconds}`;
      let series = this.bars.get(key);
      if (!series) this.bars.set(key, (series = new Map()));
      series.set(bar.startTime, bar);
    }
    this.writes.push(bars.length);
    return bars.length;
  }

  /** Stored bars of one instrument and interval, by start time. */
  stored(instrument: InstrumentId, intervalSeconds: number): Bar[] {
    return [...(this.series(instrument, intervalSeconds)?.values() ?? [])].sort((a, b) =>
      a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : 0,
    );
  }

  private series(instrument: InstrumentId, intervalSeconds: number): Map<bigint, Bar> | undefined {
    return this.bars.get(`${instrumentKey(instrument)}|${intervalSeconds}`);
  }
}
