import type {
  CancelAllOrdersCommand,
  CancelOrderCommand,
  Fill,
  ModifyOrderCommand,
  OrderEvent,
  OrderSnapshot,
  OrderSpec,
  UnixNanos,
} from '@ttquant/domain';
import { ProtocolError } from '../errors';
import type { wire } from '../wire';
import { liquiditySideCodec, orderSideCodec, orderStatusCodec, orderTypeCodec, timeInForceCodec } from './enums';
import { encodeInstrumentId, readInstrumentId } from './instrument-codec';
import {
  readBool,
  readClientOrderId,
  readDecimal,
  readOmittableString,
  readOptionalClientOrderId,
  readOptionalDecimal,
  readOptionalTime,
  readRequiredString,
  readString,
  readStringMap,
  readTime,
  readUint32,
  writeDecimal,
  writeOptionalDecimal,
  writeOptionalTime,
  writeTime,
  writeUint32,
} from './scalars';

/** Lets a decoder add optional properties one by one before handing the object out as readonly. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// Prices of orders and modifications may be negative (calendar spreads, some
// energy futures); quantities never are.

/**
 * Decodes a SubmitOrder found at `path` (`submitOrder`, or `orderEvent.order.spec`).
 * The order type and time in force decide which optional fields are required.
 */
function readOrderSpec(w: wire.ISubmitOrder | null | undefined, path: string): OrderSpec {
  if (w === null || w === undefined) throw new ProtocolError(path, 'an order spec', 'none');
  const type = orderTypeCodec.decode(w.type, path, 'type');
  const limitPrice = readOptionalDecimal(w.limitPrice, path, 'limitPrice', 'any');
  const stopPrice = readOptionalDecimal(w.stopPrice, path, 'stopPrice', 'any');
  if (limitPrice === undefined && (type === 'LIMIT' || type === 'STOP_LIMIT')) {
    throw new ProtocolError(`${path}.limitPrice`, `a limit price for a ${type} order`, 'none');
  }
  if (stopPrice === undefined && (type === 'STOP' || type === 'STOP_LIMIT')) {
    throw new ProtocolError(`${path}.stopPrice`, `a stop price for a ${type} order`, 'none');
  }
  const timeInForce = timeInForceCodec.decode(w.timeInForce, path, 'timeInForce');
  const expireTime = readOptionalTime(w.expireTimeNs, path, 'expireTimeNs');
  if (expireTime === undefined && timeInForce === 'GTD') {
    throw new ProtocolError(`${path}.expireTimeNs`, 'an expiry time for a GTD order', 'none');
  }
  const spec: Mutable<OrderSpec> = {
    clientOrderId: readClientOrderId(w.clientOrderId, path, 'clientOrderId'),
    account: readRequiredString(w.account, path, 'account'),
    instrument: readInstrumentId(w.instrument, path, 'instrument'),
    side: orderSideCodec.decode(w.side, path, 'side'),
    type,
    quantity: readDecimal(w.quantity, path, 'quantity', 'positive'),
    timeInForce,
    reduceOnly: readBool(w.reduceOnly, path, 'reduceOnly'),
    postOnly: readBool(w.postOnly, path, 'postOnly'),
    outsideRth: readBool(w.outsideRth, path, 'outsideRth'),
    strategyId: readString(w.strategyId, path, 'strategyId'),
    tags: readStringMap(w.tags, path, 'tags'),
  };
  // Optional properties are left out rather than set to undefined, so a decoded spec
  // equals the one a strategy built.
  if (limitPrice !== undefined) spec.limitPrice = limitPrice;
  if (stopPrice !== undefined) spec.stopPrice = stopPrice;
  if (expireTime !== undefined) spec.expireTime = expireTime;
  const parent = readOptionalClientOrderId(w.parentClientOrderId, path, 'parentClientOrderId');
  if (parent !== undefined) spec.parentClientOrderId = parent;
  const oco = readOmittableString(w.ocoGroup, path, 'ocoGroup');
  if (oco !== undefined) spec.ocoGroup = oco;
  return spec;
}

