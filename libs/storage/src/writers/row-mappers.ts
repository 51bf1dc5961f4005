import type {
  AccountState,
  Decimal,
  Alert,
  Bar,
  BookLevel,
  BookSnapshot,
  Fill,
  FundingRate,
  OrderEvent,
  PositionSnapshot,
  QuoteTick,
  TradeTick,
  UnixNanos,
  VenueStatus,
} from '@ttquant/domain';
import type { TableName } from '../schema/tables';
import type { CopyValue } from './binary-copy-encoder';
import type { TableRow } from './batch-writer';

/*
 * Domain objects to rows. Each mapper lists its values in the column order of
 * its table in `schema/tables.ts`; the mapper spec checks every row against
 * the table's columns, and the writer round-trip specs check the values.
 */

/**
 * Where a message sits in its bus stream (from the envelope header): the
 * de-duplication key of market data and snapshots.
 */
export interface StreamMeta {
  /** Publisher instance id. */
  readonly sourceInstance: string;
  /** Publisher epoch: its start time in nanoseconds, new on every restart. */
  readonly epoch: bigint;
  readonly topic: string;
  /** Sequence number within (epoch, topic). */
  readonly sequence: bigint | number;
}

function row<N extends TableName>(values: CopyValue[]): TableRow<N> {
  return values as TableRow<N>;
}

function stream(meta: StreamMeta): CopyValue[] {
  return [meta.sourceInstance, meta.epoch, meta.topic, BigInt(meta.sequence)];
}

const NO_STREAM: readonly CopyValue[] = [null, null, null, null];

function optionalStream(meta: StreamMeta | undefined): readonly CopyValue[] {
  return meta ? stream(meta) : NO_STREAM;
}

/** A quote as a `quote_ticks` row. */
export function quoteTickRow(tick: QuoteTick, meta: StreamMeta): TableRow<'quote_ticks'> {
  return row([
    tick.eventTime,
    tick.eventTime,
    tick.initTime,
    tick.instrument.venue,
    tick.instrument.symbol,
    tick.quality,
    tick.bidPrice,
    tick.bidSize,
    tick.askPrice,
    tick.askSize,
    meta.sourceInstance,
    meta.epoch,
    meta.topic,
    BigInt(meta.sequence),
  ]);
}

/** A trade as a `trade_ticks` row. */
export function tradeTickRow(tick: TradeTick, meta: StreamMeta): TableRow<'trade_ticks'> {
  return row([
    tick.eventTime,
    tick.eventTime,
    tick.initTime,
    tick.instrument.venue,
    tick.instrument.symbol,
    tick.quality,
    tick.price,
    tick.size,
    tick.aggressor,
    tick.tradeId,
    meta.sourceInstance,
    meta.epoch,
    meta.topic,
    BigInt(meta.sequence),
  ]);
}

function levels(side: readonly BookLevel[]): CopyValue {
  return side.map((level) => [level.price.toString(), level.size.toString()]);
}

/** A full book as a `book_snapshots` row; levels become `[[price, size], …]` decimal strings. */
export function bookSnapshotRow(book: BookSnapshot, meta: StreamMeta): TableRow<'book_snapshots'> {
  return row([
    book.eventTime,
    book.eventTime,
    book.initTime,
    book.instrument.venue,
    book.instrument.symbol,
    book.quality,
    levels(book.bids),
    levels(book.asks),
    ...stream(meta),
  ]);
}

/** A bar as a `bars` row, keyed by instrument, interval and start. */
export function barRow(bar: Bar): TableRow<'bars'> {
  return row([
    bar.startTime,
    bar.intervalSeconds,
    bar.instrument.venue,
    bar.instrument.symbol,
    bar.quality,
    bar.open,
    bar.high,
    bar.low,
    bar.close,
    bar.volume,
    BigInt(bar.tradeCount),
    bar.startTime,
    bar.eventTime,
    bar.initTime,
  ]);
}

/** A funding rate as a `funding_rates` row. */
export function fundingRateRow(rate: FundingRate, meta: StreamMeta): TableRow<'funding_rates'> {
  return row([
    rate.eventTime,
    rate.eventTime,
    rate.initTime,
    rate.instrument.venue,
    rate.instrument.symbol,
    rate.quality,
    rate.rate,
    rate.nextFundingTime,
    rate.nextFundingTime,
    ...stream(meta),
  ]);
}

