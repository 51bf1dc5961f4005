import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpProxy } from '@ttquant/testing';
import { Pool, type PoolClient } from 'pg';
import { StorageError, WriterClosedError } from '../errors';
import type { QuoteTick } from '@ttquant/domain';
import { alert, bar, DAY0, meta, quote } from '../testing/fixtures';
import { createMigratedSchema } from '../testing/migrated-schema';
import { TEST_DATABASE_URL, type TestSchema } from '../testing/test-schema';
import { waitFor } from '../testing/wait-for';
import { BatchWriter, YIELD_EVERY_ROWS, type TableRow } from './batch-writer';
import { alertRow, barRow, quoteTickRow } from './row-mappers';
import type { ParkedRows } from './row-parking';

const SERVER = new URL(TEST_DATABASE_URL);

const quoteRow = (i: number): TableRow<'quote_ticks'> => quoteTickRow(quote(i), meta(i));

describe('BatchWriter', () => {
  let schema: TestSchema;
  const writers: BatchWriter<'quote_ticks' | 'alerts'>[] = [];

  beforeAll(async () => {
    schema = await createMigratedSchema();
  });

  afterEach(async () => {
    await Promise.all(writers.splice(0).map((w) => w.close()));
    await schema.pool.query('TRUNCATE quote_ticks, alerts, ttq_parked_rows');
  });

  afterAll(async () => {
    await schema.drop();
  });

  function quotesWriter(options: ConstructorParameters<typeof BatchWriter>[2] = {}): BatchWriter<'quote_ticks'> {
    const writer = new BatchWriter(schema.pool, 'quote_ticks', { flushIntervalMs: 60_000, ...options });
    writers.push(writer);
    return writer;
  }

  async function count(table: string): Promise<number> {
    return (await schema.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? -1;
  }

  it('sends a batch as soon as it is full and keeps the rest until flushed', async () => {
    const writer = quotesWriter({ batchRows: 10 });
    for (let i = 1; i <= 25; i++) await writer.write(quoteRow(i));
    await waitFor('two full batches stored', () => writer.stats.rowsWritten === 20);
    expect(await count('quote_ticks')).toBe(20);
    expect(writer.stats).toMatchObject({ batches: 2, bufferedRows: 5 });
    await writer.flush();
    expect(await count('quote_ticks')).toBe(25);
    expect(writer.stats).toMatchObject({ rowsWritten: 25, batches: 3, bufferedRows: 0, bufferedBytes: 0 });
  });

  it('sends a partial batch when its time is up', async () => {
    const writer = quotesWriter({ batchRows: 1000, flushIntervalMs: 30 });
    // Rows taken at once hand back nothing to wait for: no promise per row on the hot path.
    for (let i = 1; i <= 3; i++) expect(writer.write(quoteRow(i))).toBeUndefined();
    expect(writer.stats.rowsWritten).toBe(0);
    await waitFor('the timer flush', () => writer.stats.rowsWritten === 3);
    expect(await count('quote_ticks')).toBe(3);
  });

  it('skips rows already stored by redoing the batch through a staging table', async () => {
    const writer = quotesWriter();
    for (let i = 1; i <= 5; i++) await writer.write(quoteRow(i));
    await writer.flush();
    // A replay overlapping what is stored, plus one row twice within the batch.
    for (let i = 3; i <= 8; i++) await writer.write(quoteRow(i));
    await writer.write(quoteRow(8));
    await writer.flush();
    expect(await count('quote_ticks')).toBe(8);
    expect(writer.stats).toMatchObject({ rowsWritten: 8, duplicatesSkipped: 4, conflictFallbacks: 1, rowsParked: 0 });
  });

  it('keeps the first bar stored for a key: a revision from the bus counts as a duplicate (docs/storage.md)', async () => {
    const writer = new BatchWriter(schema.pool, 'bars', { flushIntervalMs: 60_000 });
    try {
      await writer.write(barRow(bar(DAY0, 60, ['100', '101', '99', '100.5', '7'])));
      await writer.flush();
      await writer.write(barRow(bar(DAY0, 60, ['100', '102', '98', '101', '9']))); // revised
      await writer.flush();
      const stored = await schema.pool.query<{ high: string; volume: string }>('SELECT high::text, volume::text FROM bars');
      expect(stored.rows).toEqual([{ high: '101', volume: '7' }]);
      expect(writer.stats).toMatchObject({ rowsWritten: 1, duplicatesSkipped: 1, rowsParked: 0 });
    } finally {
      await writer.close();
      await schema.pool.query('TRUNCATE bars');
    }
  });

  it('parks a row the database refuses, with the reason, and stores the others', async () => {
    const parked: ParkedRows[] = [];
    const writer = quotesWriter({ onParked: (p) => parked.push(p) });
    const bad = quoteTickRow({ ...quote(2), instrument: { venue: 'BINANCE', symbol: 'BTC\u0000USDT' } }, meta(2));
    await writer.write(quoteRow(1));
    await writer.write(bad);
    await writer.write(quoteRow(3));
    await writer.close();

    expect(await count('quote_ticks')).toBe(2);
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ table: 'quote_ticks', sqlstate: '22021', storedIn: 'table', attempts: 1 });
    expect(parked[0]?.reason).toMatch(/invalid byte sequence for encoding "UTF8": 0x00/);
    expect(parked[0]?.rows[0]).toMatchObject({ symbol: 'BTC\u0000USDT', bid_price: '60002.10', seq: '2' });
    // The writer keeps only the encoded batch: the parked row is read back from it, every column intact.
    expect(parked[0]?.rows[0]).toMatchObject({
      ts_ns: quote(2).eventTime.toString(),
      bid_size: '0.12345678',
      ask_price: '60002.20',
      ask_size: '3',
      epoch: meta(2).epoch.toString(),
      topic: meta(2).topic,
    });

    const stored = await schema.pool.query('SELECT table_name, reason, sqlstate, attempts, row_json FROM ttq_parked_rows');
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]).toMatchObject({ table_name: 'quote_ticks', sqlstate: '22021', attempts: 1 });
    expect(JSON.parse(stored.rows[0].row_json)).toMatchObject({ symbol: 'BTC\u0000USDT', ts_ns: quote(2).eventTime.toString() });
    expect(writer.stats).toMatchObject({ rowsWritten: 2, rowsParked: 1 });
  });

  it('parks a row that does not fit its columns without failing the write', async () => {
    const parked: ParkedRows[] = [];
    const writer = quotesWriter({ onParked: (p) => parked.push(p) });
    const row = [...quoteRow(1)];
    row[6] = 60000.1; // a float where a Decimal belongs
    // Parked at once: the write neither throws nor makes the caller wait.
    expect(writer.write(row as TableRow<'quote_ticks'>)).toBeUndefined();
    await writer.write(quoteRow(2));
    await writer.close();
    expect(await count('quote_ticks')).toBe(1);
    expect(parked).toEqual([
      expect.objectContaining({
        reason: 'column bid_price: expected a Decimal (numeric), was 60000.1',
        sqlstate: undefined,
        attempts: 0,
        storedIn: 'table',
      }),
    ]);
  });

  describe('when the database is blocked', () => {
    let locker: PoolClient;

    beforeEach(async () => {
      locker = await schema.pool.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE quote_ticks IN ACCESS EXCLUSIVE MODE');
    });

    afterEach(async () => {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
    });

    async function copyIsWaitingOnLock(): Promise<boolean> {
      const result = await schema.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE query LIKE 'COPY quote_ticks %' AND wait_event_type = 'Lock'`,
      );
      return (result.rowCount ?? 0) > 0;
    }

    it('makes write() wait when the buffer is full and holds no more than its maximum', async () => {
      const writer = quotesWriter({ batchRows: 10, maxBufferedRows: 30 });
      for (let i = 1; i <= 30; i++) await writer.write(quoteRow(i));
      await waitFor('the first COPY to wait on the lock', copyIsWaitingOnLock);

      // A producer that awaits each write, as callers must: it stalls at the limit.
      let produced = 30;
      const producer = (async () => {
        for (let i = 31; i <= 100; i++) {
          await writer.write(quoteRow(i));
          produced = i;
        }
      })();
      await waitFor('the producer to block', () => writer.stats.bufferedRows === 30);
      // Full: a write hands back a promise, resolved only once there is room.
      const blocked = writer.write(quoteRow(101));
      expect(blocked).toBeInstanceOf(Promise);
      // Another round trip to the server: the producer had every chance to run ahead, and did not.
      await schema.pool.query('SELECT 1');
      expect(produced).toBe(30);
      expect(writer.stats.bufferedRows).toBe(30);

      await locker.query('COMMIT');
      await Promise.all([producer, blocked]);
      expect(produced).toBe(100);
      await writer.close();
      expect(await count('quote_ticks')).toBe(101);
    });

    it('stores on close everything received, including writes still waiting for room', async () => {
      const writer = quotesWriter({ batchRows: 5, maxBufferedRows: 5 });
      for (let i = 1; i <= 5; i++) await writer.write(quoteRow(i));
      const waiting = [6, 7, 8].map((i) => writer.write(quoteRow(i)));
      const closed = writer.close();
      await expect(writer.write(quoteRow(9))).rejects.toBeInstanceOf(WriterClosedError);
      await locker.query('COMMIT');
      await Promise.all([closed, ...waiting]);
      expect(await count('quote_ticks')).toBe(8);
    });
  });

  describe('on failures that are not about the data', () => {
    let parkDir: string;

    beforeEach(async () => {
      parkDir = await mkdtemp(join(tmpdir(), 'ttq-park-'));
    });

    afterEach(async () => {
      await schema.pool.query('ALTER TABLE IF EXISTS alerts_away RENAME TO alerts');
      await schema.pool.query('ALTER TABLE IF EXISTS parked_away RENAME TO ttq_parked_rows');
      await rm(parkDir, { recursive: true, force: true });
    });

    function alertsWriter(options: ConstructorParameters<typeof BatchWriter>[2]): BatchWriter<'alerts'> {
      const writer = new BatchWriter(schema.pool, 'alerts', { retryDelayMs: 5, maxRetryDelayMs: 20, ...options });
      writers.push(writer);
      return writer;
    }

    it('retries with backoff until the table is back', async () => {
      const warnings: string[] = [];
      const logger = { info: () => undefined, error: () => undefined, warn: (f: Record<string, unknown>) => warnings.push(String(f['error'])) };
      await schema.pool.query('ALTER TABLE alerts RENAME TO alerts_away');
      const writer = alertsWriter({ maxAttempts: 1000, logger });
      await writer.write(alertRow(alert, DAY0));
      const flushed = writer.flush();
      await waitFor('a retry', () => writer.stats.retries >= 2);
      await schema.pool.query('ALTER TABLE alerts_away RENAME TO alerts');
      await flushed;
      expect(await count('alerts')).toBe(1);
      expect(writer.stats.rowsParked).toBe(0);
      expect(warnings[0]).toBe('relation "alerts" does not exist');
    });

    it('never parks rows while the database cannot be reached, however long past the retry budget, and stores them all once it is back', async () => {
      const proxy = await TcpProxy.start({ host: SERVER.hostname, port: Number(SERVER.port || 5432) });
      const pool = new Pool({
        connectionString: `postgres://${SERVER.username}@127.0.0.1:${proxy.port}${SERVER.pathname}`,
        options: `-c search_path=${schema.name}`,
        max: 1,
      });
      // Idle connections reset by the cut report here; the writer sees its own failures.
      pool.on('error', () => undefined);
      try {
        const parked: ParkedRows[] = [];
        const writer = new BatchWriter(pool, 'quote_ticks', {
          batchRows: 10,
          maxBufferedRows: 20,
          maxAttempts: 2,
          retryDelayMs: 2,
          maxRetryDelayMs: 10,
          flushIntervalMs: 60_000,
          onParked: (p) => parked.push(p),
        });
        proxy.cut();
        for (let i = 1; i <= 20; i++) await writer.write(quoteRow(i));
        // Full: the next write waits for the database instead of growing the buffer.
        const waiting = writer.write(quoteRow(21));
        expect(waiting).toBeInstanceOf(Promise);
        const flushed = writer.flush();
        // Ten times the attempts a batch gets for any other transient failure.
        await waitFor('the outage to outlast the retry budget', () => writer.stats.connectionRetries >= 20);
        expect(writer.stats).toMatchObject({ rowsParked: 0, rowsWritten: 0, bufferedRows: 20 });
        proxy.resume();
        await Promise.all([waiting, flushed]);
        await writer.close();
        expect(parked).toEqual([]);
        expect(writer.stats).toMatchObject({ rowsWritten: 21, rowsParked: 0 });
        expect(await count('quote_ticks')).toBe(21);
        expect(await count('ttq_parked_rows')).toBe(0);
      } finally {
        await pool.end();
        await proxy.close();
      }
    });

    it('parks the batch after its last attempt, in the park file when the park table is gone too', async () => {
      const parked: ParkedRows[] = [];
      const parkFile = join(parkDir, 'nested', 'parked.jsonl');
      await schema.pool.query('ALTER TABLE alerts RENAME TO alerts_away');
      await schema.pool.query('ALTER TABLE ttq_parked_rows RENAME TO parked_away');
      const writer = alertsWriter({ maxAttempts: 3, parkFile, onParked: (p) => parked.push(p) });
      await writer.write(alertRow(alert, DAY0 + 5n));
      await writer.write(alertRow({ ...alert, message: 'second' }, DAY0 + 6n));
      await writer.close();

      expect(parked).toHaveLength(1);
      expect(parked[0]).toMatchObject({
        table: 'alerts',
        reason: 'gave up after 3 attempts: relation "alerts" does not exist',
        sqlstate: '42P01',
        attempts: 3,
        storedIn: 'file',
      });
      const lines = (await readFile(parkFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatchObject({
        table: 'alerts',
        attempts: 3,
        row: { ts_ns: (DAY0 + 6n).toString(), message: 'second', context: alert.context, seq: null },
      });
      expect(writer.stats).toMatchObject({ rowsWritten: 0, rowsParked: 2, retries: 2 });
    });
  });

  it('lets the event loop run while a COPY is in flight, even for a caller writing in a tight loop', async () => {
    const writer = quotesWriter({ batchRows: 1000, maxBufferedRows: 10_000 });
    // The 1000th write seals the first batch: its COPY is now in flight.
    for (let i = 1; i <= 1000; i++) await writer.write(quoteRow(i));
    let turns = 0;
    setImmediate(() => turns++);
    // Fewer rows than a batch: nothing is sealed, so only the in-flight yield can let the turn run.
    for (let i = 1001; i <= 1000 + YIELD_EVERY_ROWS; i++) await writer.write(quoteRow(i));
    expect(turns).toBe(1);
    await writer.flush();
    expect(await count('quote_ticks')).toBe(1000 + YIELD_EVERY_ROWS);
  });

  it('refuses a buffer smaller than a batch', () => {
    expect(() => new BatchWriter(schema.pool, 'quote_ticks', { batchRows: 100, maxBufferedRows: 50 })).toThrow(
      new StorageError('expected maxBufferedRows >= batchRows (100), was 50'),
    );
    expect(() => new BatchWriter(schema.pool, 'quote_ticks', { flushIntervalMs: 0 })).toThrow('expected flushIntervalMs > 0, was 0');
  });

  it('writes quotes fast enough (throughput printed, not asserted)', async () => {
    const ticks = Array.from({ length: 100_000 }, (_, i) => quote(i));
    const writer = quotesWriter({ batchRows: 10_000 });
    const started = process.hrtime.bigint();
    for (let i = 0; i < ticks.length; i++) await writer.write(quoteTickRow(ticks[i] as QuoteTick, meta(i + 1)));
    await writer.close();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(await count('quote_ticks')).toBe(ticks.length);
    console.log(`BatchWriter quote_ticks: ${ticks.length} rows in ${seconds.toFixed(2)} s = ${Math.round(ticks.length / seconds)} rows/s`);
  }, 30_000);
});
