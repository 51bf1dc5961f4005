import { createTestSchema, type TestSchema } from '../testing/test-schema';
import { meta, quote, trade } from '../testing/fixtures';
import { BatchWriter } from '../writers/batch-writer';
import { quoteTickRow, tradeTickRow } from '../writers/row-mappers';
import { migrate } from './migrate';
import { applyRetention, dailyPartitionName, ensurePartitions, listPartitions, maintainPartitions, utcDayStart } from './partitions';

const ms = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;

describe('partition maintenance (native path)', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createTestSchema();
    await migrate(schema.pool, { now: new Date('2024-03-01T00:00:00Z'), partitionDaysAhead: 0 });
  });

  afterAll(async () => {
    await schema.drop();
  });

  async function partitionNames(table: string): Promise<string[]> {
    return (await listPartitions(schema.pool, table)).partitions.map((p) => p.name);
  }

  async function count(sql: string): Promise<number> {
    return (await schema.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]?.n ?? -1;
  }

  it('names and bounds partitions by UTC day', () => {
    expect(utcDayStart(new Date('2024-03-05T23:59:59.999Z')).toISOString()).toBe('2024-03-05T00:00:00.000Z');
    expect(dailyPartitionName('quote_ticks', new Date('2024-03-05T00:00:00Z'))).toBe('quote_ticks_p20240305');
  });

  it('creates the missing days ahead, once', async () => {
    const now = new Date('2024-03-01T18:30:00Z');
    const created = await ensurePartitions(schema.pool, { now, daysAhead: 3, tables: ['quote_ticks'] });
    expect(created).toEqual(['quote_ticks_p20240302', 'quote_ticks_p20240303', 'quote_ticks_p20240304']);
    expect(await ensurePartitions(schema.pool, { now, daysAhead: 3, tables: ['quote_ticks'] })).toEqual([]);
    expect(await partitionNames('quote_ticks')).toEqual([
      'quote_ticks_p20240301',
      'quote_ticks_p20240302',
      'quote_ticks_p20240303',
      'quote_ticks_p20240304',
    ]);
  });

  it('moves rows that landed in DEFAULT into the partition created for their day', async () => {
    // 2024-03-10 has no partition yet: these trades go to trade_ticks_default.
    const writer = new BatchWriter(schema.pool, 'trade_ticks');
    const day = ms('2024-03-10T09:00:00Z');
    for (let i = 1; i <= 3; i++) await writer.write(tradeTickRow(trade(day + BigInt(i), '10.5', '1'), meta(i)));
    await writer.close();
    expect(await count('trade_ticks_default')).toBe(3);

    const created = await ensurePartitions(schema.pool, {
      now: new Date('2024-03-10T00:00:00Z'),
      from: new Date('2024-03-09T00:00:00Z'),
      daysAhead: 0,
      tables: ['trade_ticks'],
    });
    expect(created).toEqual(['trade_ticks_p20240309', 'trade_ticks_p20240310']);
    expect(await count('trade_ticks_default')).toBe(0);
    expect(await count('trade_ticks_p20240310')).toBe(3);
    expect(await count('trade_ticks')).toBe(3);
    // The moved partition carries the table's keys: a replay of the same trades is still skipped.
    const replay = new BatchWriter(schema.pool, 'trade_ticks');
    for (let i = 1; i <= 3; i++) await replay.write(tradeTickRow(trade(day + BigInt(i), '10.5', '1'), meta(i)));
    await replay.close();
    expect(replay.stats).toMatchObject({ rowsWritten: 0, duplicatesSkipped: 3 });
    expect(await count('trade_ticks')).toBe(3);
  });

  it('drops only partitions that lie entirely before the retention window', async () => {
    await ensurePartitions(schema.pool, {
      now: new Date('2024-03-01T00:00:00Z'),
      from: new Date('2024-02-25T00:00:00Z'),
      daysAhead: 0,
      tables: ['quote_ticks'],
    });
    // Old quotes in the partitions and one in DEFAULT (a day without partition).
    const writer = new BatchWriter(schema.pool, 'quote_ticks');
    const old = { ...quote(1), eventTime: ms('2024-02-25T10:00:00Z') };
    const orphan = { ...quote(2), eventTime: ms('2024-01-15T10:00:00Z') };
    const recent = { ...quote(3), eventTime: ms('2024-02-28T23:00:00Z') };
    await writer.write(quoteTickRow(old, meta(1)));
    await writer.write(quoteTickRow(orphan, meta(2)));
    await writer.write(quoteTickRow(recent, meta(3)));
    await writer.close();

    // Window of 3 days before 2024-03-02T06:00 starts 2024-02-28T06:00: 02-28's partition overlaps it and stays.
    const result = await applyRetention(schema.pool, {
      now: new Date('2024-03-02T06:00:00Z'),
      retentionDays: { quote_ticks: 3 },
    });
    expect(result.dropped).toEqual(['quote_ticks_p20240225', 'quote_ticks_p20240226', 'quote_ticks_p20240227']);
    expect(result.defaultRowsDeleted).toBe(1);
    expect((await partitionNames('quote_ticks'))[0]).toBe('quote_ticks_p20240228');
    const left = await schema.pool.query<{ ts_ns: string }>('SELECT ts_ns FROM quote_ticks ORDER BY ts');
    expect(left.rows.map((r) => BigInt(r.ts_ns))).toEqual([recent.eventTime]);
    // Tables without a retention setting keep everything.
    expect(await partitionNames('trade_ticks')).toContain('trade_ticks_p20240309');
  });

  it('does both jobs in one pass, and refuses a table that is not partitioned natively', async () => {
    const result = await maintainPartitions(schema.pool, {
      now: new Date('2024-03-20T00:00:00Z'),
      daysAhead: 1,
      tables: ['funding_rates'],
      retentionDays: { funding_rates: 10 },
    });
    expect(result.created).toEqual(['funding_rates_p20240320', 'funding_rates_p20240321']);
    expect(result.dropped).toEqual(['funding_rates_p20240301']);
    await schema.pool.query('CREATE TABLE not_partitioned (ts timestamptz)');
    await schema.pool.query('ALTER TABLE bars RENAME TO bars_away');
    await schema.pool.query('ALTER TABLE not_partitioned RENAME TO bars');
    try {
      await expect(ensurePartitions(schema.pool, { tables: ['bars'] })).rejects.toThrow(
        'expected bars to be partitioned natively, it is not',
      );
    } finally {
      await schema.pool.query('DROP TABLE bars');
      await schema.pool.query('ALTER TABLE bars_away RENAME TO bars');
    }
  });

  it('refuses retention that is not a whole number of days', async () => {
    await expect(applyRetention(schema.pool, { retentionDays: { bars: 0 } })).rejects.toThrow(
      'expected retentionDays.bars to be a whole number of days >= 1, was 0',
    );
  });
});

