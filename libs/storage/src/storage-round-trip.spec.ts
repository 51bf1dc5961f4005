import { readAccountHistory, readAlerts, readLatestPositions, readPositionHistory, readVenueStatusHistory } from './readers/account-readers';
import { readBars } from './readers/bar-readers';
import { readBookSnapshots, readFundingRates, readQuoteTicks, readTradeTicks } from './readers/market-data-readers';
import { readFills, readOrderEvents, readOrders } from './readers/order-readers';
import { SCHEMA } from './schema/tables';
import {
  AAPL,
  accountState,
  alert,
  bar,
  book,
  BTC,
  d,
  DAY0,
  fill,
  funding,
  meta,
  orderEvent,
  orderSpec,
  position,
  quote,
  SECOND,
  trade,
  venueStatus,
} from './testing/fixtures';
import { createMigratedSchema } from './testing/migrated-schema';
import type { TestSchema } from './testing/test-schema';
import { BatchWriter, type TableRow } from './writers/batch-writer';
import { upsertOrders } from './writers/order-upsert';
import {
  accountSnapshotRows,
  alertRow,
  barRow,
  bookSnapshotRow,
  fillRow,
  fundingRateRow,
  orderEventRow,
  orderRow,
  positionRow,
  quoteTickRow,
  tradeTickRow,
  venueStatusRow,
} from './writers/row-mappers';
import type { TableName } from './schema/tables';

const ALL_DAY = { from: DAY0, to: DAY0 + 86_400n * SECOND };

