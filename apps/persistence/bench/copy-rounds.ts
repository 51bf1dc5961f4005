import type { QuoteTick } from '@ttquant/domain';
import { BatchWriter, BinaryCopyEncoder, COPY_HEADER, COPY_TRAILER, quoteTickRow, tableDef, type StreamMeta } from '@ttquant/storage';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { countRows } from './bench-database';
import type { QuoteBatch } from './bench-quotes';

/*
 * The two sides of the writer comparison, on one connection each, into the
 * migrated quote_ticks table:
 *
 *   raw     COPY … FROM STDIN (FORMAT binary) of buffers encoded before the clock
 *           starts, one COPY (and commit) per batch, back to back;
 *   writer  BatchWriter fed from domain quote ticks through quoteTickRow, as
 *           persistence feeds it: map, encode, batch, COPY, until close().
 */

const TABLE = 'quote_ticks';
const COLUMNS = tableDef(TABLE).columns.filter((c) => !c.identity);
const COPY_SQL = `COPY ${TABLE} (${COLUMNS.map((c) => c.name).join(', ')}) FROM STDIN (FORMAT binary)`;

/** What one round stored and how fast. */
export interface CopyRoundResult {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

/**
 * The raw side's input: every batch as one complete binary COPY stream
 * (header, rows, trailer). Built outside the timing; the bytes are the ones
 * the writer sends for the same ticks.
 */
export function prebuildCopyBuffers(quotes: QuoteBatch, batchRows: number): Buffer[] {
  const buffers: Buffer[] = [];
  for (let from = 0; from < quotes.ticks.length; from += batchRows) {
    const to = Math.min(quotes.ticks.length, from + batchRows);
    const encoder = new BinaryCopyEncoder(COLUMNS, 4 * 1024 * 1024);
    for (let i = from; i < to; i++) encoder.addRow(quoteTickRow(quotes.ticks[i] as QuoteTick, quotes.metas[i] as StreamMeta));
    buffers.push(Buffer.concat([COPY_HEADER, encoder.slice(0, encoder.rowCount), COPY_TRAILER]));
  }
  return buffers;
}

function copyBuffer(client: PoolClient, buffer: Buffer): Promise<number> {
  const stream = client.query(copyFrom(COPY_SQL));
  return new Promise<number>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', () => resolve(stream.rowCount));
    stream.end(buffer);
  });
}

/** Empties the table, so every round inserts into the same (empty) indexes. */
export async function truncateQuotes(pool: Pool): Promise<void> {
  await pool.query(`TRUNCATE ${TABLE}`);
}

async function checkStored(pool: Pool, expected: number, what: string): Promise<void> {
  const stored = await countRows(pool, TABLE);
  if (stored !== expected) throw new Error(`${what}: expected ${expected} rows in ${TABLE}, found ${stored}`);
}

/** Raw binary COPY of pre-built buffers on one connection. */
export async function rawCopyRound(pool: Pool, buffers: readonly Buffer[], rows: number): Promise<CopyRoundResult> {
  await truncateQuotes(pool);
  const client = await pool.connect();
  let copied = 0;
  const start = performance.now();
  try {
    for (const buffer of buffers) copied += await copyBuffer(client, buffer);
  } finally {
    client.release();
  }
  const seconds = (performance.now() - start) / 1000;
  if (copied !== rows) throw new Error(`raw COPY: expected the server to report ${rows} rows, it reported ${copied}`);
  await checkStored(pool, rows, 'raw COPY');
  return { rows, seconds, rowsPerSecond: rows / seconds };
}

/** The storage writer from domain ticks, batches of `batchRows`, on the pool's connections (one in flight). */
export async function writerRound(pool: Pool, quotes: QuoteBatch, batchRows: number): Promise<CopyRoundResult> {
  await truncateQuotes(pool);
  // The flush timer must not cut batches short: size alone decides, as at full load.
  const writer = new BatchWriter(pool, TABLE, { batchRows, flushIntervalMs: 60_000 });
  const { ticks, metas } = quotes;
  const rows = ticks.length;
  const start = performance.now();
  for (let i = 0; i < rows; i++) {
    // As persistence does: wait only when the writer hands back something to wait for.
    const pending = writer.write(quoteTickRow(ticks[i] as QuoteTick, metas[i] as StreamMeta));
    if (pending !== undefined) await pending;
  }
  await writer.close();
  const seconds = (performance.now() - start) / 1000;
  const stats = writer.stats;
  if (stats.rowsWritten !== rows || stats.rowsParked !== 0) {
    throw new Error(`writer: expected ${rows} rows written and none parked, was ${stats.rowsWritten} written, ${stats.rowsParked} parked`);
  }
  await checkStored(pool, rows, 'writer');
  return { rows, seconds, rowsPerSecond: rows / seconds };
}

/** In-process rate of the writer's CPU work alone (map + encode), no database: where the writer's time goes. */
export function encodeRate(quotes: QuoteBatch, batchRows: number): number {
  const { ticks, metas } = quotes;
  const run = (): number => {
    const start = performance.now();
    let encoder = new BinaryCopyEncoder(COLUMNS, 256 * 1024);
    for (let i = 0; i < ticks.length; i++) {
      if (encoder.rowCount === batchRows) encoder = new BinaryCopyEncoder(COLUMNS, 256 * 1024);
      encoder.addRow(quoteTickRow(ticks[i] as QuoteTick, metas[i] as StreamMeta));
    }
    return ticks.length / ((performance.now() - start) / 1000);
  };
  run();
  return run();
}
