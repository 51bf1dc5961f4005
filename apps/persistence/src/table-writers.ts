import { BatchWriter, type BatchWriterOptions, type WriterStats } from '@ttquant/storage';
import type { Pool } from 'pg';
import { ROUTED_TABLES, type RoutedTable, type TableSinks } from './store-router';

/** Rows held per writer before `write` waits, as a multiple of the batch size. */
const BUFFER_BATCHES = 4;
/**
 * Tries per batch before its rows are parked on transient database errors
 * (locks, resources, schema). A database that cannot be reached at all is
 * waited for without limit by the writers (backpressure towards the bus; the
 * ledger refills what the bus drops by replay), so an outage alone never
 * parks rows. But BatchWriter counts those outage tries in the same attempt
 * number it holds against this bound: once a batch has been tried this often,
 * the first other error (say 53300, too many clients, as every client
 * reconnects after a restart) parks it without a retry. With the delay
 * doubling to 2 s, 34 tries take about a minute, so such an error after an
 * outage of up to a minute is still retried. Sizing this for non-outage
 * errors alone (a handful of tries) waits until outage tries stop counting.
 */
const MAX_ATTEMPTS = 34;
const MAX_RETRY_DELAY_MS = 2_000;

type Writers = { readonly [N in RoutedTable]: BatchWriter<N> };

/** One batch writer per stored table, created, counted and closed together. */
export class TableWriters {
  /** The writers, as the router's sinks. */
  readonly sinks: TableSinks;
  /** Rows a writer holds at most (its buffer size), for the buffer-fill metric. */
  readonly maxBufferedRows: number;
  private readonly writers: Writers;

  constructor(pool: Pool, options: BatchWriterOptions & { readonly batchRows: number }) {
    this.maxBufferedRows = options.batchRows * BUFFER_BATCHES;
    const make = <N extends RoutedTable>(table: N): BatchWriter<N> =>
      new BatchWriter(pool, table, {
        maxAttempts: MAX_ATTEMPTS,
        maxRetryDelayMs: MAX_RETRY_DELAY_MS,
        ...options,
        maxBufferedRows: this.maxBufferedRows,
      });
    this.writers = {
      quote_ticks: make('quote_ticks'),
      trade_ticks: make('trade_ticks'),
      book_snapshots: make('book_snapshots'),
      bars: make('bars'),
      funding_rates: make('funding_rates'),
      order_events: make('order_events'),
      fills: make('fills'),
      positions: make('positions'),
      account_snapshots: make('account_snapshots'),
      venue_status: make('venue_status'),
      alerts: make('alerts'),
    };
    this.sinks = this.writers;
  }

  /** The writer of one table. */
  writer<N extends RoutedTable>(table: N): BatchWriter<N> {
    return this.writers[table] as BatchWriter<N>;
  }

  /** Every writer's counters, by table. */
  stats(): ReadonlyMap<RoutedTable, WriterStats> {
    return new Map(ROUTED_TABLES.map((table) => [table, this.writers[table].stats]));
  }

  /** Rows stored, summed over the tables. */
  get rowsWritten(): number {
    let sum = 0;
    for (const table of ROUTED_TABLES) sum += this.writers[table].stats.rowsWritten;
    return sum;
  }

  /** Rows parked, summed over the tables. */
  get rowsParked(): number {
    let sum = 0;
    for (const table of ROUTED_TABLES) sum += this.writers[table].stats.rowsParked;
    return sum;
  }

  /** Resolves once every row handed to any writer so far is stored or parked. */
  async flushAll(): Promise<void> {
    await Promise.all(ROUTED_TABLES.map((table) => this.writers[table].flush()));
  }

  /** Stores everything received by every writer, then closes them. */
  async closeAll(): Promise<void> {
    await Promise.all(ROUTED_TABLES.map((table) => this.writers[table].close()));
  }
}
