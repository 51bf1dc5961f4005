import { DATA_QUALITIES, type Bar, type InstrumentId } from '@ttquant/domain';
import { StorageError } from '../errors';
import type { Queryable } from '../queryable';
import { bigintOf, decimalOf, enumOf, safeIntegerOf } from './row-parsing';
import { limitClause, rangeParams, type NanosRange } from './query-range';

/** Bars of one instrument and interval whose start lies in `[from, to)`, oldest first. */
export interface BarQuery extends NanosRange {
  readonly instrument: InstrumentId;
  readonly intervalSeconds: number;
  readonly limit?: number;
}

/** Bars of `intervalSeconds` built from stored bars of a shorter interval that divides it. */
export interface RollUpQuery extends BarQuery {
  readonly sourceIntervalSeconds: number;
}

interface BarRow {
  start_ns: string;
  interval_seconds: number;
  quality: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  trade_count: string;
  event_ns: string;
  init_ns: string;
}

/** Stored bars as received (from a venue or a backfill). */
export async function readBars(db: Queryable, query: BarQuery): Promise<Bar[]> {
  requireInterval(query.intervalSeconds, 'intervalSeconds');
  const [from, to] = rangeParams(query);
  const result = await db.query<BarRow>(
    `SELECT start_ns, interval_seconds, quality, open, high, low, close, volume, trade_count, event_ns, init_ns
       FROM bars
      WHERE venue = $1 AND symbol = $2 AND interval_seconds = $3 AND ts >= $4 AND ts < $5
        AND start_ns >= $6 AND start_ns < $7
      ORDER BY ts${limitClause(query.limit)}`,
    [query.instrument.venue, query.instrument.symbol, query.intervalSeconds, from, to, query.from.toString(), query.to.toString()],
  );
  return result.rows.map((row) => barOf(query.instrument, row));
}

/**
 * Rolls stored bars up to a longer interval in SQL: buckets aligned to the
 * Unix epoch (so daily bars start at 00:00 UTC), open of the first bar, close
 * of the last, high/low extremes, volume and trade counts summed. Event and
 * init times are those of the newest bar in the bucket, quality that of the last.
 *
 * Only buckets starting at or after `from` are returned (a bucket cut by an
 * unaligned `from` is left out); a bucket cut by `to` holds only what lies
 * before it, like a bar still forming.
 */
export async function rollUpBars(db: Queryable, query: RollUpQuery): Promise<Bar[]> {
  requireInterval(query.intervalSeconds, 'intervalSeconds');
  requireInterval(query.sourceIntervalSeconds, 'sourceIntervalSeconds');
  if (query.intervalSeconds % query.sourceIntervalSeconds !== 0) {
    throw new StorageError(
      `expected intervalSeconds to be a multiple of sourceIntervalSeconds (${query.sourceIntervalSeconds}), was ${query.intervalSeconds}`,
    );
  }
  const [from, to] = rangeParams(query);
  const result = await db.query<BarRow>(
    `SELECT (start_ns / $8 * $8)::text AS start_ns, $9::int4 AS interval_seconds,
            (array_agg(quality ORDER BY start_ns DESC))[1] AS quality,
            (array_agg(open ORDER BY start_ns))[1] AS open, max(high) AS high, min(low) AS low,
            (array_agg(close ORDER BY start_ns DESC))[1] AS close,
            sum(volume) AS volume, sum(trade_count) AS trade_count, max(event_ns) AS event_ns, max(init_ns) AS init_ns
       FROM bars
      WHERE venue = $1 AND symbol = $2 AND interval_seconds = $3 AND ts >= $4 AND ts < $5
        AND start_ns >= $6 AND start_ns < $7
      GROUP BY start_ns / $8
     HAVING min(start_ns) / $8 * $8 >= $6
      ORDER BY start_ns / $8${limitClause(query.limit)}`,
    [
      query.instrument.venue,
      query.instrument.symbol,
      query.sourceIntervalSeconds,
      from,
      to,
      query.from.toString(),
      query.to.toString(),
      (BigInt(query.intervalSeconds) * 1_000_000_000n).toString(),
      query.intervalSeconds,
    ],
  );
  return result.rows.map((row) => barOf(query.instrument, row));
}

/**
 * Bars computed in SQL from stored trades: any interval, buckets aligned to
 * the Unix epoch, open and close the first and last trade by exact time (then
 * stream sequence). Empty buckets give no bar; range edges are treated as in
 * {@link rollUpBars}. On TimescaleDB the
 * `trade_bars_*` continuous aggregates hold the common intervals ready-made;
 * this query works on both paths.
 */
export async function barsFromTrades(db: Queryable, query: BarQuery): Promise<Bar[]> {
  requireInterval(query.intervalSeconds, 'intervalSeconds');
  const intervalNs = BigInt(query.intervalSeconds) * 1_000_000_000n;
  const [from, to, fromNs, toNs] = rangeParams(query);
  const result = await db.query<BarRow>(
    `SELECT (ts_ns / $7 * $7)::text AS start_ns, $8::int4 AS interval_seconds,
            (array_agg(quality ORDER BY ts_ns DESC, seq DESC))[1] AS quality,
            (array_agg(price ORDER BY ts_ns, seq))[1] AS open, max(price) AS high, min(price) AS low,
            (array_agg(price ORDER BY ts_ns DESC, seq DESC))[1] AS close,
            sum(size) AS volume, count(*) AS trade_count, max(ts_ns) AS event_ns, max(init_ns) AS init_ns
       FROM trade_ticks
      WHERE venue = $1 AND symbol = $2 AND ts >= $3 AND ts < $4 AND ts_ns >= $5 AND ts_ns < $6
      GROUP BY ts_ns / $7
     HAVING min(ts_ns) / $7 * $7 >= $5
      ORDER BY ts_ns / $7${limitClause(query.limit)}`,
    [query.instrument.venue, query.instrument.symbol, from, to, fromNs, toNs, intervalNs.toString(), query.intervalSeconds],
  );
  return result.rows.map((row) => barOf(query.instrument, row));
}

function barOf(instrument: InstrumentId, row: BarRow): Bar {
  const startTime = bigintOf(row.start_ns, 'start_ns');
  return {
    kind: 'bar',
    instrument,
    quality: enumOf(DATA_QUALITIES, row.quality, 'quality'),
    eventTime: bigintOf(row.event_ns, 'event_ns'),
    initTime: bigintOf(row.init_ns, 'init_ns'),
    intervalSeconds: row.interval_seconds,
    startTime,
    open: decimalOf(row.open, 'open'),
    high: decimalOf(row.high, 'high'),
    low: decimalOf(row.low, 'low'),
    close: decimalOf(row.close, 'close'),
    volume: decimalOf(row.volume, 'volume'),
    tradeCount: safeIntegerOf(row.trade_count, 'trade_count'),
  };
}

function requireInterval(value: number, name: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new StorageError(`expected ${name} to be a positive whole number of seconds, was ${value}`);
}