/** The order spec and state columns shared by `orders` and `order_events`, in their column order. */
export function orderValues(event: OrderEvent): { spec: CopyValue[]; state: CopyValue[] } {
  const order = event.order;
  const spec = order.spec;
  return {
    spec: [
      spec.instrument.venue,
      spec.instrument.symbol,
      spec.side,
      spec.type,
      spec.quantity,
      spec.limitPrice ?? null,
      spec.stopPrice ?? null,
      spec.timeInForce,
      spec.expireTime ?? null,
      spec.reduceOnly,
      spec.postOnly,
      spec.outsideRth,
      spec.parentClientOrderId ?? null,
      spec.ocoGroup ?? null,
      spec.strategyId,
      spec.tags,
    ],
    state: [
      order.status,
      event.reason,
      order.filledQuantity,
      order.avgFillPrice ?? null,
      order.venueOrderId ?? null,
      order.createdTime,
    ],
  };
}

/** An order event as an `order_events` row; unique per (account, client order id, event sequence). */
export function orderEventRow(event: OrderEvent, meta?: StreamMeta): TableRow<'order_events'> {
  const { spec, state } = orderValues(event);
  const order = event.order;
  return row([
    order.spec.account,
    order.spec.clientOrderId,
    BigInt(event.eventSequence),
    order.updatedTime,
    order.updatedTime,
    ...spec,
    ...state,
    ...optionalStream(meta),
  ]);
}

/** An order event as an `orders` (current state) row; see `upsertOrders`. */
export function orderRow(event: OrderEvent): TableRow<'orders'> {
  const { spec, state } = orderValues(event);
  const order = event.order;
  return row([
    order.spec.account,
    order.spec.clientOrderId,
    ...spec,
    ...state,
    order.updatedTime,
    order.updatedTime,
    BigInt(event.eventSequence),
  ]);
}

/** What a fill row records of its instrument, so the row alone says what its PnL is in. */
export interface FillInstrument {
  /** Quote currency: PnL is in it. */
  readonly currency: string;
  /** Contract multiplier. */
  readonly multiplier: Decimal;
}

/**
 * A fill as a `fills` row; unique per (venue, exec id). Pass the instrument
 * when known: its currency and multiplier are stored with the fill (readers
 * fall back to the `instruments` table where they are NULL).
 */
export function fillRow(fill: Fill, meta?: StreamMeta, instrument?: FillInstrument): TableRow<'fills'> {
  return row([
    fill.instrument.venue,
    fill.execId,
    fill.eventTime,
    fill.eventTime,
    fill.account,
    fill.clientOrderId,
    fill.venueOrderId,
    fill.instrument.symbol,
    fill.side,
    fill.quantity,
    fill.price,
    fill.commission,
    fill.commissionCurrency,
    fill.liquidity,
    fill.strategyId,
    ...optionalStream(meta),
    instrument?.currency ?? null,
    instrument?.multiplier ?? null,
  ]);
}

/**
 * A position snapshot as a `positions` row. Snapshots carry no time of their
 * own: `at` is the envelope's event time.
 */
export function positionRow(position: PositionSnapshot, at: UnixNanos, meta: StreamMeta): TableRow<'positions'> {
  return row([
    at,
    at,
    position.account,
    position.instrument.venue,
    position.instrument.symbol,
    position.quantity,
    position.avgPrice,
    position.realizedPnl,
    position.unrealizedPnl,
    position.currency,
    ...stream(meta),
  ]);
}

/**
 * An account state as `account_snapshots` rows, one per balance currency;
 * `at` is the envelope's event time. A state without balances gives no rows.
 */
export function accountSnapshotRows(state: AccountState, at: UnixNanos, meta: StreamMeta): TableRow<'account_snapshots'>[] {
  const position = stream(meta);
  return state.balances.map((balance) =>
    row([
      at,
      at,
      state.account,
      state.venue,
      balance.currency,
      balance.cash,
      balance.equity,
      balance.marginUsed,
      balance.buyingPower,
      ...position,
    ]),
  );
}

/** A venue connection change as a `venue_status` row; `at` is the envelope's event time. */
export function venueStatusRow(status: VenueStatus, at: UnixNanos, meta?: StreamMeta): TableRow<'venue_status'> {
  return row([
    at,
    at,
    status.venue,
    status.channel,
    status.account,
    status.state,
    status.detail,
    ...optionalStream(meta),
  ]);
}

/** An alert as an `alerts` row; `at` is the envelope's event time. */
export function alertRow(alert: Alert, at: UnixNanos, meta?: StreamMeta): TableRow<'alerts'> {
  return row([
    at,
    at,
    alert.severity,
    alert.source,
    alert.code,
    alert.message,
    alert.context,
    ...optionalStream(meta),
  ]);
}
