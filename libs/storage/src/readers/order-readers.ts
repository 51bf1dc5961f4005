import {
  LIQUIDITY_SIDES,
  ORDER_SIDES,
  ORDER_STATUSES,
  ORDER_TYPES,
  TIMES_IN_FORCE,
  type Fill,
  type InstrumentId,
  type OrderEvent,
  type OrderSnapshot,
  type OrderSpec,
  type OrderStatus,
  type UnixNanos,
} from '@ttquant/domain';
import type { Queryable } from '../queryable';
import { bigintOf, decimalOf, enumOf, optionalDecimalOf, safeIntegerOf, stringMapOf } from './row-parsing';
import { limitClause } from './query-range';
import { nanosToTimestampText } from '../pg-time';

/** Filters shared by the order and fill queries; all optional, combined with AND. */
export interface TradingQuery {
  readonly account?: string;
  readonly strategyId?: string;
  /** Only rows of this instrument. */
  readonly instrument?: InstrumentId;
  /** Inclusive lower bound of the row's time (Unix ns). */
  readonly from?: UnixNanos;
  /** Exclusive upper bound of the row's time (Unix ns). */
  readonly to?: UnixNanos;
  readonly limit?: number;
}

/** Which current orders to read; time bounds apply to the latest transition. */
export interface OrderQuery extends TradingQuery {
  /** Only orders in these states (e.g. the open ones). */
  readonly statuses?: readonly OrderStatus[];
  readonly clientOrderId?: string;
}

/** Which order events to read; time bounds apply to the transition time. */
export interface OrderEventQuery extends TradingQuery {
  readonly clientOrderId?: string;
}

/** Which fills to read; time bounds apply to the execution time. */
export interface FillQuery extends TradingQuery {
  readonly clientOrderId?: string;
}

interface OrderColumns {
  account: string;
  client_order_id: string;
  venue: string;
  symbol: string;
  side: string;
  order_type: string;
  quantity: string;
  limit_price: string | null;
  stop_price: string | null;
  time_in_force: string;
  expire_ns: string | null;
  reduce_only: boolean;
  post_only: boolean;
  outside_rth: boolean;
  parent_client_order_id: string | null;
  oco_group: string | null;
  strategy_id: string;
  tags: unknown;
  status: string;
  reason: string;
  filled_quantity: string;
  avg_fill_price: string | null;
  venue_order_id: string | null;
  created_ns: string;
  updated_ns: string;
  event_sequence: string;
}

const ORDER_COLUMNS = `account, client_order_id, venue, symbol, side, order_type, quantity, limit_price, stop_price,
  time_in_force, expire_ns, reduce_only, post_only, outside_rth, parent_client_order_id, oco_group, strategy_id, tags,
  status, reason, filled_quantity, avg_fill_price, venue_order_id, created_ns`;

/** Builds `WHERE …` and its parameters from optional filters. */
class Filters {
  readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  add(sql: (placeholder: string) => string, value: unknown): void {
    if (value === undefined) return;
    this.params.push(value);
    this.conditions.push(sql(`$${this.params.length}`));
  }

  /** Time bounds on a timestamptz column and its exact nanosecond twin. */
  time(column: string, nsColumn: string, from: UnixNanos | undefined, to: UnixNanos | undefined): void {
    if (from !== undefined) {
      this.add((p) => `${column} >= ${p}`, nanosToTimestampText(from));
      this.add((p) => `${nsColumn} >= ${p}`, from.toString());
    }
    if (to !== undefined) {
      this.add((p) => `${column} < ${p}`, nanosToTimestampText(to, true));
      this.add((p) => `${nsColumn} < ${p}`, to.toString());
    }
  }

