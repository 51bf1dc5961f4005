import type { Pool, PoolClient } from 'pg';
import { StorageError } from '../errors';
import type { Queryable } from '../queryable';
import { defaultPartitionName } from '../schema/native-ddl';
import { tableDef, TIME_SERIES_TABLES, type TimeSeriesTableName } from '../schema/tables';
import { withMigrationLock } from './migration-lock';

const DAY_MS = 86_400_000;

/** One range partition of a natively partitioned table: rows with `from <= time < to`. */
export interface PartitionInfo {
  readonly name: string;
  readonly from: Date;
  readonly to: Date;
}

/** The partitions of a table, and whether it has its DEFAULT partition. */
export interface PartitionList {
  /** Range partitions sorted by start. */
  readonly partitions: readonly PartitionInfo[];
  readonly hasDefault: boolean;
}

/**
 * Lists a table's partitions with their bounds. Bounds are read back from the
 * catalogue (not from names), so partitions made by hand are seen too.
 */
export async function listPartitions(db: Queryable, table: string): Promise<PartitionList> {
  const result = await db.query<{ name: string; is_default: boolean; lo: Date | null; hi: Date | null }>(
    `SELECT name, bound = 'DEFAULT' AS is_default,
            (regexp_match(bound, $2))[1]::timestamptz AS lo,
            (regexp_match(bound, $2))[2]::timestamptz AS hi
       FROM (SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = $1::text::regclass) p`,
    [table, "FROM \\('([^']+)'\\) TO \\('([^']+)'\\)"],
  );
  const partitions: PartitionInfo[] = [];
  let hasDefault = false;
  for (const row of result.rows) {
    if (row.is_default) hasDefault = true;
    // MINVALUE/MAXVALUE bounds have no literal: such partitions are never created or dropped here.
    else if (row.lo && row.hi) partitions.push({ name: row.name, from: row.lo, to: row.hi });
  }
  partitions.sort((a, b) => a.from.getTime() - b.from.getTime());
  return { partitions, hasDefault };
}

