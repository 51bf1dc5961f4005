/**
 * The PostgreSQL types the schema uses. Every one of them has a binary COPY
 * encoding in `writers/binary-copy-encoder.ts`, so any column can be written
 * by a batch writer.
 */
export const COLUMN_TYPES = ['text', 'int4', 'int8', 'numeric', 'timestamptz', 'bool', 'jsonb'] as const;
/** One of {@link COLUMN_TYPES}. */
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** One column of a table. */
export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /** NULL allowed; columns are NOT NULL unless this is set. */
  readonly nullable?: boolean;
  /** SQL default expression, e.g. `now()`. Writers still send every writable column. */
  readonly default?: string;
  /**
   * Filled by the database (`GENERATED ALWAYS AS IDENTITY`): never written,
   * and left out of COPY column lists. Only for `int8` columns.
   */
  readonly identity?: boolean;
  /** Becomes `COMMENT ON COLUMN`, so the meaning travels with the database. */
  readonly doc: string;
  /**
   * Migration version that added the column to an existing table; defaults to
   * the table's `since`. A later version adds it with `ALTER TABLE … ADD COLUMN`.
   */
  readonly since?: number;
}

/** A named set of columns: a unique key or an index. */
export interface KeyDef {
  readonly name: string;
  readonly columns: readonly string[];
  /**
   * Indexes only: migration version that added the index to an existing
   * table; defaults to the table's `since`. A later version creates it with
   * `CREATE INDEX IF NOT EXISTS`. (A unique key cannot be added this way: it
   * would need a data check first, so that takes a hand-written migration.)
   */
  readonly since?: number;
}

/**
 * How a table is stored.
 * - `time-series`: append-mostly rows keyed by a time column. Partitioned by day
 *   on plain PostgreSQL, a hypertable with compression and retention on TimescaleDB.
 * - `table`: an ordinary table (state, ledgers, history that must keep unique
 *   business keys without the time column).
 */
export type TableKind = 'time-series' | 'table';

/** Settings only time-series tables have. */
export interface TimeSeriesDef {
  /** The `timestamptz` column rows are partitioned (or chunked) by. */
  readonly timeColumn: string;
  /** TimescaleDB `compress_segmentby`: columns that split compressed data into separate runs. */
  readonly segmentBy: readonly string[];
}

/** One table as the single source of both DDL paths. */
export interface TableDef {
  readonly name: string;
  readonly kind: TableKind;
  /** Becomes `COMMENT ON TABLE`. */
  readonly doc: string;
  /** Migration version that creates the table; 1 when omitted. */
  readonly since?: number;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey?: readonly string[];
  /**
   * Unique keys. On a time-series table each one must contain the time column:
   * PostgreSQL enforces uniqueness per partition, TimescaleDB per chunk.
   */
  readonly uniqueKeys?: readonly KeyDef[];
  readonly indexes?: readonly KeyDef[];
  /** Required for (and only for) `time-series` tables. */
  readonly timeSeries?: TimeSeriesDef;
}

/**
 * A roll-up of trades into bars that TimescaleDB maintains as a continuous
 * aggregate. Plain PostgreSQL computes the same bars at query time
 * (`readers/bar-readers.ts`), so only the TimescaleDB path creates these.
 */
export interface RollupDef {
  readonly name: string;
  /** Bucket width, as a PostgreSQL interval literal, e.g. `1 minute`. */
  readonly bucket: string;
  /** How far back each policy run re-aggregates (late trades are picked up within it). */
  readonly startOffset: string;
  /** The newest, still-filling buckets the policy leaves alone. */
  readonly endOffset: string;
  readonly scheduleInterval: string;
  readonly since?: number;
}

/** The whole schema: tables plus the trade roll-ups. */
export interface SchemaDef {
  readonly tables: readonly TableDef[];
  readonly rollups: readonly RollupDef[];
}