describe('writing domain objects and reading them back', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createMigratedSchema();
  });

  afterAll(async () => {
    await schema.drop();
  });

  /** Writes the rows twice (a replay), returning the writer's stats. */
  async function writeTwice<N extends TableName>(table: N, rows: readonly TableRow<N>[]) {
    const writer = new BatchWriter(schema.pool, table);
    for (const row of rows) await writer.write(row);
    await writer.flush();
    for (const row of rows) await writer.write(row);
    await writer.close();
    return writer.stats;
  }

  it('every mapper fills exactly the writable columns of its table', () => {
    const widths = Object.fromEntries(SCHEMA.tables.map((t) => [t.name, t.columns.filter((c) => !c.identity).length]));
    const event = orderEvent(orderSpec('c1'), 1, 'SUBMITTED');
    expect(quoteTickRow(quote(1), meta(1))).toHaveLength(widths['quote_ticks'] as number);
    expect(tradeTickRow(trade(DAY0, '1', '1'), meta(1))).toHaveLength(widths['trade_ticks'] as number);
    expect(bookSnapshotRow(book(1), meta(1))).toHaveLength(widths['book_snapshots'] as number);
    expect(barRow(bar(DAY0, 60, ['1', '1', '1', '1', '1']))).toHaveLength(widths['bars'] as number);
    expect(fundingRateRow(funding(1), meta(1))).toHaveLength(widths['funding_rates'] as number);
    expect(orderEventRow(event)).toHaveLength(widths['order_events'] as number);
    expect(orderRow(event)).toHaveLength(widths['orders'] as number);
    expect(fillRow(fill('e1', DAY0))).toHaveLength(widths['fills'] as number);
    expect(positionRow(position('1'), DAY0, meta(1))).toHaveLength(widths['positions'] as number);
    expect(accountSnapshotRows(accountState('1'), DAY0, meta(1))[0]).toHaveLength(widths['account_snapshots'] as number);
    expect(venueStatusRow(venueStatus, DAY0)).toHaveLength(widths['venue_status'] as number);
    expect(alertRow(alert, DAY0)).toHaveLength(widths['alerts'] as number);
  });

  it('quote ticks: exact nanoseconds and decimals, stored once per stream position', async () => {
    const ticks = [quote(1), quote(2), quote(3)];
    const stats = await writeTwice('quote_ticks', ticks.map((t, i) => quoteTickRow(t, meta(i + 1))));
    expect(stats).toMatchObject({ rowsWritten: 3, duplicatesSkipped: 3 });
    expect(await readQuoteTicks(schema.pool, { instrument: BTC, ...ALL_DAY })).toEqual(ticks);
    // Bounds are exact to the nanosecond: the range [t2, t3) holds only t2.
    const second = ticks[1]?.eventTime as bigint;
    const third = ticks[2]?.eventTime as bigint;
    expect(await readQuoteTicks(schema.pool, { instrument: BTC, from: second, to: third })).toEqual([ticks[1]]);
    expect(await readQuoteTicks(schema.pool, { instrument: BTC, from: second + 1n, to: third + 1n })).toEqual([ticks[2]]);
    expect(await readQuoteTicks(schema.pool, { instrument: BTC, ...ALL_DAY, limit: 1 })).toEqual([ticks[0]]);
  });

  it('trade ticks', async () => {
    const trades = [trade(DAY0 + 5n, '60000.5', '0.01'), { ...trade(DAY0 + 6n, '60000.4', '2'), aggressor: 'SELLER' as const }];
    const stats = await writeTwice('trade_ticks', trades.map((t, i) => tradeTickRow(t, meta(i + 1))));
    expect(stats).toMatchObject({ rowsWritten: 2, duplicatesSkipped: 2 });
    expect(await readTradeTicks(schema.pool, { instrument: BTC, ...ALL_DAY })).toEqual(trades);
  });

  it('book snapshots', async () => {
    const books = [book(1), book(2)];
    await writeTwice('book_snapshots', books.map((b, i) => bookSnapshotRow(b, meta(i + 1))));
    expect(await readBookSnapshots(schema.pool, { instrument: BTC, ...ALL_DAY })).toEqual(books);
  });

  it('bars, unique per instrument, interval and start', async () => {
    const bars = [bar(DAY0, 60, ['187.10', '187.50', '187.00', '187.25', '1200']), bar(DAY0 + 60n * SECOND, 60, ['187.25', '187.30', '186.90', '187.00', '800'])];
    const stats = await writeTwice('bars', bars.map(barRow));
    expect(stats).toMatchObject({ rowsWritten: 2, duplicatesSkipped: 2 });
    expect(await readBars(schema.pool, { instrument: AAPL, intervalSeconds: 60, ...ALL_DAY })).toEqual(bars);
    expect(await readBars(schema.pool, { instrument: AAPL, intervalSeconds: 300, ...ALL_DAY })).toEqual([]);
  });

  it('funding rates', async () => {
    const rates = [funding(1), funding(2)];
    await writeTwice('funding_rates', rates.map((r, i) => fundingRateRow(r, meta(i + 1))));
    const instrument = rates[0]?.instrument ?? BTC;
    expect(await readFundingRates(schema.pool, { instrument, ...ALL_DAY })).toEqual(rates);
  });

  it('order events, unique per account, client order id and event sequence; orders keep the newest', async () => {
    const spec = orderSpec('mr1r1c1', { stopPrice: d('186.00'), type: 'STOP_LIMIT', ocoGroup: 'g1', expireTime: DAY0 + 99n, timeInForce: 'GTD' });
    // toEqual treats the undefined limit price like an absent one, as the reader returns it.
    const plain = orderSpec('mr1r1c2', { side: 'SELL', type: 'MARKET', limitPrice: undefined, tags: {} });
    const events = [
      orderEvent(spec, 1, 'SUBMITTED'),
      orderEvent(spec, 2, 'ACCEPTED', '0', { venueOrderId: '9001' }),
      orderEvent(spec, 3, 'PARTIALLY_FILLED', '40', { venueOrderId: '9001', avgFillPrice: '187.2500' }),
      orderEvent(plain, 1, 'SUBMITTED'),
      orderEvent(plain, 2, 'REJECTED', '0', { reason: 'insufficient buying power' }),
    ];
    const stats = await writeTwice('order_events', events.map((e, i) => orderEventRow(e, meta(i + 1, 'ex.order.DU123'))));
    expect(stats).toMatchObject({ rowsWritten: 5, duplicatesSkipped: 5 });
    // Time order across orders; the two orders' events share timestamps, then sort by client order id.
    const [s1, s2, s3, p1, p2] = events;
    expect(await readOrderEvents(schema.pool, { account: 'DU123' })).toEqual([s1, p1, s2, p2, s3]);
    expect(await readOrderEvents(schema.pool, { account: 'DU123', clientOrderId: 'mr1r1c2' })).toEqual(events.slice(3));

    // Out of order and repeated: the newest event of each order wins.
    await upsertOrders(schema.pool, [events[2], events[0], events[4]].filter((e) => e !== undefined));
    await upsertOrders(schema.pool, events);
    const orders = await readOrders(schema.pool, { account: 'DU123' });
    expect(orders).toEqual([events[4]?.order, events[2]?.order]);
    expect(await readOrders(schema.pool, { statuses: ['REJECTED'] })).toEqual([events[4]?.order]);
    expect(await readOrders(schema.pool, { strategyId: 'someone-else' })).toEqual([]);
  });

  it('fills, unique per venue and exec id', async () => {
    const fills = [fill('e1', DAY0 + 10n), fill('e2', DAY0 + 20n, '60'), fill('e3', DAY0 + 30n, '1', 'other')];
    const stats = await writeTwice('fills', fills.map((f) => fillRow(f)));
    expect(stats).toMatchObject({ rowsWritten: 3, duplicatesSkipped: 3 });
    expect(await readFills(schema.pool, { account: 'DU123' })).toEqual(fills);
    expect(await readFills(schema.pool, { strategyId: 'mean-revert' })).toEqual(fills.slice(0, 2));
    expect(await readFills(schema.pool, { account: 'DU123', from: DAY0 + 11n, to: DAY0 + 30n })).toEqual([fills[1]]);
  });

  it('positions over time and the latest per instrument', async () => {
    const snapshots = [position('100'), position('60'), { ...position('-5'), instrument: BTC }];
    const times = [DAY0 + SECOND, DAY0 + 2n * SECOND, DAY0 + 3n * SECOND];
    const stats = await writeTwice(
      'positions',
      snapshots.map((p, i) => positionRow(p, times[i] as bigint, meta(i + 1, 'ex.position.DU123'))),
    );
    expect(stats).toMatchObject({ rowsWritten: 3, duplicatesSkipped: 3 });
    const history = await readPositionHistory(schema.pool, { account: 'DU123', ...ALL_DAY });
    expect(history).toEqual(snapshots.map((value, i) => ({ time: times[i], value })));
    expect(await readPositionHistory(schema.pool, { account: 'DU123', instrument: AAPL, ...ALL_DAY })).toEqual(history.slice(0, 2));
    // One per instrument, ordered by venue and symbol.
    expect(await readLatestPositions(schema.pool, 'DU123')).toEqual([history[2], history[1]]);
    expect(await readLatestPositions(schema.pool, 'DU123', DAY0 + 2n * SECOND)).toEqual([history[0]]);
  });

  it('account snapshots, one row per currency, read back as whole states', async () => {
    const states = [accountState('9000.00'), accountState('8127.15')];
    const times = [DAY0 + SECOND, DAY0 + 2n * SECOND];
    const rows = states.flatMap((s, i) => accountSnapshotRows(s, times[i] as bigint, meta(i + 1, 'ex.account.DU123')));
    const stats = await writeTwice('account_snapshots', rows);
    expect(stats).toMatchObject({ rowsWritten: 4, duplicatesSkipped: 4 });
    expect(await readAccountHistory(schema.pool, { account: 'DU123', ...ALL_DAY })).toEqual(
      states.map((value, i) => ({ time: times[i], value })),
    );
  });

  it('venue status and alerts, de-duplicated when they carry a stream position', async () => {
    const statusStats = await writeTwice('venue_status', [venueStatusRow(venueStatus, DAY0 + 7n, meta(1, 'sys.status.gateway.gw1'))]);
    expect(statusStats).toMatchObject({ rowsWritten: 1, duplicatesSkipped: 1 });
    expect(await readVenueStatusHistory(schema.pool, { ...ALL_DAY, venue: 'IB' })).toEqual([{ time: DAY0 + 7n, value: venueStatus }]);

    const alertStats = await writeTwice('alerts', [alertRow(alert, DAY0 + 8n, meta(1, 'sys.alert')), alertRow(alert, DAY0 + 9n)]);
    // The alert without a stream position has no key to match: written again on replay.
    expect(alertStats).toMatchObject({ rowsWritten: 3, duplicatesSkipped: 1 });
    const alerts = await readAlerts(schema.pool, { ...ALL_DAY, severities: ['WARNING'] });
    expect(alerts.map((a) => a.time)).toEqual([DAY0 + 8n, DAY0 + 9n, DAY0 + 9n]);
    expect(alerts[0]?.value).toEqual(alert);
    expect(await readAlerts(schema.pool, { ...ALL_DAY, severities: ['CRITICAL'] })).toEqual([]);
  });
});
