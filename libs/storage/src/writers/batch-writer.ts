import type { Pool, PoolClient } from 'pg';
import { EncodeError, StorageError, WriterClosedError } from '../errors';
import { silentLogger, type StorageLogger } from '../logger';
import { tableDef, type TableName } from '../schema/tables';
import { decodeCopyRecords } from './binary-copy-decoder';
import { BinaryCopyEncoder, COPY_HEADER, COPY_TRAILER, type CopyColumn, type CopyRow } from './binary-copy-encoder';
import { copyChunks } from './copy-stream';
import { classifyFailure, errorMessage, sqlStateOf } from './pg-errors';
import { RowParker, type ParkedRowsListener } from './row-parking';

declare const rowTable: unique symbol;

/**
 * A row for table `N`: its values in the order of the table's writable
 * columns. Made by the mappers in `row-mappers.ts`; the phantom type keeps a
 * fill row out of the quote writer.
 */
export type TableRow<N extends TableName> = CopyRow & { readonly [rowTable]?: N };

/** Tuning and reporting of a {@link BatchWriter}; every option has a default. */
export interface BatchWriterOptions {
  /** Rows per COPY (default 5000). */
  readonly batchRows?: number;
  /** Encoded bytes per COPY (default 4 MiB); a batch is sent when either limit is reached. */
  readonly batchBytes?: number;
  /** Longest a row waits before its batch is sent anyway (default 500 ms). */
  readonly flushIntervalMs?: number;
  /** Rows held (waiting and in flight) before `write()` makes callers wait (default 4 × batchRows). */
  readonly maxBufferedRows?: number;
  /** Bytes held before `write()` makes callers wait (default 4 × batchBytes). */
  readonly maxBufferedBytes?: number;
  /**
   * Tries per batch on transient failures before its rows are parked (default
   * 8). Connection failures are not counted: parking rows because the database
   * is away would take them out of their table for good, so they are retried
   * until it is back while `write()` holds callers (backpressure).
   */
  readonly maxAttempts?: number;
  /** First retry delay, doubled per attempt (default 100 ms). */
  readonly retryDelayMs?: number;
  /** Cap of the retry delay (default 5 s). */
  readonly maxRetryDelayMs?: number;
  /** JSON-lines file for parked rows when the `ttq_parked_rows` table cannot take them. */
  readonly parkFile?: string;
  /** Told about every parked row. */
  readonly onParked?: ParkedRowsListener;
  readonly logger?: StorageLogger;
}

/** Counters of a writer since it was created. */
export interface WriterStats {
  /** Rows stored. */
  readonly rowsWritten: number;
  /** Rows not stored because an identical key was stored already. */
  readonly duplicatesSkipped: number;
  /** Rows given up on (see `onParked`). */
  readonly rowsParked: number;
  /** COPY commands that succeeded. */
  readonly batches: number;
  /** Retries after transient failures. */
  readonly retries: number;
  /** Of those, retries because the database could not be reached (never given up on). */
  readonly connectionRetries: number;
  /** Batches redone through the staging table after a unique violation. */
  readonly conflictFallbacks: number;
  /** Rows accepted but not yet stored or parked. */
  readonly bufferedRows: number;
  readonly bufferedBytes: number;
}

/**
 * Rows on their way to the table, held only as their encoded bytes: row
 * objects die young instead of living (and being promoted by the garbage
 * collector) until their COPY is done. Rows to park are read back from the bytes.
 */
interface Batch {
  readonly encoder: BinaryCopyEncoder;
  rows: number;
}

interface Waiter {
  readonly row: CopyRow;
  readonly resolve: () => void;
}

/**
 * While a COPY is in flight, every this many accepted writes yield one
 * event-loop turn. A caller that writes from a tight loop (rows taken at once
 * give it nothing to wait for) never lets the connection's replies
 * (CopyInResponse, ReadyForQuery) be read: each COPY would stall until the
 * next batch is sealed. One `setImmediate`
 * per 512 rows costs nanoseconds per row.
 */
export const YIELD_EVERY_ROWS = 512;