function writeOrderSpec(x: OrderSpec, path: string): wire.ISubmitOrder {
  return {
    clientOrderId: x.clientOrderId,
    account: x.account,
    instrument: encodeInstrumentId(x.instrument),
    side: orderSideCodec.encode(x.side, path, 'side'),
    type: orderTypeCodec.encode(x.type, path, 'type'),
    quantity: writeDecimal(x.quantity, path, 'quantity'),
    limitPrice: writeOptionalDecimal(x.limitPrice, path, 'limitPrice'),
    stopPrice: writeOptionalDecimal(x.stopPrice, path, 'stopPrice'),
    timeInForce: timeInForceCodec.encode(x.timeInForce, path, 'timeInForce'),
    expireTimeNs: writeOptionalTime(x.expireTime, path, 'expireTimeNs'),
    reduceOnly: x.reduceOnly,
    postOnly: x.postOnly,
    outsideRth: x.outsideRth,
    parentClientOrderId: x.parentClientOrderId ?? '',
    ocoGroup: x.ocoGroup ?? '',
    strategyId: x.strategyId,
    tags: x.tags,
  };
}

/** Decodes `submitOrder` into the OrderSpec it carries. */
export function decodeSubmitOrder(w: wire.ISubmitOrder): OrderSpec {
  return readOrderSpec(w, 'submitOrder');
}

/** Encodes an OrderSpec as a SubmitOrder command. */
export function encodeSubmitOrder(x: OrderSpec): wire.ISubmitOrder {
  return writeOrderSpec(x, 'submitOrder');
}

/** Decodes `cancelOrder`. */
export function decodeCancelOrder(w: wire.ICancelOrder): CancelOrderCommand {
  return {
    clientOrderId: readClientOrderId(w.clientOrderId, 'cancelOrder', 'clientOrderId'),
    account: readRequiredString(w.account, 'cancelOrder', 'account'),
  };
}

/** Encodes a CancelOrderCommand. */
export function encodeCancelOrder(x: CancelOrderCommand): wire.ICancelOrder {
  return { clientOrderId: x.clientOrderId, account: x.account };
}

/** Decodes `modifyOrder`: at least one of quantity (> 0), limit price, stop price. */
export function decodeModifyOrder(w: wire.IModifyOrder): ModifyOrderCommand {
  const p = 'modifyOrder';
  const command: Mutable<ModifyOrderCommand> = {
    clientOrderId: readClientOrderId(w.clientOrderId, p, 'clientOrderId'),
    account: readRequiredString(w.account, p, 'account'),
  };
  const quantity = readOptionalDecimal(w.quantity, p, 'quantity', 'positive');
  const limitPrice = readOptionalDecimal(w.limitPrice, p, 'limitPrice', 'any');
  const stopPrice = readOptionalDecimal(w.stopPrice, p, 'stopPrice', 'any');
  if (quantity === undefined && limitPrice === undefined && stopPrice === undefined) {
    throw new ProtocolError(p, 'at least one of quantity, limitPrice, stopPrice', 'none');
  }
  if (quantity !== undefined) command.quantity = quantity;
  if (limitPrice !== undefined) command.limitPrice = limitPrice;
  if (stopPrice !== undefined) command.stopPrice = stopPrice;
  return command;
}

/** Encodes a ModifyOrderCommand; absent fields stay absent. */
export function encodeModifyOrder(x: ModifyOrderCommand): wire.IModifyOrder {
  const p = 'modifyOrder';
  return {
    clientOrderId: x.clientOrderId,
    account: x.account,
    quantity: writeOptionalDecimal(x.quantity, p, 'quantity'),
    limitPrice: writeOptionalDecimal(x.limitPrice, p, 'limitPrice'),
    stopPrice: writeOptionalDecimal(x.stopPrice, p, 'stopPrice'),
  };
}

/** Decodes `cancelAllOrders`; the instrument and strategy filters are optional. */
export function decodeCancelAllOrders(w: wire.ICancelAllOrders): CancelAllOrdersCommand {
  const p = 'cancelAllOrders';
  const command: Mutable<CancelAllOrdersCommand> = {
    account: readRequiredString(w.account, p, 'account'),
  };
  if (w.instrument !== null && w.instrument !== undefined) {
    command.instrument = readInstrumentId(w.instrument, p, 'instrument');
  }
  const strategyId = readOmittableString(w.strategyId, p, 'strategyId');
  if (strategyId !== undefined) command.strategyId = strategyId;
  return command;
}

/** Encodes a CancelAllOrdersCommand. */
export function encodeCancelAllOrders(x: CancelAllOrdersCommand): wire.ICancelAllOrders {
  return {
    account: x.account,
    instrument: x.instrument === undefined ? null : encodeInstrumentId(x.instrument),
    strategyId: x.strategyId ?? '',
  };
}

