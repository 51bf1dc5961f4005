import type { CommissionReport, Contract, ContractDetails, Execution, Order, OrderState } from '@stoqey/ib';

/**
 * The IBApi events the adapter listens to, with the arguments the pinned
 * decoder emits (see `dist/core/io/decoder.js`). Typed here once so the
 * clients never handle untyped event arguments.
 */
export interface IbEvents {
  /** Raw fields of every message frame, before decoding. */
  received: [fields: string[]];
  managedAccounts: [accountsList: string];
  nextValidId: [orderId: number];
  currentTime: [time: number];
  error: [error: Error, code: number, reqId: number, advancedOrderReject?: unknown];
  info: [message: string, code: number];
  disconnected: [];
  contractDetails: [reqId: number, details: ContractDetails];
  contractDetailsEnd: [reqId: number];
  tickPrice: [reqId: number, tickType: number, price: number, attribs?: unknown];
  tickSize: [reqId: number, tickType: number | undefined, size: number | undefined];
  marketDataType: [reqId: number, marketDataType: number];
  tickByTickAllLast: [
    reqId: number,
    tickType: number,
    time: string,
    price: number,
    size: number,
    attribs: unknown,
    exchange: string,
    specialConditions: string,
  ];
  tickByTickBidAsk: [reqId: number, time: string, bidPrice: number, askPrice: number, bidSize: number, askSize: number, attribs: unknown];
  updateMktDepth: [reqId: number, position: number, operation: number, side: number, price: number, size: number];
  updateMktDepthL2: [
    reqId: number,
    position: number,
    marketMaker: string,
    operation: number,
    side: number,
    price: number,
    size: number,
    isSmartDepth?: boolean,
  ];
  realtimeBar: [reqId: number, time: number, open: number, high: number, low: number, close: number, volume: number, wap: number, count: number];
  historicalData: [
    reqId: number,
    time: string,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    count: number | undefined,
    wap: number,
  ];
  openOrder: [orderId: number, contract: Contract, order: Order, orderState: OrderState];
  openOrderEnd: [];
  orderStatus: [
    orderId: number,
    status: string,
    filled: number,
    remaining: number,
    avgFillPrice: number,
    permId?: number,
    parentId?: number,
    lastFillPrice?: number,
    clientId?: number,
    whyHeld?: string,
    mktCapPrice?: number,
  ];
  execDetails: [reqId: number, contract: Contract, execution: Execution];
  execDetailsEnd: [reqId: number];
  commissionReport: [report: CommissionReport];
  position: [account: string, contract: Contract, position: number, avgCost?: number];
  positionEnd: [];
  accountSummary: [reqId: number, account: string, tag: string, value: string, currency: string];
  accountSummaryEnd: [reqId: number];
}

/** The name of an event in {@link IbEvents}. */
export type IbEventName = keyof IbEvents;
