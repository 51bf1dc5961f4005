import {
  addedColumnStatements,
  columnsAt,
  commentStatements,
  createIndexStatements,
  createTableSql,
  sqlLiteral,
} from './ddl-common';
import type { RollupDef, SchemaDef, TableDef } from './schema-types';

/** Chunk length of every hypertable; matches the daily partitions of the native path. */
export const CHUNK_INTERVAL = '1 day';

/**
 * DDL of migration `version` for TimescaleDB: the extension (version 1),
 * tables created by the version (time-series ones turned into hypertables on
 * their time column with compression settings), columns it adds, and the
 * trade roll-ups (continuous aggregates) it introduces.
 *
 * Policies (compression after N days, retention) live in
 * {@link timescalePolicyStatements}: they follow configuration and are
 * re-applied at every start.
 */
export function timescaleSchemaStatements(schema: SchemaDef, version: number): string[] {
  const statements: string[] = version === 1 ? ['CREATE EXTENSION IF NOT EXISTS timescaledb'] : [];
  for (const table of schema.tables) {
    const since = table.since ?? 1;
    if (since === version) statements.push(...createTimescaleTable(table, version));
    else if (since < version) statements.push(...addedColumnStatements(table, version));
  }
  for (const rollup of schema.rollups) {
    if ((rollup.since ?? 1) === version) statements.push(...createRollup(rollup));
  }
  return statements;
}

function createTimescaleTable(table: TableDef, version: number): string[] {
  const statements = [createTableSql(table, version)];
  const ts = table.timeSeries;
  if (table.kind === 'time-series' && ts) {
    // The generalised API (TimescaleDB 2.13+, by_range); the (table, column, chunk_time_interval) form is deprecated.
    statements.push(
      `SELECT create_hypertable(${sqlLiteral(table.name)}, ` +
        `by_range(${sqlLiteral(ts.timeColumn)}, INTERVAL ${sqlLiteral(CHUNK_INTERVAL)}), if_not_exists => TRUE)`,
    );
    statements.push(
      `ALTER TABLE ${table.name} SET (timescaledb.compress, ` +
        `timescaledb.compress_segmentby = ${sqlLiteral(ts.segmentBy.join(', '))}, ` +
        `timescaledb.compress_orderby = ${sqlLiteral(compressOrderBy(table).join(', '))})`,
    );
  }
  statements.push(...createIndexStatements(table, version));
  statements.push(...commentStatements(table, columnsAt(table, version), true));
  return statements;
}

/**
 * Time first (newest first), then the other columns of the unique keys:
 * TimescaleDB can only enforce a unique key on compressed chunks when each of
 * its columns is a segment-by or order-by column.
 */
export function compressOrderBy(table: TableDef): string[] {
  const ts = table.timeSeries;
  if (!ts) return [];
  const order = [`${ts.timeColumn} DESC`];
  const taken = new Set([ts.timeColumn, ...ts.segmentBy]);
  for (const key of table.uniqueKeys ?? []) {
    for (const column of key.columns) {
      if (taken.has(column)) continue;
      taken.add(column);
      order.push(column);
    }
  }
  return order;
}

/** OHLCV of `trade_ticks` per bucket; open and close are the first and last trade by exact time. */
function createRollup(rollup: RollupDef): string[] {
  const bucket = `time_bucket(INTERVAL ${sqlLiteral(rollup.bucket)}, ts)`;
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${rollup.name} WITH (timescaledb.continuous) AS\n` +
      `SELECT venue, symbol, ${bucket} AS bucket,\n` +
      `  first(price, ts_ns) AS open, max(price) AS high, min(price) AS low, last(price, ts_ns) AS close,\n` +
      `  sum(size) AS volume, count(*) AS trade_count\n` +
      `FROM trade_ticks\n` +
      `GROUP BY venue, symbol, ${bucket}\n` +
      `WITH NO DATA`,
    `COMMENT ON MATERIALIZED VIEW ${rollup.name} IS ${sqlLiteral(`Bars of ${rollup.bucket} built from trade_ticks.`)}`,
  ];
}

/** Configuration the TimescaleDB policies follow. */
export interface TimescalePolicyOptions {
  /** Compress chunks older than this many days. */
  readonly compressAfterDays: number;
  /** Days to keep per time-series table; a table not listed keeps everything. */
  readonly retentionDays: Readonly<Record<string, number>>;
}

/**
 * Idempotent policy statements, run at every start so configuration changes
 * take effect: compression after N days on every hypertable, retention where
 * configured (an existing retention policy is replaced, a removed setting
 * removes it), and a refresh policy per roll-up.
 */
export function timescalePolicyStatements(schema: SchemaDef, options: TimescalePolicyOptions): string[] {
  const statements: string[] = [];
  const days = (n: number): string => `INTERVAL ${sqlLiteral(`${n} days`)}`;
  for (const table of schema.tables) {
    if (table.kind !== 'time-series') continue;
    const name = sqlLiteral(table.name);
    statements.push(`SELECT remove_compression_policy(${name}, if_exists => TRUE)`);
    statements.push(`SELECT add_compression_policy(${name}, ${days(options.compressAfterDays)}, if_not_exists => TRUE)`);
    statements.push(`SELECT remove_retention_policy(${name}, if_exists => TRUE)`);
    const retention = options.retentionDays[table.name];
    if (retention !== undefined) {
      statements.push(`SELECT add_retention_policy(${name}, ${days(retention)}, if_not_exists => TRUE)`);
    }
  }
  for (const rollup of schema.rollups) {
    statements.push(
      `SELECT add_continuous_aggregate_policy(${sqlLiteral(rollup.name)}, ` +
        `start_offset => INTERVAL ${sqlLiteral(rollup.startOffset)}, ` +
        `end_offset => INTERVAL ${sqlLiteral(rollup.endOffset)}, ` +
        `schedule_interval => INTERVAL ${sqlLiteral(rollup.scheduleInterval)}, if_not_exists => TRUE)`,
    );
  }
  return statements;
}
