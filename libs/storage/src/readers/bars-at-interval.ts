import type { Bar } from '@ttquant/domain';
import { StorageError } from '../errors';
import type { Queryable } from '../queryable';
import { barsFromTrades, readBars, rollUpBars, type BarQuery } from './bar-readers';
import { rangeParams } from './query-range';

/** Where {@link readBarsAtInterval} took its bars from. */
export type BarSource =
  /** Stored bars of the interval asked for (from the venue or a backfill). */
  | { readonly kind: 'stored' }
  /** Stored bars of a shorter interval that divides the one asked for, rolled up in SQL. */
  | { readonly kind: 'rolled-up'; readonly sourceIntervalSeconds: number }
  /** Computed in SQL from stored trades. */
  | { readonly kind: 'trades' };

/** Which sources {@link readBarsAtInterval} may use: `auto` tries them in the order stored, rolled-up, trades. */
export type BarSourceChoice = 'auto' | 'bars' | 'trades';

/** Bars of any interval for an instrument and `[from, to)`. */
export interface BarsAtIntervalQuery extends BarQuery {
  /** `auto` (default): stored bars, else roll-up of stored bars, else trades; `bars`: stored bars only (rolled up if needed); `trades`: trades only. */
  readonly source?: BarSourceChoice;
}

/** The bars and where they came from. */
export interface BarsAtInterval {
  readonly bars: Bar[];
  readonly source: BarSource;
}

/**
 * Bars of `intervalSeconds` however they are available: the way a backtest or
 * a chart asks ("5-minute bars of X for March") without knowing whether the
 * venue's bars were stored, at which interval, or only trades.
 *
 * With `auto`, the first source holding anything in the range wins: stored
 * bars of exactly that interval; stored bars of the longest shorter interval
 * dividing it (rolled up); trades. No source with data gives an empty list
 * (source `trades`), not an error: an empty range is an answer.
 */
export async function readBarsAtInterval(db: Queryable, query: BarsAtIntervalQuery): Promise<BarsAtInterval> {
  if (!Number.isInteger(query.intervalSeconds) || query.intervalSeconds <= 0) {
    throw new StorageError(`expected intervalSeconds to be a positive whole number of seconds, was ${query.intervalSeconds}`);
  }
  const choice = query.source ?? 'auto';
  if (choice !== 'auto' && choice !== 'bars' && choice !== 'trades') {
    throw new StorageError(`expected source auto, bars or trades, was ${JSON.stringify(choice)}`);
  }
  if (choice !== 'trades') {
    const intervals = await storedBarIntervals(db, query);
    if (intervals.includes(query.intervalSeconds)) return { bars: await readBars(db, query), source: { kind: 'stored' } };
    // The longest divisor needs the fewest rows read.
    const divisor = intervals.filter((s) => s < query.intervalSeconds && query.intervalSeconds % s === 0).sort((a, b) => b - a)[0];
    if (divisor !== undefined) {
      return {
        bars: await rollUpBars(db, { ...query, sourceIntervalSeconds: divisor }),
        source: { kind: 'rolled-up', sourceIntervalSeconds: divisor },
      };
    }
    if (choice === 'bars') return { bars: [], source: { kind: 'stored' } };
  }
  return { bars: await barsFromTrades(db, query), source: { kind: 'trades' } };
}

/** The bar intervals stored for the instrument with a bar starting in `[from, to)`. */
export async function storedBarIntervals(db: Queryable, query: Omit<BarQuery, 'intervalSeconds'>): Promise<number[]> {
  const [from, to, fromNs, toNs] = rangeParams(query);
  const result = await db.query<{ interval_seconds: number }>(
    `SELECT DISTINCT interval_seconds FROM bars
      WHERE venue = $1 AND symbol = $2 AND ts >= $3 AND ts < $4 AND start_ns >= $5 AND start_ns < $6
      ORDER BY interval_seconds`,
    [query.instrument.venue, query.instrument.symbol, from, to, fromNs, toNs],
  );
  return result.rows.map((row) => row.interval_seconds);
}
