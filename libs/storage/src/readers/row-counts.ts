import { StorageError } from '../errors';
import type { Queryable } from '../queryable';
import { SCHEMA, type TableName } from '../schema/tables';

const TABLES: ReadonlySet<string> = new Set(SCHEMA.tables.map((t) => t.name));

/**
 * Rows in one table of the schema (an exact `count(*)`, so it reads the whole
 * table: for summaries and tests, not for dashboards of large tables).
 *
 * @throws StorageError when `table` is not a table of the schema (the name is
 * placed in the SQL text, so it is checked rather than trusted).
 */
export async function countRows(db: Queryable, table: TableName): Promise<number> {
  if (!TABLES.has(table)) throw new StorageError(`expected a table of the TTQuant schema, was ${JSON.stringify(table)}`);
  const result = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(result.rows[0]?.n ?? 0);
}

/** What a run left in the database, for the launcher's summary. */
export interface StoredCounts {
  /** Quote plus trade rows. */
  readonly ticks: number;
  /** Orders in the current-orders table (one per order). */
  readonly orders: number;
  readonly orderEvents: number;
  readonly fills: number;
}

/** Ticks stored: quote rows plus trade rows. */
export async function countStoredTicks(db: Queryable): Promise<number> {
  return (await countRows(db, 'quote_ticks')) + (await countRows(db, 'trade_ticks'));
}

/** Orders stored: rows in the current-orders table (`orders`), one per order. */
export function countStoredOrders(db: Queryable): Promise<number> {
  return countRows(db, 'orders');
}

/** Fills stored: rows in `fills`, one per execution. */
export function countStoredFills(db: Queryable): Promise<number> {
  return countRows(db, 'fills');
}

/** Every count of {@link StoredCounts}, read one after another. */
export async function countStored(db: Queryable): Promise<StoredCounts> {
  return {
    ticks: await countStoredTicks(db),
    orders: await countStoredOrders(db),
    orderEvents: await countRows(db, 'order_events'),
    fills: await countStoredFills(db),
  };
}