function readOrder(w: wire.IOrder | null | undefined): OrderSnapshot {
  const p = 'orderEvent.order';
  if (w === null || w === undefined) throw new ProtocolError(p, 'an order', 'none');
  const filledQuantity = readDecimal(w.filledQuantity, p, 'filledQuantity', 'non-negative');
  const avgFillPrice = readOptionalDecimal(w.avgFillPrice, p, 'avgFillPrice', 'positive');
  if (avgFillPrice === undefined && filledQuantity.isPositive()) {
    const expected = `an average fill price once filled (${filledQuantity.toString()})`;
    throw new ProtocolError(`${p}.avgFillPrice`, expected, 'none');
  }
  const order: Mutable<OrderSnapshot> = {
    spec: readOrderSpec(w.spec, 'orderEvent.order.spec'),
    status: orderStatusCodec.decode(w.status, p, 'status'),
    filledQuantity,
    createdTime: readTime(w.createdTimeNs, p, 'createdTimeNs'),
    updatedTime: readTime(w.updatedTimeNs, p, 'updatedTimeNs'),
  };
  if (avgFillPrice !== undefined) order.avgFillPrice = avgFillPrice;
  const venueOrderId = readOmittableString(w.venueOrderId, p, 'venueOrderId');
  if (venueOrderId !== undefined) order.venueOrderId = venueOrderId;
  return order;
}

/** Decodes `orderEvent`: the full order, its reason and its event sequence (>= 1). */
export function decodeOrderEvent(w: wire.IOrderEvent): OrderEvent {
  return {
    order: readOrder(w.order),
    reason: readString(w.reason, 'orderEvent', 'reason'),
    eventSequence: readUint32(w.eventSequence, 'orderEvent', 'eventSequence', 1),
  };
}

/** Encodes an OrderEvent. */
export function encodeOrderEvent(x: OrderEvent): wire.IOrderEvent {
  const p = 'orderEvent.order';
  const o = x.order;
  return {
    order: {
      spec: writeOrderSpec(o.spec, 'orderEvent.order.spec'),
      status: orderStatusCodec.encode(o.status, p, 'status'),
      filledQuantity: writeDecimal(o.filledQuantity, p, 'filledQuantity'),
      avgFillPrice: writeOptionalDecimal(o.avgFillPrice, p, 'avgFillPrice'),
      venueOrderId: o.venueOrderId ?? '',
      createdTimeNs: writeTime(o.createdTime, p, 'createdTimeNs'),
      updatedTimeNs: writeTime(o.updatedTime, p, 'updatedTimeNs'),
    },
    reason: x.reason,
    eventSequence: writeUint32(x.eventSequence, 'orderEvent', 'eventSequence'),
  };
}

/**
 * Decodes `fill`. The wire Fill has no time of its own: `eventTime` is the one
 * of the envelope item that carried it.
 */
export function decodeFill(w: wire.IFill, eventTime: UnixNanos): Fill {
  const p = 'fill';
  return {
    account: readRequiredString(w.account, p, 'account'),
    clientOrderId: readClientOrderId(w.clientOrderId, p, 'clientOrderId'),
    venueOrderId: readString(w.venueOrderId, p, 'venueOrderId'),
    execId: readRequiredString(w.execId, p, 'execId'),
    instrument: readInstrumentId(w.instrument, p, 'instrument'),
    side: orderSideCodec.decode(w.side, p, 'side'),
    quantity: readDecimal(w.quantity, p, 'quantity', 'positive'),
    price: readDecimal(w.price, p, 'price', 'positive'),
    commission: readDecimal(w.commission, p, 'commission', 'any'),
    commissionCurrency: readString(w.commissionCurrency, p, 'commissionCurrency'),
    liquidity: liquiditySideCodec.decode(w.liquidity, p, 'liquidity'),
    strategyId: readString(w.strategyId, p, 'strategyId'),
    eventTime,
  };
}

/** Encodes a Fill; its event time travels in the envelope. */
export function encodeFill(x: Fill): wire.IFill {
  const p = 'fill';
  return {
    account: x.account,
    clientOrderId: x.clientOrderId,
    venueOrderId: x.venueOrderId,
    execId: x.execId,
    instrument: encodeInstrumentId(x.instrument),
    side: orderSideCodec.encode(x.side, p, 'side'),
    quantity: writeDecimal(x.quantity, p, 'quantity'),
    price: writeDecimal(x.price, p, 'price'),
    commission: writeDecimal(x.commission, p, 'commission'),
    commissionCurrency: x.commissionCurrency,
    liquidity: liquiditySideCodec.encode(x.liquidity, p, 'liquidity'),
    strategyId: x.strategyId,
  };
}