describe('retention at the edge of the configured window (native path)', () => {
  let schema: TestSchema;
  const at = (iso: string, extraNs = 0n): bigint => ms(iso) + extraNs;
  const NOW = new Date('2024-03-10T00:00:00Z');

  /*
   * quote_ticks has daily partitions 2024-03-01..10; each day holds a quote at its
   * first nanosecond, at noon and at its last nanosecond. DEFAULT holds quotes of
   * days without a partition: long before the window and after the last partition.
   */
  const days = Array.from({ length: 10 }, (_, i) => `2024-03-${String(i + 1).padStart(2, '0')}`);
  const times = [
    ...days.flatMap((day) => [at(`${day}T00:00:00Z`), at(`${day}T12:00:00Z`), at(`${day}T23:59:59.999Z`, 999_999n)]),
    at('2024-02-20T08:00:00Z'),
    at('2024-03-15T08:00:00Z'),
  ];

  async function rows(table: string, where = 'TRUE'): Promise<string[]> {
    const result = await schema.pool.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM ${table} t WHERE ${where} ORDER BY ts_ns, seq`);
    return result.rows.map((row) => row.r);
  }

  beforeAll(async () => {
    schema = await createTestSchema();
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0, partitionsFrom: new Date('2024-03-01T00:00:00Z') });
    const quotes = new BatchWriter(schema.pool, 'quote_ticks');
    const trades = new BatchWriter(schema.pool, 'trade_ticks');
    for (const [i, time] of times.entries()) {
      await quotes.write(quoteTickRow({ ...quote(i), eventTime: time, initTime: time + 1n }, meta(i + 1)));
      await trades.write(tradeTickRow(trade(time, '10.25', '3'), meta(i + 1)));
    }
    await quotes.close();
    await trades.close();
  });

  afterAll(async () => {
    await schema.drop();
  });

  it('keeps the partition starting exactly at the window edge, drops the day before it, leaves kept rows untouched', async () => {
    const cutoffNs = at('2024-03-05T00:00:00Z'); // NOW − 5 days, a partition boundary
    const keptBefore = await rows('quote_ticks', `ts_ns >= ${cutoffNs}`);
    const tradesBefore = await rows('trade_ticks');
    expect(await count('quote_ticks_default')).toBe(2);
    expect(await count(`quote_ticks WHERE ts_ns = ${cutoffNs - 1n}`)).toBe(1);

    // The configured path: migrate at start-up applies retention from its options.
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0, retentionDays: { quote_ticks: 5 } });

    expect(await partitionNames('quote_ticks')).toEqual(days.slice(4).map((day) => `quote_ticks_p${day.replace(/-/g, '')}`));
    // The last nanosecond before the edge is gone with its partition; the first one inside stays.
    expect(await count(`quote_ticks WHERE ts_ns = ${cutoffNs - 1n}`)).toBe(0);
    expect(await count(`quote_ticks WHERE ts_ns = ${cutoffNs}`)).toBe(1);
    // Every row inside the window, in partitions and in DEFAULT (the future day), is byte-for-byte what it was.
    expect(await rows('quote_ticks')).toEqual(keptBefore);
    expect(keptBefore).toHaveLength(6 * 3 + 1);
    // DEFAULT lost only its row older than the window.
    expect(await count('quote_ticks_default')).toBe(1);
    // A table without a retention setting keeps everything.
    expect(await rows('trade_ticks')).toEqual(tradesBefore);
    expect(tradesBefore).toHaveLength(times.length);
  });

  it('keeps a partition while any of it lies inside the window, and drops it once the edge passes its end', async () => {
    const before = await rows('quote_ticks');
    // One microsecond later the edge is inside 03-05: that partition still holds rows of the window.
    const later = await applyRetention(schema.pool, { now: new Date('2024-03-10T00:00:00.001Z'), retentionDays: { quote_ticks: 5 } });
    expect(later).toEqual({ dropped: [], defaultRowsDeleted: 0 });
    expect(await rows('quote_ticks')).toEqual(before);

    // A day later the edge reaches 03-06 00:00: exactly 03-05 goes.
    const nextDay = await applyRetention(schema.pool, { now: new Date('2024-03-11T00:00:00Z'), retentionDays: { quote_ticks: 5 } });
    expect(nextDay).toEqual({ dropped: ['quote_ticks_p20240305'], defaultRowsDeleted: 0 });
    expect(await rows('quote_ticks')).toEqual(before.slice(3));
  });

  async function partitionNames(table: string): Promise<string[]> {
    return (await listPartitions(schema.pool, table)).partitions.map((p) => p.name);
  }

  async function count(sql: string): Promise<number> {
    return (await schema.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]?.n ?? -1;
  }
});
