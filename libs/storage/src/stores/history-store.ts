import type { Bar, InstrumentId } from '@ttquant/domain';
import type { Queryable } from '../queryable';
import { rangeParams, type NanosRange } from '../readers/query-range';
import { tableDef } from '../schema/tables';
import { barRow } from '../writers/row-mappers';
import { toQueryParam, valuesPlaceholders } from '../writers/query-params';
import { StorageError } from '../errors';

const BARS = tableDef('bars');
const KEY = ['venue', 'symbol', 'interval_seconds', 'ts'];
const UPDATES = BARS.columns.filter((c) => !KEY.includes(c.name)).map((c) => `${c.name} = EXCLUDED.${c.name}`);
const ROWS_PER_STATEMENT = 1000;

/**
 * What a history backfill needs: which bars are stored, and an idempotent way
 * to add more. Has the shape of gateway-api's `HistoryStore`.
 */
export class PgHistoryStore {
  constructor(private readonly db: Queryable) {}

  /**
   * The parts of `range` covered by stored bars of this instrument and
   * interval: runs of consecutive bars, each `[first start, last start +
   * interval)`, clipped to the range, sorted. A missing bar splits a run.
   */
  async coverage(instrument: InstrumentId, intervalSeconds: number, range: NanosRange): Promise<NanosRange[]> {
    if (!Number.isInteger(intervalSeconds) || intervalSeconds <= 0) {
      throw new StorageError(`expected intervalSeconds to be a positive whole number, was ${intervalSeconds}`);
    }
    const intervalNs = BigInt(intervalSeconds) * 1_000_000_000n;
    const [from, to, fromNs, toNs] = rangeParams(range);
    // Gaps and islands: consecutive bars share start - rank × interval.
    const result = await this.db.query<{ first_ns: string; last_ns: string }>(
      `SELECT min(start_ns)::text AS first_ns, max(start_ns)::text AS last_ns
         FROM (SELECT start_ns, start_ns - row_number() OVER (ORDER BY start_ns) * $8 AS island
                 FROM bars
                WHERE venue = $1 AND symbol = $2 AND interval_seconds = $3 AND ts >= $4 AND ts < $5
                  AND start_ns >= $6 AND start_ns < $7) runs
        GROUP BY island ORDER BY 1`,
      [instrument.venue, instrument.symbol, intervalSeconds, from, to, fromNs, toNs, intervalNs.toString()],
    );
    return result.rows.map((row) => {
      const end = BigInt(row.last_ns) + intervalNs;
      return { from: BigInt(row.first_ns), to: end < range.to ? end : range.to };
    });
  }

  /**
   * Writes bars idempotently: a bar with the instrument, interval and start of
   * a stored one replaces it. Resolves with the number of bars written.
   */
  async writeBars(bars: readonly Bar[]): Promise<number> {
    const columns = BARS.columns;
    let written = 0;
    for (let i = 0; i < bars.length; i += ROWS_PER_STATEMENT) {
      const chunk = bars.slice(i, i + ROWS_PER_STATEMENT);
      const params: (string | number | boolean | null)[] = [];
      for (const bar of chunk) {
        const values = barRow(bar);
        columns.forEach((column, c) => params.push(toQueryParam(column.type, values[c] ?? null)));
      }
      const result = await this.db.query(
        `INSERT INTO bars (${columns.map((c) => c.name).join(', ')})
         VALUES ${valuesPlaceholders(chunk.length, columns.length)}
         ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET ${UPDATES.join(', ')}`,
        params,
      );
      written += result.rowCount ?? 0;
    }
    return written;
  }
}