/**
 * Stores rows of one table in batches with binary COPY.
 *
 * - **Batching**: rows are encoded as they arrive and sent when a batch is
 *   full (rows or bytes) or `flushIntervalMs` after its first row.
 * - **Backpressure**: at most `maxBufferedRows`/`maxBufferedBytes` are held;
 *   beyond that `write()` returns a promise that resolves only when space
 *   frees up, so a caller that awaits each write never grows memory.
 * - **Idempotency**: COPY goes straight into the table; when a batch hits a
 *   unique key (23505) it is redone through a temporary staging table with
 *   `INSERT … ON CONFLICT DO NOTHING`, so replays and duplicates are skipped.
 * - **Failures**: a database that cannot be reached is waited for as long as
 *   it takes (the batch stays, the buffer fills, `write()` holds callers);
 *   other transient errors are retried with exponential backoff; a batch
 *   the database refuses for its data is split until the bad rows are
 *   isolated; rows that cannot be stored are parked (`ttq_parked_rows`, else
 *   the park file) and reported to `onParked`. Nothing is dropped silently.
 * - **Close**: `close()` stores everything received, including writes still
 *   waiting for space, then refuses further writes.
 *
 * One batch is in flight at a time, so rows reach the table in write order.
 * While it is, `write()` yields an event-loop turn every
 * {@link YIELD_EVERY_ROWS} rows, so its COPY is never held up by a caller
 * that writes from a tight loop.
 *
 * @example
 * const quotes = new BatchWriter(pool, 'quote_ticks', { onParked: (p) => alert(p) });
 * for await (const msg of subscriber) await quotes.write(quoteTickRow(msg.tick, msg.meta));
 * await quotes.close();
 */
export class BatchWriter<N extends TableName> {
  private readonly columns: readonly CopyColumn[];
  private readonly copySql: string;
  private readonly stagingSql: readonly [create: string, copy: string, insert: string];
  private readonly parker: RowParker;
  private readonly logger: StorageLogger;
  private readonly batchRows: number;
  private readonly batchBytes: number;
  private readonly flushIntervalMs: number;
  private readonly maxBufferedRows: number;
  private readonly maxBufferedBytes: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;

