import { accountState, AAPL, bar, BTC, d, DAY0, fill, meta, orderEvent, orderSpec, quote, SECOND, trade } from '../testing/fixtures';
import { createMigratedSchema } from '../testing/migrated-schema';
import type { TestSchema } from '../testing/test-schema';
import type { TableName } from '../schema/tables';
import { BatchWriter, type TableRow } from '../writers/batch-writer';
import { accountSnapshotRows, barRow, fillRow, quoteTickRow, tradeTickRow } from '../writers/row-mappers';
import { readLatestAccountState } from './account-readers';
import { readBarsAtInterval, storedBarIntervals } from './bars-at-interval';
import { readQuoteTickPage, readTradeTickPage, readTradeTicks, streamTicks } from './market-data-readers';
import { upsertOrders } from '../writers/order-upsert';
import { readFills, readOrderStates } from './order-readers';

const MINUTE = 60n * SECOND;

/*
 * The reading API the backtest engine and the console use, beyond the
 * round trip of each table: bars at any interval from whatever is stored,
 * ticks streamed page by page, filters by instrument, latest account state.
 */
describe('readers for backtests and the console', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createMigratedSchema();
  });

  afterAll(async () => {
    await schema.drop();
  });

  async function writeAll<N extends TableName>(table: N, rows: readonly TableRow<N>[]): Promise<void> {
    const writer = new BatchWriter(schema.pool, table);
    for (const row of rows) await writer.write(row);
    await writer.close();
  }

  describe('readBarsAtInterval', () => {
    beforeAll(async () => {
      const ohlcv = (i: number): [string, string, string, string, string] => [`${100 + i}`, `${102 + i}`, `${99 + i}`, `${101 + i}`, '10'];
      // AAPL: 1-minute bars for 12 minutes, and 3-minute bars over the same span (a backfill at another size).
      const rows = [
        ...Array.from({ length: 12 }, (_, i) => barRow(bar(DAY0 + BigInt(i) * MINUTE, 60, ohlcv(i), 2))),
        ...Array.from({ length: 4 }, (_, i) => barRow(bar(DAY0 + BigInt(3 * i) * MINUTE, 180, ohlcv(3 * i), 6))),
      ];
      await writeAll('bars', rows);
      // BTC: trades only.
      const trades = [trade(DAY0 + 5n * SECOND, '60000.5', '0.1'), trade(DAY0 + 70n * SECOND, '60010', '0.25'), trade(DAY0 + 130n * SECOND, '59990.0', '1')];
      await writeAll('trade_ticks', trades.map((t, i) => tradeTickRow(t, meta(i + 1))));
    });

    const range = { from: DAY0, to: DAY0 + 12n * MINUTE };

    it('lists the stored intervals of an instrument in a range', async () => {
      expect(await storedBarIntervals(schema.pool, { instrument: AAPL, ...range })).toEqual([60, 180]);
      expect(await storedBarIntervals(schema.pool, { instrument: BTC, ...range })).toEqual([]);
    });

    it('reads stored bars of the interval asked for as they are', async () => {
      const { bars, source } = await readBarsAtInterval(schema.pool, { instrument: AAPL, intervalSeconds: 180, ...range });
      expect(source).toEqual({ kind: 'stored' });
      expect(bars.map((b) => [b.startTime, b.open.toString(), b.tradeCount])).toEqual([
        [DAY0, '100', 6],
        [DAY0 + 3n * MINUTE, '103', 6],
        [DAY0 + 6n * MINUTE, '106', 6],
        [DAY0 + 9n * MINUTE, '109', 6],
      ]);
    });

    it('rolls up from the longest stored interval that divides the one asked for', async () => {
      const sixMinutes = await readBarsAtInterval(schema.pool, { instrument: AAPL, intervalSeconds: 360, ...range });
      expect(sixMinutes.source).toEqual({ kind: 'rolled-up', sourceIntervalSeconds: 180 });
      expect(sixMinutes.bars.map((b) => [b.startTime, b.open.toString(), b.high.toString(), b.low.toString(), b.close.toString(), b.volume.toString(), b.tradeCount])).toEqual([
        [DAY0, '100', '105', '99', '104', '20', 12],
        [DAY0 + 6n * MINUTE, '106', '111', '105', '110', '20', 12],
      ]);
      // 2 minutes: 180 does not divide it, 60 does.
      const twoMinutes = await readBarsAtInterval(schema.pool, { instrument: AAPL, intervalSeconds: 120, ...range });
      expect(twoMinutes.source).toEqual({ kind: 'rolled-up', sourceIntervalSeconds: 60 });
      expect(twoMinutes.bars).toHaveLength(6);
      expect(twoMinutes.bars[5]).toMatchObject({ startTime: DAY0 + 10n * MINUTE, intervalSeconds: 120, tradeCount: 4 });
      expect(twoMinutes.bars[5]?.close.toString()).toBe('112');
    });

    it('computes from trades when no stored bars fit, or when asked to', async () => {
      const btc = await readBarsAtInterval(schema.pool, { instrument: BTC, intervalSeconds: 60, ...range });
      expect(btc.source).toEqual({ kind: 'trades' });
      expect(btc.bars.map((b) => [b.startTime, b.open.toString(), b.volume.toString()])).toEqual([
        [DAY0, '60000.5', '0.1'],
        [DAY0 + MINUTE, '60010', '0.25'],
        [DAY0 + 2n * MINUTE, '59990.0', '1'],
      ]);
      // 90 s: neither stored interval divides it; AAPL has no trades, so no bars, and that is an answer.
      expect(await readBarsAtInterval(schema.pool, { instrument: AAPL, intervalSeconds: 90, ...range })).toEqual({ bars: [], source: { kind: 'trades' } });
      expect((await readBarsAtInterval(schema.pool, { instrument: AAPL, intervalSeconds: 60, source: 'trades', ...range })).bars).toEqual([]);
      expect(await readBarsAtInterval(schema.pool, { instrument: BTC, intervalSeconds: 60, source: 'bars', ...range })).toEqual({ bars: [], source: { kind: 'stored' } });
    });

    it('refuses an interval that is not a positive whole number of seconds', async () => {
      await expect(readBarsAtInterval(schema.pool, { instrument: AAPL, intervalSeconds: 0, ...range })).rejects.toThrow(
        'expected intervalSeconds to be a positive whole number of seconds, was 0',
      );
    });
  });

  describe('streamTicks', () => {
    const ETH = { venue: 'BINANCE', symbol: 'ETHUSDT' };
    // 23 trades; groups of three share a nanosecond, published by two market-data instances.
    const trades = Array.from({ length: 23 }, (_, i) => trade(DAY0 + 3_600n * SECOND + BigInt(Math.floor(i / 3)) * 1_001n, `${3000 + i}.5`, '0.01', ETH));

    beforeAll(async () => {
      const writer = new BatchWriter(schema.pool, 'trade_ticks');
      for (const [i, t] of trades.entries()) {
        const m = { ...meta(i + 1, 'md.tick.BINANCE.ETHUSDT'), sourceInstance: i % 2 === 0 ? 'md-1' : 'md-2' };
        await writer.write(tradeTickRow(t, m));
      }
      await writer.close();
    });

    const range = { instrument: ETH, from: DAY0, to: DAY0 + 86_400n * SECOND };

    it('yields every tick once, in read order, whatever the page size', async () => {
      const all = await readTradeTicks(schema.pool, range);
      expect(all).toHaveLength(trades.length);
      for (const pageSize of [1, 2, 3, 4, 22, 23, 24, 10_000]) {
        const streamed = [];
        for await (const t of streamTicks(schema.pool, readTradeTickPage, range, { pageSize })) streamed.push(t);
        expect(streamed).toEqual(all);
      }
    });

    it('hands out a cursor at the end of each page that the next page continues from', async () => {
      const first = await readTradeTickPage(schema.pool, { ...range, limit: 4 });
      // Within a nanosecond: md-1 before md-2, then by sequence.
      expect(first.rows.map((t) => t.price.toString())).toEqual(['3000.5', '3002.5', '3001.5', '3004.5']);
      expect(first.last).toEqual({ time: trades[4]?.eventTime, sourceInstance: 'md-1', epoch: meta(1).epoch, sequence: 5n });
      const rest = await readTradeTickPage(schema.pool, { ...range, ...(first.last && { after: first.last }) });
      expect(rest.rows).toHaveLength(trades.length - 4);
      expect([...first.rows, ...rest.rows]).toEqual(await readTradeTicks(schema.pool, range));
      const empty = await readTradeTickPage(schema.pool, { ...range, ...(rest.last && { after: rest.last }) });
      expect(empty).toEqual({ rows: [] });
    });

    it('pages quotes the same way', async () => {
      const writer = new BatchWriter(schema.pool, 'quote_ticks');
      for (let i = 0; i < 7; i++) await writer.write(quoteTickRow(quote(i), meta(i + 1)));
      await writer.close();
      const streamed = [];
      for await (const q of streamTicks(schema.pool, readQuoteTickPage, { instrument: BTC, from: DAY0, to: DAY0 + SECOND }, { pageSize: 3 })) {
        streamed.push(q.bidPrice.toString());
      }
      expect(streamed).toEqual(Array.from({ length: 7 }, (_, i) => `${60000 + i}.10`));
    });
  });

  it('filters fills by instrument', async () => {
    const fills = [fill('x1', DAY0 + 10n), { ...fill('x2', DAY0 + 20n), instrument: BTC, price: d('60000.1') }, fill('x3', DAY0 + 30n)];
    await writeAll('fills', fills.map((f) => fillRow(f)));
    expect((await readFills(schema.pool, { instrument: BTC })).map((f) => f.execId)).toEqual(['x2']);
    expect((await readFills(schema.pool, { account: 'DU123', instrument: AAPL })).map((f) => f.execId)).toEqual(['x1', 'x3']);
    expect(await readFills(schema.pool, { instrument: { venue: 'IB', symbol: 'MSFT' } })).toEqual([]);
  });

  it('reads current orders with the reason and sequence of their latest transition, by instrument and id', async () => {
    const rejected = orderSpec('c1', { instrument: BTC });
    const open = orderSpec('c2');
    await upsertOrders(schema.pool, [
      orderEvent(rejected, 1, 'SUBMITTED'),
      orderEvent(rejected, 2, 'REJECTED', '0', { reason: 'price outside band' }),
      orderEvent(open, 1, 'SUBMITTED'),
      orderEvent(open, 2, 'ACCEPTED', '0', { venueOrderId: 'v9' }),
    ]);
    const states = await readOrderStates(schema.pool, { account: 'DU123' });
    expect(states.map((s) => [s.order.spec.clientOrderId, s.order.status, s.eventSequence, s.reason])).toEqual([
      ['c1', 'REJECTED', 2, 'price outside band'],
      ['c2', 'ACCEPTED', 2, ''],
    ]);
    expect((await readOrderStates(schema.pool, { instrument: BTC })).map((s) => s.order.spec.clientOrderId)).toEqual(['c1']);
    expect((await readOrderStates(schema.pool, { clientOrderId: 'c2' })).map((s) => s.order.venueOrderId)).toEqual(['v9']);
  });

  it('reads the latest account state, whole, as of a time', async () => {
    expect(await readLatestAccountState(schema.pool, 'DU123')).toBeUndefined();
    const states = [accountState('9000.00'), accountState('8127.15')];
    const times = [DAY0 + SECOND, DAY0 + 2n * SECOND];
    const rows = states.flatMap((s, i) => accountSnapshotRows(s, times[i] as bigint, meta(i + 1, 'ex.account.DU123')));
    await writeAll('account_snapshots', rows);
    expect(await readLatestAccountState(schema.pool, 'DU123')).toEqual({ time: times[1], value: states[1] });
    expect(await readLatestAccountState(schema.pool, 'DU123', DAY0 + 2n * SECOND)).toEqual({ time: times[0], value: states[0] });
    expect(await readLatestAccountState(schema.pool, 'DU123', DAY0 + SECOND)).toBeUndefined();
    expect(await readLatestAccountState(schema.pool, 'nobody')).toBeUndefined();
  });
});
