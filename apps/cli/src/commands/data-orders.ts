import { ORDER_STATUSES, type OrderEvent, type OrderSnapshot } from '@ttquant/domain';
import { readOrderEvents, readOrderStates } from '@ttquant/storage';
import { booleanFlag, stringFlag, type FlagSpecs, type ParsedArgs } from '../args';
import { UsageError } from '../cli-errors';
import type { Column } from '../output';
import { formatNanos, limitFlag, listFlag, parseInstrument, timeFlag } from './data-args';
import { dataCommand, LIMIT_FLAG, RANGE_FLAGS } from './data-command';

/** A row of `ttq data orders`: an order's latest transition, or with `--events` each transition. */
export interface OrderRow {
  readonly order: OrderSnapshot;
  readonly eventSequence: number;
  readonly reason: string;
}

function priceText(order: OrderSnapshot): string {
  const { limitPrice, stopPrice } = order.spec;
  if (limitPrice && stopPrice) return `${stopPrice.toString()}→${limitPrice.toString()}`;
  return (limitPrice ?? stopPrice)?.toString() ?? '';
}

/** Columns of `ttq data orders`. */
export const STORED_ORDER_COLUMNS: readonly Column<OrderRow>[] = [
  { heading: 'UPDATED', cell: (r) => formatNanos(r.order.updatedTime) },
  { heading: 'ACCOUNT', cell: (r) => r.order.spec.account },
  { heading: 'CLIENT ORDER ID', cell: (r) => r.order.spec.clientOrderId },
  { heading: 'SEQ', cell: (r) => String(r.eventSequence), right: true },
  { heading: 'STRATEGY', cell: (r) => r.order.spec.strategyId },
  { heading: 'SYMBOL', cell: (r) => `${r.order.spec.instrument.venue}:${r.order.spec.instrument.symbol}` },
  { heading: 'SIDE', cell: (r) => r.order.spec.side },
  { heading: 'QTY', cell: (r) => r.order.spec.quantity.toString(), right: true },
  { heading: 'TYPE', cell: (r) => r.order.spec.type },
  { heading: 'PRICE', cell: (r) => priceText(r.order), right: true },
  { heading: 'STATUS', cell: (r) => r.order.status },
  { heading: 'FILLED', cell: (r) => r.order.filledQuantity.toString(), right: true },
  { heading: 'AVG PRICE', cell: (r) => r.order.avgFillPrice?.toString() ?? '', right: true },
  { heading: 'REASON', cell: (r) => r.reason },
];

/** The account/strategy/symbol/time filters the order and fill listings share. */
export const TRADING_FLAGS = {
  account: { type: 'string', value: '<account>', help: 'only this account' },
  strategy: { type: 'string', value: '<strategy>', help: 'only this strategy id' },
  symbol: { type: 'string', value: '<VENUE:SYMBOL>', help: 'only this instrument' },
  'client-order-id': { type: 'string', value: '<id>', help: 'only this order' },
  ...RANGE_FLAGS,
  ...LIMIT_FLAG,
} as const satisfies FlagSpecs;

/** Reads the shared filters; times are unbounded unless given. */
export function tradingFilters(args: ParsedArgs, now: bigint) {
  const symbol = stringFlag(args, 'symbol');
  const account = stringFlag(args, 'account');
  const strategyId = stringFlag(args, 'strategy');
  const clientOrderId = stringFlag(args, 'client-order-id');
  const from = timeFlag(args, 'from', now);
  const to = timeFlag(args, 'to', now);
  const limit = stringFlag(args, 'limit') === undefined ? undefined : limitFlag(args, 1);
  return {
    ...(account !== undefined && { account }),
    ...(strategyId !== undefined && { strategyId }),
    ...(symbol !== undefined && { instrument: parseInstrument(symbol) }),
    ...(clientOrderId !== undefined && { clientOrderId }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
    ...(limit !== undefined && { limit }),
  };
}

/** `ttq data orders`: stored orders (current state) or, with `--events`, every transition. */
export const dataOrdersCommand = dataCommand<OrderRow>({
  name: 'orders',
  summary: 'stored orders by account, strategy, instrument and time; --events lists every transition',
  usage:
    '[--account <account>] [--strategy <id>] [--symbol <VENUE:SYMBOL>] [--client-order-id <id>] [--status <S,…>] [--events] [--from <time>] [--to <time>] [--limit <rows>]',
  flags: {
    ...TRADING_FLAGS,
    status: { type: 'string', value: '<S,…>', help: `only orders now in these states, e.g. FILLED,CANCELED (${ORDER_STATUSES.length} states)` },
    events: { type: 'boolean', help: 'every transition of each order (the audit trail) instead of its current state' },
  },
  prepare(args, now) {
    const filters = tradingFilters(args, now);
    const statuses = listFlag(args, 'status', ORDER_STATUSES);
    const events = booleanFlag(args, 'events');
    if (events && statuses) throw new UsageError('--status filters current orders; with --events, filter by --client-order-id instead');
    if (events) return async (db) => ({ rows: (await readOrderEvents(db, filters)).map(eventRow) });
    return async (db) => ({ rows: (await readOrderStates(db, { ...filters, ...(statuses && { statuses }) })).map(eventRow) });
  },
  columns: STORED_ORDER_COLUMNS,
  empty: 'no orders',
});

function eventRow(event: OrderEvent): OrderRow {
  return { order: event.order, eventSequence: event.eventSequence, reason: event.reason };
}
