import type { HistoryStore } from '@ttquant/gateway-api';
import { sessionGaps, sessionSlots } from './bar-slots';
import { ibBarSize } from './bar-sizes';
import type { BackfillSpec } from './backfill-plan';

/** Expected and stored bars of one symbol on one session day. */
export interface DayCompleteness {
  readonly day: string;
  /** Bars the trading calendar says the session holds (e.g. 390 one-minute bars for US regular hours). */
  readonly expected: number;
  /** Of those, bars the store has. */
  readonly stored: number;
}

/** Expected and stored bars of one symbol over the range. */
export interface SymbolCompleteness {
  readonly venue: string;
  readonly symbol: string;
  readonly expected: number;
  readonly stored: number;
  readonly days: readonly DayCompleteness[];
}

/** How complete the stored history of a backfill's range is. */
export interface CompletenessReport {
  readonly barSize: string;
  readonly expected: number;
  readonly stored: number;
  readonly symbols: readonly SymbolCompleteness[];
}

/**
 * Counts, per symbol and session day, the bars the calendar expects and the
 * bars the store holds, asking the store itself rather than trusting what a
 * run believes it wrote. Bars not finished at `nowMs` are not expected.
 *
 * "Expected" is only as good as the calendar: an unlisted holiday shows as a
 * day with nothing stored, an illiquid minute without trades as a missing bar.
 */
export async function completenessReport(spec: BackfillSpec, store: HistoryStore, nowMs: number): Promise<CompletenessReport> {
  const size = ibBarSize(spec.barSize);
  const days = sessionSlots(spec.calendar, size, spec.fromMs, spec.toMs, nowMs);
  const symbols: SymbolCompleteness[] = [];
  for (const { instrument } of spec.symbols) {
    const gaps = await sessionGaps(store, instrument, size, days);
    const perDay = gaps
      .filter((d) => d.slots.length > 0)
      .map((d) => ({ day: d.session.day, expected: d.slots.length, stored: d.slots.length - d.missing.length }));
    symbols.push({
      venue: instrument.venue,
      symbol: instrument.symbol,
      expected: sum(perDay.map((d) => d.expected)),
      stored: sum(perDay.map((d) => d.stored)),
      days: perDay,
    });
  }
  return {
    barSize: spec.barSize,
    expected: sum(symbols.map((s) => s.expected)),
    stored: sum(symbols.map((s) => s.stored)),
    symbols,
  };
}

/**
 * The report as text for a terminal: one line per symbol, then one line per
 * incomplete day (complete days are summed up, not listed).
 *
 * @example
 * AAPL  1 min  780/780 bars  100.0%  2 days complete
 * MSFT  1 min  590/780 bars   75.6%  1 day complete, 1 incomplete
 *   2025-01-03  200/390
 */
export function formatCompleteness(report: CompletenessReport): string {
  const width = Math.max(6, ...report.symbols.map((s) => s.symbol.length));
  const lines: string[] = [];
  for (const s of report.symbols) {
    const incomplete = s.days.filter((d) => d.stored < d.expected);
    const complete = s.days.length - incomplete.length;
    const pct = s.expected === 0 ? 100 : (100 * s.stored) / s.expected;
    const daysText = `${complete} ${complete === 1 ? 'day' : 'days'} complete` + (incomplete.length > 0 ? `, ${incomplete.length} incomplete` : '');
    lines.push(`${s.symbol.padEnd(width)}  ${report.barSize}  ${s.stored}/${s.expected} bars  ${pct.toFixed(1).padStart(5)}%  ${daysText}`);
    for (const d of incomplete) lines.push(`  ${d.day}  ${d.stored}/${d.expected}`);
  }
  return lines.join('\n');
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