  private open: Batch | undefined;
  private readonly sealed: Batch[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly parkings = new Set<Promise<unknown>>();
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  /** The next write() yields to the event loop (set when a batch is sealed). */
  private yieldOnce = false;
  /** Writes accepted since write() last yielded. */
  private sinceYield = 0;
  /** Rows handed to write(), and rows stored or parked: flush() waits for the second to reach the first. */
  private received = 0;
  private settled = 0;
  private counters = { rowsWritten: 0, duplicatesSkipped: 0, rowsParked: 0, batches: 0, retries: 0, connectionRetries: 0, conflictFallbacks: 0 };
  private bufferedRows = 0;
  private bufferedBytes = 0;

  constructor(
    private readonly pool: Pool,
    readonly table: N,
    options: BatchWriterOptions = {},
  ) {
    this.columns = tableDef(table).columns.filter((c) => !c.identity);
    const names = this.columns.map((c) => c.name).join(', ');
    const stage = `ttq_stage_${table}`;
    this.copySql = `COPY ${table} (${names}) FROM STDIN (FORMAT binary)`;
    this.stagingSql = [
      `CREATE TEMP TABLE ${stage} ON COMMIT DROP AS SELECT ${names} FROM ${table} WITH NO DATA`,
      `COPY ${stage} (${names}) FROM STDIN (FORMAT binary)`,
      `INSERT INTO ${table} (${names}) SELECT ${names} FROM ${stage} ON CONFLICT DO NOTHING`,
    ];
    this.logger = options.logger ?? silentLogger;
    this.parker = new RowParker(pool, this.logger, options.parkFile, options.onParked);
    this.batchRows = positive('batchRows', options.batchRows ?? 5000);
    this.batchBytes = positive('batchBytes', options.batchBytes ?? 4 * 1024 * 1024);
    this.flushIntervalMs = positive('flushIntervalMs', options.flushIntervalMs ?? 500);
    this.maxBufferedRows = positive('maxBufferedRows', options.maxBufferedRows ?? 4 * this.batchRows);
    this.maxBufferedBytes = positive('maxBufferedBytes', options.maxBufferedBytes ?? 4 * this.batchBytes);
    this.maxAttempts = positive('maxAttempts', options.maxAttempts ?? 8);
    this.retryDelayMs = positive('retryDelayMs', options.retryDelayMs ?? 100);
    this.maxRetryDelayMs = positive('maxRetryDelayMs', options.maxRetryDelayMs ?? 5000);
    if (this.maxBufferedRows < this.batchRows) {
      throw new StorageError(`expected maxBufferedRows >= batchRows (${this.batchRows}), was ${this.maxBufferedRows}`);
    }
    if (this.maxBufferedBytes < this.batchBytes) {
      throw new StorageError(`expected maxBufferedBytes >= batchBytes (${this.batchBytes}), was ${this.maxBufferedBytes}`);
    }
  }

  /** Counters so far. */
  get stats(): WriterStats {
    return { ...this.counters, bufferedRows: this.bufferedRows, bufferedBytes: this.bufferedBytes };
  }

  /**
   * Accepts a row. Returns `undefined` when the row was taken at once (the
   * common case: no promise is made per row); otherwise a promise that
   * resolves once the row has been taken in (the writer holds its maximum), or
   * after one event-loop turn that lets a COPY in flight progress. Await
   * whatever it returns: that is the backpressure. A row that does not fit its
   * columns is parked, not thrown.
   *
   * @throws WriterClosedError (as a rejection) after `close()`.
   */
  write(row: TableRow<N>): Promise<void> | undefined {
    if (this.closing) return Promise.reject(new WriterClosedError(`writer for ${this.table} is closed`));
    this.received++;
    if (this.waiters.length === 0 && !this.isFull()) {
      this.accept(row);
      if (!this.yieldOnce && (this.draining === undefined || ++this.sinceYield < YIELD_EVERY_ROWS)) return undefined;
      // A batch was just sealed, or one is being sent: give the event loop a turn so
      // the COPY progresses while the caller encodes the next batch, instead of
      // waiting until the caller stops.
      this.yieldOnce = false;
      this.sinceYield = 0;
      return new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Full: when everything held sits in the open batch, send it now rather than at the timer.
    if (this.sealed.length === 0) this.seal();
    return new Promise<void>((resolve) => this.waiters.push({ row, resolve }));
  }

  /** Resolves when every row written before the call is stored or parked. */
  async flush(): Promise<void> {
    const target = this.received;
    while (this.settled < target) {
      if (!this.draining) {
        this.admitWaiters();
        this.seal();
      }
      const draining = this.draining;
      // Rows are either open (sealed just now), sealed (draining) or waiting for room (draining frees it).
      if (!draining) throw new StorageError(`writer for ${this.table}: ${target - this.settled} rows pending but nothing in flight`);
      await draining;
    }
    await Promise.all([...this.parkings]);
  }

  /** Stores everything received, then refuses further writes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.flush().finally(() => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    });
    return this.closing;
  }

  private isFull(): boolean {
    return this.bufferedRows >= this.maxBufferedRows || this.bufferedBytes >= this.maxBufferedBytes;
  }

  private accept(row: CopyRow): void {
    let batch = this.open;
    if (!batch) {
      batch = { encoder: new BinaryCopyEncoder(this.columns, Math.min(this.batchBytes, 256 * 1024)), rows: 0 };
      this.open = batch;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.seal();
      }, this.flushIntervalMs);
      // A pending time flush must not keep a finished process alive: close() is what guarantees storage.
      this.timer.unref();
    }
    const before = batch.encoder.byteLength;
    try {
      batch.encoder.addRow(row);
    } catch (err) {
      if (!(err instanceof EncodeError)) throw err;
      this.settled++;
      this.track(this.parkRows([row], err.message, undefined, 0));
      return;
    }
    batch.rows++;
    this.bufferedRows++;
    this.bufferedBytes += batch.encoder.byteLength - before;
    if (batch.rows >= this.batchRows || batch.encoder.byteLength >= this.batchBytes) this.seal();
  }

  /** Moves the open batch to the send queue and makes sure the queue is being sent. */
  private seal(): void {
    const batch = this.open;
    if (!batch) return;
    this.open = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (batch.rows > 0) {
      this.sealed.push(batch);
      this.yieldOnce = true;
      this.kick();
    }
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.sealed.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.sealed.length > 0) {
      const batch = this.sealed[0] as Batch;
      try {
        await this.writeRange(batch, 0, batch.rows);
      } catch (err) {
        // writeRange parks what it cannot store; reaching here is a bug, and the rows are reported all the same.
        this.logger.error({ table: this.table, error: errorMessage(err) }, 'batch writer failed unexpectedly');
        await this.parkEncoded(batch, 0, batch.rows, `unexpected writer failure: ${errorMessage(err)}`, undefined, 0);
      }
      this.sealed.shift();
      this.bufferedRows -= batch.rows;
      this.bufferedBytes -= batch.encoder.byteLength;
      this.settled += batch.rows;
      this.admitWaiters();
    }
  }

  private admitWaiters(): void {
    while (this.waiters.length > 0 && !this.isFull()) {
      const waiter = this.waiters.shift() as Waiter;
      this.accept(waiter.row);
      waiter.resolve();
    }
  }

  /** Stores rows [from, to) of a batch, or parks the ones that cannot be stored. */
  private async writeRange(batch: Batch, from: number, to: number): Promise<void> {
    const count = to - from;
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        await this.copy(batch, from, to, false);
        this.counters.rowsWritten += count;
        this.counters.batches++;
        return;
      } catch (err) {
        failure = err;
      }
      if (classifyFailure(failure) === 'duplicate') {
        try {
          const inserted = await this.copy(batch, from, to, true);
          this.counters.conflictFallbacks++;
          this.counters.rowsWritten += inserted;
          this.counters.duplicatesSkipped += count - inserted;
          this.counters.batches++;
          return;
        } catch (err) {
          failure = err;
        }
      }
      if (classifyFailure(failure) === 'row') {
        if (count === 1) {
          await this.parkEncoded(batch, from, to, errorMessage(failure), sqlStateOf(failure), attempt);
          return;
        }
        // Split until the refused rows are alone; the good ones are stored on the way.
        const middle = from + Math.floor(count / 2);
        await this.writeRange(batch, from, middle);
        await this.writeRange(batch, middle, to);
        return;
      }
      const connection = classifyFailure(failure) === 'connection';
      if (connection) this.counters.connectionRetries++;
      if (!connection && attempt >= this.maxAttempts) {
        const reason = `gave up after ${attempt} attempts: ${errorMessage(failure)}`;
        await this.parkEncoded(batch, from, to, reason, sqlStateOf(failure), attempt);
        return;
      }
      this.counters.retries++;
      const delay = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** Math.min(attempt - 1, 30));
      this.logger.warn(
        { table: this.table, rows: count, attempt, delayMs: delay, error: errorMessage(failure) },
        'batch write failed, retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /**
   * One COPY of rows [from, to). Direct: straight into the table. Staged: into
   * a temporary table, then inserted skipping rows whose key exists; resolves
   * with the rows inserted.
   */
  private async copy(batch: Batch, from: number, to: number, staged: boolean): Promise<number> {
    const chunks = [COPY_HEADER, batch.encoder.slice(from, to), COPY_TRAILER];
    const client = await this.pool.connect();
    let failure: unknown;
    try {
      if (!staged) return await copyChunks(client, this.copySql, chunks);
      return await this.copyStaged(client, chunks);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      // Errors without SQLSTATE are network or protocol trouble: do not reuse that connection.
      const broken = failure !== undefined && sqlStateOf(failure) === undefined;
      client.release(broken ? toError(failure) : undefined);
    }
  }

  private async copyStaged(client: PoolClient, chunks: readonly Buffer[]): Promise<number> {
    const [create, copy, insert] = this.stagingSql;
    await client.query('BEGIN');
    try {
      await client.query(create);
      await copyChunks(client, copy, chunks);
      const result = await client.query(insert);
      await client.query('COMMIT');
      return result.rowCount ?? 0;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async parkRows(rows: readonly CopyRow[], reason: string, sqlstate: string | undefined, attempts: number): Promise<void> {
    this.counters.rowsParked += rows.length;
    await this.parker.park(this.table, this.columns, rows, reason, sqlstate, attempts);
  }

  /** Parks rows [from, to) of a batch, read back from their encoded bytes. */
  private async parkEncoded(batch: Batch, from: number, to: number, reason: string, sqlstate: string | undefined, attempts: number): Promise<void> {
    let records: Record<string, unknown>[];
    try {
      records = decodeCopyRecords(this.columns, batch.encoder.slice(from, to));
    } catch (err) {
      // Only a bug can get here (the bytes are this writer's own encoding): the rows are still kept, as the COPY data itself.
      this.logger.error({ table: this.table, rows: to - from, error: errorMessage(err) }, 'encoded rows could not be read back for parking');
      records = [{ copyBinaryBase64: batch.encoder.slice(from, to).toString('base64'), rows: to - from, decodeError: errorMessage(err) }];
    }
    this.counters.rowsParked += to - from;
    await this.parker.parkRecords(this.table, records, reason, sqlstate, attempts);
  }

  private track(task: Promise<unknown>): void {
    this.parkings.add(task);
    void task.finally(() => this.parkings.delete(task));
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new StorageError(`expected ${name} > 0, was ${value}`);
  return value;
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
