import { reportedContract } from './contract-registry';
import type { WireValue } from './framing';
import { formatTwsTime } from './tws-time';
import type { BrokerExecution, BrokerOrder } from './paper-broker';
import * as out from './server-messages';

type Fields = WireValue[];

/** OPEN_ORDER then ORDER_STATUS for an order's current state, as TWS sends them on every change. */
export function orderStateMessages(order: BrokerOrder, serverVersion: number): Fields[] {
  const p = order.placed;
  const reported: out.ReportedOrder = {
    orderId: p.orderId,
    clientId: p.clientId,
    permId: order.permId,
    action: p.action,
    totalQuantity: p.totalQuantity,
    orderType: p.orderType,
    tif: p.tif,
    ocaGroup: p.ocaGroup,
    account: p.account,
    orderRef: p.orderRef,
    outsideRth: p.outsideRth,
    parentId: p.parentId,
    goodTillDate: p.goodTillDate,
    ocaType: order.ocaType,
    transmit: p.transmit,
    status: order.status,
    filledQuantity: order.filled,
  };
  if (p.lmtPrice !== undefined) reported.lmtPrice = p.lmtPrice;
  if (p.auxPrice !== undefined) reported.auxPrice = p.auxPrice;
  return [
    out.openOrder(serverVersion, reportedContract(order.contract), reported),
    out.orderStatus(p.orderId, order.status, order.filled, p.totalQuantity - order.filled, order.avgFillPrice, order.permId, p.parentId, order.lastFillPrice, p.clientId),
  ];
}

/** EXECUTION_DATA then its COMMISSION_REPORT (same execId); reqId -1 for a live fill. */
export function executionMessages(e: BrokerExecution, reqId: number, serverVersion: number): Fields[] {
  const reported: out.ReportedExecution = {
    orderId: e.orderId,
    execId: e.execId,
    time: formatTwsTime(e.timeMs),
    account: e.account,
    exchange: e.contract.primaryExchange ?? e.contract.exchange,
    side: e.side,
    shares: e.shares,
    price: e.price,
    permId: e.permId,
    clientId: e.clientId,
    cumQty: e.cumQty,
    avgPrice: e.avgPrice,
    orderRef: e.orderRef,
  };
  return [out.executionData(serverVersion, reqId, reportedContract(e.contract), reported), out.commissionReport(e.execId, e.commission, 'USD', e.realizedPnl)];
}
