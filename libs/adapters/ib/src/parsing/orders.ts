import type { Order as IbOrder } from '@stoqey/ib';
import type { OrderSide, OrderSpec, OrderStatus, OrderType, TimeInForce } from '@ttquant/domain';
import { InvalidOrderError } from '@ttquant/gateway-api';
import { formatIbUtc } from './times';

/** TTQuant order types to IB's. */
export const IB_ORDER_TYPES: Readonly<Record<OrderType, string>> = {
  MARKET: 'MKT',
  LIMIT: 'LMT',
  STOP: 'STP',
  STOP_LIMIT: 'STP LMT',
};

/** IB's order types back to TTQuant's; types TTQuant does not model are absent. */
export const TTQ_ORDER_TYPES: Readonly<Record<string, OrderType>> = {
  MKT: 'MARKET',
  LMT: 'LIMIT',
  STP: 'STOP',
  'STP LMT': 'STOP_LIMIT',
};

/** Times in force the adapter sends; FOK is left out (IB takes it for a few products only). */
export const IB_TIMES_IN_FORCE: Readonly<Partial<Record<TimeInForce, string>>> = {
  DAY: 'DAY',
  GTC: 'GTC',
  IOC: 'IOC',
  GTD: 'GTD',
};

/** IB's order action for a side. */
export function ibAction(side: OrderSide): 'BUY' | 'SELL' {
  return side;
}

/** The side of an IB action or execution side (`BUY`/`BOT`, `SELL`/`SLD`). */
export function sideOf(action: string | undefined): OrderSide {
  return action === 'SELL' || action === 'SLD' ? 'SELL' : 'BUY';
}

/** IB `ocaType` 1: cancel the other orders of the group, with block (no overfill). */
export const OCA_CANCEL_WITH_BLOCK = 1;

/** The parts of an IB order the adapter fills from an order spec. */
export interface IbOrderFields {
  readonly parentId?: number;
  readonly transmit?: boolean;
  readonly account: string;
}

/**
 * Builds the IB order of an order spec. The client order id travels as
 * `orderRef`, so every report and execution names it.
 *
 * @example
 * toIbOrder(spec, { account: 'DU123' }); // { action: 'BUY', orderType: 'LMT', lmtPrice: 99.5, orderRef: spec.clientOrderId, ... }
 */
export function toIbOrder(spec: OrderSpec, fields: IbOrderFields): IbOrder {
  const tif = IB_TIMES_IN_FORCE[spec.timeInForce];
  if (tif === undefined) throw new InvalidOrderError(`expected a time in force IB takes (DAY, GTC, IOC, GTD), was ${spec.timeInForce}`);
  const order: IbOrder = {
    action: ibAction(spec.side) as IbOrder['action'],
    totalQuantity: spec.quantity.toNumber(),
    orderType: IB_ORDER_TYPES[spec.type] as IbOrder['orderType'],
    tif: tif as IbOrder['tif'],
    orderRef: spec.clientOrderId,
    account: fields.account,
    outsideRth: spec.outsideRth,
    transmit: fields.transmit ?? true,
  };
  if (spec.limitPrice !== undefined && (spec.type === 'LIMIT' || spec.type === 'STOP_LIMIT')) order.lmtPrice = spec.limitPrice.toNumber();
  if (spec.stopPrice !== undefined && (spec.type === 'STOP' || spec.type === 'STOP_LIMIT')) order.auxPrice = spec.stopPrice.toNumber();
  if (spec.timeInForce === 'GTD') {
    if (spec.expireTime === undefined) throw new InvalidOrderError(`expected expireTime for a GTD order ${spec.clientOrderId}, was missing`);
    order.goodTillDate = formatIbUtc(spec.expireTime);
  }
  if (fields.parentId !== undefined) order.parentId = fields.parentId;
  if (spec.ocoGroup !== undefined) {
    order.ocaGroup = spec.ocoGroup;
    order.ocaType = OCA_CANCEL_WITH_BLOCK;
  }
  return order;
}

/** What IB says about an order's progress, before TTQuant maps it. */
export interface IbOrderProgress {
  /** IB's status text: Submitted, PreSubmitted, Filled, Cancelled, Inactive... */
  readonly status: string;
  readonly filled: number;
  readonly totalQuantity: number;
}

/**
 * IB's order status to TTQuant's. IB has no partially filled status on the
 * wire: a partial fill is `Submitted` with filled > 0. Statuses that mean "not
 * acknowledged yet" map to `undefined` (nothing to report).
 */
export function mapIbOrderStatus(progress: IbOrderProgress): OrderStatus | undefined {
  switch (progress.status) {
    // Inactive: IB accepted the order but does not work it (held, outside trading hours); it may become
    // active. A rejection comes as an error (201), never as this status alone.
    case 'PreSubmitted':
    case 'Submitted':
    case 'Inactive':
      if (progress.filled <= 0) return 'ACCEPTED';
      return progress.filled >= progress.totalQuantity ? 'FILLED' : 'PARTIALLY_FILLED';
    case 'Filled':
      // Filled means all of it, whatever cumulative quantity the message at hand carried (openOrder carries none).
      return 'FILLED';
    case 'Cancelled':
    case 'ApiCancelled':
      return 'CANCELED';
    case 'PendingCancel':
      return 'PENDING_CANCEL';
    default:
      // ApiPending, PendingSubmit, Unknown: IB has not acknowledged it yet.
      return undefined;
  }
}