  get where(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

function tradingFilters(query: TradingQuery, timeColumn: string, nsColumn: string): Filters {
  const filters = new Filters();
  filters.add((p) => `account = ${p}`, query.account);
  filters.add((p) => `strategy_id = ${p}`, query.strategyId);
  filters.add((p) => `venue = ${p}`, query.instrument?.venue);
  filters.add((p) => `symbol = ${p}`, query.instrument?.symbol);
  filters.time(timeColumn, nsColumn, query.from, query.to);
  return filters;
}

/** Current orders (one per order, its latest state), oldest transition first. */
export async function readOrders(db: Queryable, query: OrderQuery = {}): Promise<OrderSnapshot[]> {
  return (await readOrderStates(db, query)).map((state) => state.order);
}

/**
 * Current orders as their latest transition: the order with the reason and
 * event sequence of that transition (why it was rejected or canceled, how far
 * its history goes), oldest transition first.
 */
export async function readOrderStates(db: Queryable, query: OrderQuery = {}): Promise<OrderEvent[]> {
  const filters = tradingFilters(query, 'updated_at', 'updated_ns');
  filters.add((p) => `status = ANY(${p}::text[])`, query.statuses);
  filters.add((p) => `client_order_id = ${p}`, query.clientOrderId);
  const result = await db.query<OrderColumns>(
    `SELECT ${ORDER_COLUMNS}, updated_ns, event_sequence FROM orders ${filters.where}
      ORDER BY updated_at, account, client_order_id${limitClause(query.limit)}`,
    filters.params,
  );
  return result.rows.map(eventOf);
}

/** Order transitions, in time order (and event sequence within an order). */
export async function readOrderEvents(db: Queryable, query: OrderEventQuery = {}): Promise<OrderEvent[]> {
  const filters = tradingFilters(query, 'ts', 'ts_ns');
  filters.add((p) => `client_order_id = ${p}`, query.clientOrderId);
  const result = await db.query<OrderColumns>(
    `SELECT ${ORDER_COLUMNS}, ts_ns AS updated_ns, event_sequence FROM order_events ${filters.where}
      ORDER BY ts, ts_ns, account, client_order_id, event_sequence${limitClause(query.limit)}`,
    filters.params,
  );
  return result.rows.map(eventOf);
}

function eventOf(row: OrderColumns): OrderEvent {
  return { order: snapshotOf(row), reason: row.reason, eventSequence: safeIntegerOf(row.event_sequence, 'event_sequence') };
}

interface FillColumns {
  venue: string;
  exec_id: string;
  ts_ns: string;
  account: string;
  client_order_id: string;
  venue_order_id: string;
  symbol: string;
  side: string;
  quantity: string;
  price: string;
  commission: string;
  commission_currency: string;
  liquidity: string;
  strategy_id: string;
}

/** Fills in execution-time order. */
export async function readFills(db: Queryable, query: FillQuery = {}): Promise<Fill[]> {
  const filters = tradingFilters(query, 'ts', 'ts_ns');
  filters.add((p) => `client_order_id = ${p}`, query.clientOrderId);
  const result = await db.query<FillColumns>(
    `SELECT venue, exec_id, ts_ns, account, client_order_id, venue_order_id, symbol, side, quantity, price,
            commission, commission_currency, liquidity, strategy_id
       FROM fills ${filters.where}
      ORDER BY ts, ts_ns, venue, exec_id${limitClause(query.limit)}`,
    filters.params,
  );
  return result.rows.map((row) => ({
    account: row.account,
    clientOrderId: row.client_order_id,
    venueOrderId: row.venue_order_id,
    execId: row.exec_id,
    instrument: { venue: row.venue, symbol: row.symbol },
    side: enumOf(ORDER_SIDES, row.side, 'side'),
    quantity: decimalOf(row.quantity, 'quantity'),
    price: decimalOf(row.price, 'price'),
    commission: decimalOf(row.commission, 'commission'),
    commissionCurrency: row.commission_currency,
    liquidity: enumOf(LIQUIDITY_SIDES, row.liquidity, 'liquidity'),
    strategyId: row.strategy_id,
    eventTime: bigintOf(row.ts_ns, 'ts_ns'),
  }));
}

function snapshotOf(row: OrderColumns): OrderSnapshot {
  const spec: OrderSpec = {
    clientOrderId: row.client_order_id,
    account: row.account,
    instrument: { venue: row.venue, symbol: row.symbol },
    side: enumOf(ORDER_SIDES, row.side, 'side'),
    type: enumOf(ORDER_TYPES, row.order_type, 'order_type'),
    quantity: decimalOf(row.quantity, 'quantity'),
    timeInForce: enumOf(TIMES_IN_FORCE, row.time_in_force, 'time_in_force'),
    reduceOnly: row.reduce_only,
    postOnly: row.post_only,
    outsideRth: row.outside_rth,
    strategyId: row.strategy_id,
    tags: stringMapOf(row.tags, 'tags'),
    // Absent optional fields stay absent (not undefined-valued) so specs compare equal to the originals.
    ...(row.limit_price !== null && { limitPrice: decimalOf(row.limit_price, 'limit_price') }),
    ...(row.stop_price !== null && { stopPrice: decimalOf(row.stop_price, 'stop_price') }),
    ...(row.expire_ns !== null && { expireTime: bigintOf(row.expire_ns, 'expire_ns') }),
    ...(row.parent_client_order_id !== null && { parentClientOrderId: row.parent_client_order_id }),
    ...(row.oco_group !== null && { ocoGroup: row.oco_group }),
  };
  const avgFillPrice = optionalDecimalOf(row.avg_fill_price, 'avg_fill_price');
  return {
    spec,
    status: enumOf(ORDER_STATUSES, row.status, 'status'),
    filledQuantity: decimalOf(row.filled_quantity, 'filled_quantity'),
    ...(avgFillPrice !== undefined && { avgFillPrice }),
    ...(row.venue_order_id !== null && { venueOrderId: row.venue_order_id }),
    createdTime: bigintOf(row.created_ns, 'created_ns'),
    updatedTime: bigintOf(row.updated_ns, 'updated_ns'),
  };
}
