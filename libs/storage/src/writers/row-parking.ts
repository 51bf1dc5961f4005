import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Pool } from 'pg';
import type { StorageLogger } from '../logger';
import type { CopyColumn, CopyRow } from './binary-copy-encoder';
import { errorMessage } from './pg-errors';

/** Where parked rows ended up. */
export type ParkDestination = 'table' | 'file' | 'nowhere';

/** Rows a writer gave up on, as reported to `onParked`. */
export interface ParkedRows {
  readonly table: string;
  /**
   * Each row as column → value (decimals and int8 as strings, times as
   * Unix-nanosecond strings; rows a batch writer sent are read back from the
   * batch, so their timestamptz columns hold what the column stores: microseconds).
   */
  readonly rows: readonly Record<string, unknown>[];
  readonly reason: string;
  /** SQLSTATE when the database refused them. */
  readonly sqlstate: string | undefined;
  /** Times the rows were sent before giving up (0 when they could not even be encoded). */
  readonly attempts: number;
  /**
   * `table`: in `ttq_parked_rows`; `file`: appended to the park file as JSON
   * lines; `nowhere`: both failed, and this report is the only copy left.
   */
  readonly storedIn: ParkDestination;
}

/** Receives every report of parked rows. Must not throw. */
export type ParkedRowsListener = (parked: ParkedRows) => void;

/**
 * Keeps rows a writer could not store: in the `ttq_parked_rows` table, else
 * in a JSON-lines file, and in any case reports them to a listener and the
 * log, so nothing is dropped silently.
 */
export class RowParker {
  constructor(
    private readonly pool: Pool,
    private readonly logger: StorageLogger,
    private readonly parkFile: string | undefined,
    private readonly listener: ParkedRowsListener | undefined,
  ) {}

  /** Parks rows of `table` with a reason. Never throws. */
  async park(
    table: string,
    columns: readonly CopyColumn[],
    rows: readonly CopyRow[],
    reason: string,
    sqlstate: string | undefined,
    attempts: number,
  ): Promise<ParkDestination> {
    return await this.parkRecords(
      table,
      rows.map((row) => rowRecord(columns, row)),
      reason,
      sqlstate,
      attempts,
    );
  }

  /**
   * Parks rows already in their parked form (column → plain JSON value, e.g.
   * read back from encoded COPY data by `decodeCopyRecords`). Never throws.
   */
  async parkRecords(
    table: string,
    records: readonly Record<string, unknown>[],
    reason: string,
    sqlstate: string | undefined,
    attempts: number,
  ): Promise<ParkDestination> {
    return (await this.parkAll(table, records, undefined, reason, sqlstate, attempts)).storedIn;
  }

  /**
   * Parks records each under a stable key (`park_key`, unique per table: a bus
   * message's stream position, say), skipping those parked under their key
   * already, so what is delivered again is kept and reported once; resolves
   * `undefined` when every one of them was. The check is the unique index
   * (`ON CONFLICT DO NOTHING`), not a scan, and holds between concurrent
   * parkers. In the park file (the table unreachable) nothing is skipped:
   * keeping a record twice beats not keeping it. Never throws.
   */
  async parkKeyed(
    table: string,
    keyed: readonly { readonly key: string; readonly record: Record<string, unknown> }[],
    reason: string,
    sqlstate: string | undefined,
    attempts: number,
  ): Promise<ParkDestination | undefined> {
    const records = keyed.map((k) => k.record);
    const parked = await this.parkAll(table, records, keyed.map((k) => k.key), reason, sqlstate, attempts);
    return parked.fresh === 0 ? undefined : parked.storedIn;
  }

  /** Stores records (under their keys, skipping the keys parked already), then reports what was new. */
  private async parkAll(
    table: string,
    all: readonly Record<string, unknown>[],
    keys: readonly string[] | undefined,
    reason: string,
    sqlstate: string | undefined,
    attempts: number,
  ): Promise<{ storedIn: ParkDestination; fresh: number }> {
    const json = all.map((record) => JSON.stringify(record, jsonSafe));
    let records = all;
    let storedIn: ParkDestination = 'nowhere';
    try {
      if (keys === undefined) {
        await this.pool.query(
          `INSERT INTO ttq_parked_rows (table_name, reason, sqlstate, attempts, row_json)
           SELECT $1, $2, $3, $4, unnest($5::text[])`,
          [table, reason, sqlstate ?? null, attempts, json],
        );
      } else {
        const inserted = await this.pool.query<{ park_key: string }>(
          `INSERT INTO ttq_parked_rows (table_name, reason, sqlstate, attempts, row_json, park_key)
           SELECT $1, $2, $3, $4, r.row_json, r.park_key FROM unnest($5::text[], $6::text[]) AS r (row_json, park_key)
           ON CONFLICT (table_name, park_key) DO NOTHING
           RETURNING park_key`,
          [table, reason, sqlstate ?? null, attempts, json, keys],
        );
        // Reported: only what this call stored (a key given twice is stored once).
        const stored = new Set(inserted.rows.map((row) => row.park_key));
        records = all.filter((_, i) => stored.delete(keys[i] as string));
        if (records.length === 0) return { storedIn: 'table', fresh: 0 };
      }
      storedIn = 'table';
    } catch (tableError) {
      this.logger.error({ table, error: errorMessage(tableError) }, 'could not park rows in ttq_parked_rows');
      if (this.parkFile !== undefined) storedIn = await this.appendToFile(table, reason, sqlstate, attempts, json);
    }
    this.logger.error({ table, rows: records.length, reason, sqlstate, attempts, storedIn }, 'rows parked');
    if (this.listener) {
      try {
        this.listener({ table, rows: records, reason, sqlstate, attempts, storedIn });
      } catch (err) {
        this.logger.error({ table, error: errorMessage(err) }, 'onParked listener threw');
      }
    }
    return { storedIn, fresh: records.length };
  }

  private async appendToFile(
    table: string,
    reason: string,
    sqlstate: string | undefined,
    attempts: number,
    json: readonly string[],
  ): Promise<ParkDestination> {
    const file = this.parkFile as string;
    const parkedAt = new Date().toISOString();
    const head = JSON.stringify({ parkedAt, table, reason, sqlstate: sqlstate ?? null, attempts });
    // Each line is the metadata object with the row spliced in as "row".
    const lines = json.map((row) => `${head.slice(0, -1)},"row":${row}}\n`).join('');
    try {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, lines, 'utf8');
      return 'file';
    } catch (err) {
      this.logger.error({ table, file, error: errorMessage(err) }, 'could not park rows in the park file');
      return 'nowhere';
    }
  }
}

function rowRecord(columns: readonly CopyColumn[], row: CopyRow): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    record[column.name] = toPlain(row[i]);
  });
  return record;
}

/** Decimals, bigints and nested JSON into plain JSON-safe values. */
function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object' && 'toJSON' in value && typeof value.toJSON === 'function') {
    return (value as { toJSON(): unknown }).toJSON();
  }
  return value;
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