/** Name of the daily partition starting at `day` (UTC midnight): `quote_ticks_p20250131`. */
export function dailyPartitionName(table: string, day: Date): string {
  return `${table}_p${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** UTC midnight of the day containing `date`. */
export function utcDayStart(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}

/** Options of {@link ensurePartitions}. */
export interface EnsurePartitionsOptions {
  /** Days after today to create partitions for; 7 when omitted. */
  readonly daysAhead?: number;
  /** First day that must have a partition (e.g. the start of a backfill); today when omitted. */
  readonly from?: Date;
  /** The current time; the clock when omitted (tests set it). */
  readonly now?: Date;
  /** Tables to cover; every time-series table when omitted. */
  readonly tables?: readonly TimeSeriesTableName[];
}

/**
 * Makes sure every day from `from` to today + `daysAhead` (UTC) has its own
 * partition in each time-series table. Run at start-up by `migrate` and then
 * daily by whoever owns the database (the persistence service).
 *
 * Rows that arrived before their day's partition existed sit in the DEFAULT
 * partition; creating that day moves them into the new partition in the same
 * transaction, so the DEFAULT partition stays small and no row is lost.
 *
 * Native path only: on TimescaleDB, chunks are created by the extension.
 * Resolves with the names of the partitions created.
 */
export async function ensurePartitions(pool: Pool, options: EnsurePartitionsOptions = {}): Promise<string[]> {
  return withMigrationLock(pool, (client) => ensurePartitionsOn(client, options));
}

/** {@link ensurePartitions} on a connection that already holds the migration lock. */
export async function ensurePartitionsOn(client: PoolClient, options: EnsurePartitionsOptions = {}): Promise<string[]> {
  const daysAhead = options.daysAhead ?? 7;
  requireWholeDays('daysAhead', daysAhead, 0);
  const today = utcDayStart(options.now ?? new Date());
  const first = utcDayStart(options.from ?? today);
  const last = new Date(today.getTime() + daysAhead * DAY_MS);
  const created: string[] = [];
  for (const table of options.tables ?? TIME_SERIES_TABLES) {
    const timeColumn = timeColumnOf(table);
    await requireNativePartitioning(client, table);
    const { partitions } = await listPartitions(client, table);
    for (let day = first; day <= last; day = new Date(day.getTime() + DAY_MS)) {
      const next = new Date(day.getTime() + DAY_MS);
      if (partitions.some((p) => p.from < next && p.to > day)) continue;
      const name = dailyPartitionName(table, day);
      await createDailyPartition(client, table, timeColumn, name, day, next);
      created.push(name);
    }
  }
  return created;
}

async function createDailyPartition(
  client: PoolClient,
  table: string,
  timeColumn: string,
  name: string,
  from: Date,
  to: Date,
): Promise<void> {
  const bounds = `FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`;
  const fallback = defaultPartitionName(table);
  const stranded = await client.query(
    `SELECT 1 FROM ${fallback} WHERE ${timeColumn} >= $1 AND ${timeColumn} < $2 LIMIT 1`,
    [from, to],
  );
  if (stranded.rowCount === 0) {
    await client.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} ${bounds}`);
    return;
  }
  // PostgreSQL refuses a new partition while the DEFAULT one holds rows of its
  // range: build the partition beside the table, move the rows, then attach.
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await client.query(
      `WITH moved AS (DELETE FROM ${fallback} WHERE ${timeColumn} >= $1 AND ${timeColumn} < $2 RETURNING *)
       INSERT INTO ${name} SELECT * FROM moved`,
      [from, to],
    );
    await client.query(`ALTER TABLE ${table} ATTACH PARTITION ${name} ${bounds}`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

/** Options of {@link applyRetention}. */
export interface RetentionOptions {
  /** Days to keep per time-series table; tables not listed keep everything. */
  readonly retentionDays: Readonly<Partial<Record<TimeSeriesTableName, number>>>;
  /** The current time; the clock when omitted. */
  readonly now?: Date;
}

/** What {@link applyRetention} removed. */
export interface RetentionResult {
  /** Partitions dropped. */
  readonly dropped: readonly string[];
  /** Rows deleted from DEFAULT partitions. */
  readonly defaultRowsDeleted: number;
}

/**
 * Drops the partitions that lie entirely before `now - days` (a partition
 * still holding one row inside the window stays) and deletes rows older than
 * the window from the DEFAULT partition. Native path only: TimescaleDB uses
 * its retention policies instead.
 */
export async function applyRetention(pool: Pool, options: RetentionOptions): Promise<RetentionResult> {
  return withMigrationLock(pool, (client) => applyRetentionOn(client, options));
}

/** {@link applyRetention} on a connection that already holds the migration lock. */
export async function applyRetentionOn(client: PoolClient, options: RetentionOptions): Promise<RetentionResult> {
  const now = (options.now ?? new Date()).getTime();
  const dropped: string[] = [];
  let defaultRowsDeleted = 0;
  for (const table of TIME_SERIES_TABLES) {
    const days = options.retentionDays[table];
    if (days === undefined) continue;
    requireWholeDays(`retentionDays.${table}`, days, 1);
    const cutoff = new Date(now - days * DAY_MS);
    await requireNativePartitioning(client, table);
    const { partitions, hasDefault } = await listPartitions(client, table);
    for (const partition of partitions) {
      if (partition.to > cutoff) continue;
      await client.query(`DROP TABLE ${partition.name}`);
      dropped.push(partition.name);
    }
    if (hasDefault) {
      const deleted = await client.query(
        `DELETE FROM ${defaultPartitionName(table)} WHERE ${timeColumnOf(table)} < $1`,
        [cutoff],
      );
      defaultRowsDeleted += deleted.rowCount ?? 0;
    }
  }
  return { dropped, defaultRowsDeleted };
}

/** What {@link maintainPartitions} changed. */
export interface MaintenanceResult extends RetentionResult {
  /** Partitions created. */
  readonly created: readonly string[];
}

/**
 * The periodic job of the native path, in one locked pass: partitions for the
 * days ahead, then retention. `migrate` runs it at start-up; a long-running
 * owner of the database (the persistence service) runs it, say, hourly.
 */
export async function maintainPartitions(
  pool: Pool,
  options: EnsurePartitionsOptions & { readonly retentionDays?: RetentionOptions['retentionDays'] },
): Promise<MaintenanceResult> {
  return withMigrationLock(pool, async (client) => {
    const created = await ensurePartitionsOn(client, options);
    const retention = await applyRetentionOn(client, { retentionDays: options.retentionDays ?? {}, now: options.now });
    return { created, ...retention };
  });
}

async function requireNativePartitioning(db: Queryable, table: string): Promise<void> {
  const result = await db.query<{ relkind: string }>('SELECT relkind FROM pg_class WHERE oid = $1::text::regclass', [table]);
  if (result.rows[0]?.relkind !== 'p') {
    throw new StorageError(
      `expected ${table} to be partitioned natively, it is not (on TimescaleDB, chunks and retention are the extension's job)`,
    );
  }
}

function timeColumnOf(table: TimeSeriesTableName): string {
  const timeSeries = tableDef(table).timeSeries;
  if (!timeSeries) throw new StorageError(`expected ${table} to be a time-series table, it has no time column`);
  return timeSeries.timeColumn;
}

function requireWholeDays(what: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new StorageError(`expected ${what} to be a whole number of days >= ${min}, was ${value}`);
  }
}
