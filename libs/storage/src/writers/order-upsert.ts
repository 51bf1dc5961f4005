import type { OrderEvent } from '@ttquant/domain';
import type { Queryable } from '../queryable';
import { tableDef } from '../schema/tables';
import { orderRow } from './row-mappers';
import { toQueryParam, valuesPlaceholders } from './query-params';

const ORDERS = tableDef('orders');
const COLUMNS = ORDERS.columns.filter((c) => !c.identity);
const KEY = ['account', 'client_order_id'];
const UPDATES = COLUMNS.filter((c) => !KEY.includes(c.name)).map((c) => `${c.name} = EXCLUDED.${c.name}`);
/** Keeps the parameter count far below PostgreSQL's 65535 per statement. */
const ROWS_PER_STATEMENT = 1000;

/**
 * Keeps the `orders` table (one row per order, its current state) up to date
 * from order events: inserts new orders and updates a stored one only with an
 * event of a higher event_sequence, so late or replayed events never move an
 * order back. Several events of one order in the same call are reduced to the
 * newest first. Resolves with the number of rows inserted or changed.
 *
 * @example
 * await orderEventWriter.write(orderEventRow(event, meta));
 * await upsertOrders(pool, [event]);
 */
export async function upsertOrders(db: Queryable, events: readonly OrderEvent[]): Promise<number> {
  const newest = new Map<string, OrderEvent>();
  for (const event of events) {
    const key = `${event.order.spec.account}\u0000${event.order.spec.clientOrderId}`;
    const held = newest.get(key);
    if (!held || held.eventSequence < event.eventSequence) newest.set(key, event);
  }
  const latest = [...newest.values()];
  let changed = 0;
  for (let i = 0; i < latest.length; i += ROWS_PER_STATEMENT) {
    const chunk = latest.slice(i, i + ROWS_PER_STATEMENT);
    const params: (string | number | boolean | null)[] = [];
    for (const event of chunk) {
      const values = orderRow(event);
      COLUMNS.forEach((column, c) => params.push(toQueryParam(column.type, values[c] ?? null)));
    }
    const result = await db.query(
      `INSERT INTO orders (${COLUMNS.map((c) => c.name).join(', ')})
       VALUES ${valuesPlaceholders(chunk.length, COLUMNS.length)}
       ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET ${UPDATES.join(', ')}
       WHERE orders.event_sequence < EXCLUDED.event_sequence`,
      params,
    );
    changed += result.rowCount ?? 0;
  }
  return changed;
}

/** {@link upsertOrders} for one event. Resolves true when the row was inserted or changed. */
export async function upsertOrder(db: Queryable, event: OrderEvent): Promise<boolean> {
  return (await upsertOrders(db, [event])) > 0;
}
