import { StorageError } from '../errors';
import { DAY0, meta, orderEvent, orderSpec, quote, trade } from '../testing/fixtures';
import { createMigratedSchema } from '../testing/migrated-schema';
import type { TestSchema } from '../testing/test-schema';
import { BatchWriter } from '../writers/batch-writer';
import { upsertOrders } from '../writers/order-upsert';
import { orderEventRow, quoteTickRow, tradeTickRow } from '../writers/row-mappers';
import { countRows, countStored, countStoredFills, countStoredOrders, countStoredTicks } from './row-counts';

describe('row counts', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createMigratedSchema();
  });

  afterAll(async () => {
    await schema.drop();
  });

  it('counts ticks (quotes and trades), current orders, order events and fills', async () => {
    expect(await countStored(schema.pool)).toEqual({ ticks: 0, orders: 0, orderEvents: 0, fills: 0 });
    const quotes = new BatchWriter(schema.pool, 'quote_ticks');
    const trades = new BatchWriter(schema.pool, 'trade_ticks');
    for (let i = 1; i <= 3; i++) await quotes.write(quoteTickRow(quote(i), meta(i)));
    await trades.write(tradeTickRow(trade(DAY0, '1', '1'), meta(1)));
    const spec = orderSpec('c1');
    const events = [orderEvent(spec, 1, 'SUBMITTED'), orderEvent(spec, 2, 'ACCEPTED')];
    const orderEvents = new BatchWriter(schema.pool, 'order_events');
    for (const event of events) await orderEvents.write(orderEventRow(event));
    await Promise.all([quotes.close(), trades.close(), orderEvents.close()]);
    await upsertOrders(schema.pool, events);

    expect(await countStoredTicks(schema.pool)).toBe(4);
    expect(await countStoredOrders(schema.pool)).toBe(1);
    expect(await countStoredFills(schema.pool)).toBe(0);
    expect(await countRows(schema.pool, 'order_events')).toBe(2);
    expect(await countStored(schema.pool)).toEqual({ ticks: 4, orders: 1, orderEvents: 2, fills: 0 });
  });

  it('refuses a name that is not a table of the schema', async () => {
    await expect(countRows(schema.pool, 'fills; DROP TABLE fills' as 'fills')).rejects.toThrow(StorageError);
  });
});
