import type { WireOrderTerms } from './client-messages';
import type { WireValue } from './framing';
import { UNSET_DOUBLE, UNSET_INT } from './field-reader';

/**
 * Server → client layouts, written from the pinned @stoqey/ib 1.6.10 decoder (dist/core/io/decoder.js,
 * `decodeMsg_*` and `OrderDecoder`) for server versions 176..193. Each writer returns the fields of one
 * message; the specs decode every writer's output with the pinned decoder and fail on any leftover or
 * missing field.
 */

/** Server → client message ids. */
export const IN = {
  TICK_PRICE: 1,
  TICK_SIZE: 2,
  ORDER_STATUS: 3,
  ERR_MSG: 4,
  OPEN_ORDER: 5,
  ACCT_VALUE: 6,
  PORTFOLIO_VALUE: 7,
  ACCT_UPDATE_TIME: 8,
  NEXT_VALID_ID: 9,
  CONTRACT_DATA: 10,
  EXECUTION_DATA: 11,
  MARKET_DEPTH: 12,
  MARKET_DEPTH_L2: 13,
  MANAGED_ACCTS: 15,
  HISTORICAL_DATA: 17,
  TICK_GENERIC: 45,
  TICK_STRING: 46,
  CURRENT_TIME: 49,
  REAL_TIME_BARS: 50,
  CONTRACT_DATA_END: 52,
  OPEN_ORDER_END: 53,
  ACCT_DOWNLOAD_END: 54,
  EXECUTION_DATA_END: 55,
  TICK_SNAPSHOT_END: 57,
  MARKET_DATA_TYPE: 58,
  COMMISSION_REPORT: 59,
  POSITION: 61,
  POSITION_END: 62,
  ACCOUNT_SUMMARY: 63,
  ACCOUNT_SUMMARY_END: 64,
  TICK_REQ_PARAMS: 81,
  HISTORICAL_DATA_UPDATE: 90,
  TICK_BY_TICK: 99,
} as const;

/** Contract fields as the server reports them. */
export interface ReportedContract {
  conId: number;
  symbol: string;
  secType: string;
  lastTradeDateOrContractMonth: string;
  multiplier: string;
  exchange: string;
  primaryExchange: string;
  currency: string;
  localSymbol: string;
  tradingClass: string;
}

type Fields = WireValue[];

/**
 * The contract block OPEN_ORDER, EXECUTION_DATA, POSITION and PORTFOLIO_VALUE share: strike and right are always
 * empty because the fake trades no options. PORTFOLIO_VALUE carries the primary exchange where the others carry
 * the exchange.
 */
function contractFields(c: ReportedContract, exchange = c.exchange): Fields {
  return [c.conId, c.symbol, c.secType, c.lastTradeDateOrContractMonth, 0, '', c.multiplier, exchange, c.currency, c.localSymbol, c.tradingClass];
}

/** Doubles go out as plain decimal text; a missing value as Java's Double.MAX_VALUE like TWS does. */
function dbl(value: number | undefined): WireValue {
  return value === undefined || !Number.isFinite(value) ? UNSET_DOUBLE : value;
}

/** NEXT_VALID_ID. */
export function nextValidId(orderId: number): Fields {
  return [IN.NEXT_VALID_ID, 1, orderId];
}

/** MANAGED_ACCTS. */
export function managedAccounts(accounts: readonly string[]): Fields {
  return [IN.MANAGED_ACCTS, 1, accounts.join(',')];
}

/** CURRENT_TIME in epoch seconds. */
export function currentTime(epochSeconds: number): Fields {
  return [IN.CURRENT_TIME, 1, epochSeconds];
}

/** ERR_MSG; id -1 makes the client report it as information, any other id as an error for that request. */
export function errorMessage(id: number, code: number, message: string): Fields {
  return [IN.ERR_MSG, 2, id, code, message, ''];
}

/** TICK_PRICE with its size (version 3: size and attribute mask). */
export function tickPrice(reqId: number, tickType: number, price: number, size: number, attribMask = 0): Fields {
  return [IN.TICK_PRICE, 3, reqId, tickType, price, size, attribMask];
}

/** TICK_SIZE. */
export function tickSize(reqId: number, tickType: number, size: number): Fields {
  return [IN.TICK_SIZE, 6, reqId, tickType, size];
}

/** TICK_GENERIC. */
export function tickGeneric(reqId: number, tickType: number, value: number): Fields {
  return [IN.TICK_GENERIC, 6, reqId, tickType, value];
}

/** TICK_STRING. */
export function tickString(reqId: number, tickType: number, value: string): Fields {
  return [IN.TICK_STRING, 6, reqId, tickType, value];
}

/** MARKET_DATA_TYPE: 1 realtime, 2 frozen, 3 delayed, 4 delayed-frozen. */
export function marketDataType(reqId: number, type: number): Fields {
  return [IN.MARKET_DATA_TYPE, 1, reqId, type];
}

/** TICK_REQ_PARAMS (no version field). */
export function tickReqParams(reqId: number, minTick: number, bboExchange: string, snapshotPermissions: number): Fields {
  return [IN.TICK_REQ_PARAMS, reqId, minTick, bboExchange, snapshotPermissions];
}

/** TICK_SNAPSHOT_END. */
export function tickSnapshotEnd(reqId: number): Fields {
  return [IN.TICK_SNAPSHOT_END, 1, reqId];
}

/** TICK_BY_TICK Last (1) or AllLast (2). */
export function tickByTickLast(reqId: number, type: 1 | 2, epochSeconds: number, price: number, size: number, exchange: string): Fields {
  return [IN.TICK_BY_TICK, reqId, type, epochSeconds, price, size, 0, exchange, ''];
}

/** TICK_BY_TICK BidAsk (3). */
export function tickByTickBidAsk(reqId: number, epochSeconds: number, bid: number, ask: number, bidSize: number, askSize: number): Fields {
  return [IN.TICK_BY_TICK, reqId, 3, epochSeconds, bid, ask, bidSize, askSize, 0];
}

/** TICK_BY_TICK MidPoint (4). */
export function tickByTickMidPoint(reqId: number, epochSeconds: number, midPoint: number): Fields {
  return [IN.TICK_BY_TICK, reqId, 4, epochSeconds, midPoint];
}

/** MARKET_DEPTH: operation 0 insert, 1 update, 2 delete; side 0 ask, 1 bid. */
export function marketDepth(reqId: number, position: number, operation: number, side: number, price: number, size: number): Fields {
  return [IN.MARKET_DEPTH, 1, reqId, position, operation, side, price, size];
}

/** MARKET_DEPTH_L2 (with market maker and the smart-depth flag). */
export function marketDepthL2(
  reqId: number,
  position: number,
  marketMaker: string,
  operation: number,
  side: number,
  price: number,
  size: number,
  smartDepth: boolean,
): Fields {
  return [IN.MARKET_DEPTH_L2, 1, reqId, position, marketMaker, operation, side, price, size, smartDepth];
}

/** One bar as sent by REAL_TIME_BARS and HISTORICAL_DATA. */
export interface WireBar {
  time: string | number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}

/** REAL_TIME_BARS (time in epoch seconds). */
export function realTimeBar(reqId: number, bar: WireBar): Fields {
  return [IN.REAL_TIME_BARS, 3, reqId, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.wap, bar.count];
}

/** HISTORICAL_DATA for server versions below 196 (start and end travel in this message, no hasGaps). */
export function historicalData(reqId: number, start: string, end: string, bars: readonly WireBar[]): Fields {
  const fields: Fields = [IN.HISTORICAL_DATA, reqId, start, end, bars.length];
  for (const bar of bars) fields.push(bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.wap, bar.count);
  return fields;
}

/** HISTORICAL_DATA_UPDATE: the bar in progress of a keepUpToDate request (note the open, close, high, low order). */
export function historicalDataUpdate(reqId: number, barCount: number, bar: WireBar): Fields {
  return [IN.HISTORICAL_DATA_UPDATE, reqId, barCount, bar.time, bar.open, bar.close, bar.high, bar.low, bar.wap, bar.volume];
}

/** Contract details the fake reports for one contract. */
export interface ContractDetailsFields {
  contract: ReportedContract;
  marketName: string;
  minTick: number;
  orderTypes: string;
  validExchanges: string;
  longName: string;
  timeZoneId: string;
  tradingHours: string;
  liquidHours: string;
  stockType: string;
}

/** CONTRACT_DATA (no version field from SIZE_RULES 164). */
export function contractData(v: number, reqId: number, d: ContractDetailsFields): Fields {
  const c = d.contract;
  const fields: Fields = [IN.CONTRACT_DATA, reqId, c.symbol, c.secType, c.lastTradeDateOrContractMonth];
  if (v >= 182) fields.push(c.lastTradeDateOrContractMonth);
  fields.push(0, '', c.exchange, c.currency, c.localSymbol, d.marketName, c.tradingClass, c.conId, d.minTick);
  fields.push(c.multiplier, d.orderTypes, d.validExchanges, 1, 0, d.longName, c.primaryExchange);
  fields.push(c.lastTradeDateOrContractMonth.slice(0, 6), '', '', '', d.timeZoneId, d.tradingHours, d.liquidHours);
  fields.push('', ''); // evRule, evMultiplier
  fields.push(0); // secIdList count
  fields.push(1, '', '', '26', c.lastTradeDateOrContractMonth, d.stockType); // aggGroup, underSymbol, underSecType, marketRuleIds, realExpirationDate, stockType
  fields.push(1, 1, 1); // minSize, sizeIncrement, suggestedSizeIncrement
  if (v >= 186) fields.push(0); // ineligibility reasons
  return fields;
}

/** CONTRACT_DATA_END. */
export function contractDataEnd(reqId: number): Fields {
  return [IN.CONTRACT_DATA_END, 1, reqId];
}

/** The order fields reported by OPEN_ORDER. */
export interface ReportedOrder extends WireOrderTerms {
  clientId: number;
  permId: number;
  ocaType: number;
  status: string;
  filledQuantity: number;
}

/** OPEN_ORDER for a plain order (no combo legs, algo, conditions, scale, hedge or delta-neutral blocks). */
export function openOrder(v: number, c: ReportedContract, o: ReportedOrder): Fields {
  const f: Fields = [IN.OPEN_ORDER, o.orderId];
  f.push(...contractFields(c));
  f.push(o.action, o.totalQuantity, o.orderType, o.lmtPrice ?? '', o.auxPrice ?? '', o.tif, o.ocaGroup, o.account, '', 0, o.orderRef);
  f.push(o.clientId, o.permId, o.outsideRth, 0, 0, '', ''); // clientId, permId, outsideRth, hidden, discretionaryAmt, goodAfterTime, sharesAllocation
  f.push('', '', ''); // faGroup, faMethod, faPercentage
  if (v < 177) f.push(''); // faProfile
  f.push('', o.goodTillDate, '', '', ''); // modelCode, goodTillDate, rule80A, percentOffset, settlingFirm
  f.push(0, '', -1); // shortSaleSlot, designatedLocation, exemptCode
  f.push(0, '', '', '', '', ''); // auctionStrategy, startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper
  f.push(UNSET_INT, false, false, false, '', o.ocaType, false, false, ''); // displaySize .. nbboPriceCap
  f.push(o.parentId, 0); // parentId, triggerMethod
  f.push('', 0, '', '', 0, 0); // volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice, continuousUpdate, referencePriceType
  f.push('', ''); // trailStopPrice, trailingPercent
  f.push('', ''); // basisPoints, basisPointsType
  f.push('', 0, 0); // comboLegsDescription, comboLegs count, orderComboLegs count
  f.push(0); // smartComboRoutingParams count
  f.push('', '', ''); // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement
  f.push(''); // hedgeType
  f.push(false); // optOutSmartRouting
  f.push('', ''); // clearingAccount, clearingIntent
  f.push(false); // notHeld
  f.push(false); // deltaNeutralContract
  f.push(''); // algoStrategy
  f.push(false); // solicited
  f.push(false, o.status); // whatIf, order state status
  f.push('', '', '', '', '', ''); // margin before / change
  f.push('', '', '', '', '', '', '', ''); // margin after, commission, min/max commission, commission currency, warning text
  f.push(false, false); // randomizeSize, randomizePrice
  f.push(0); // conditions count
  f.push('', '', '', '', '', '', '', 0); // adjustedOrderType, triggerPrice, trailStopPrice, lmtPriceOffset, adjusted stop/stop-limit/trailing, adjustableTrailingUnit
  f.push('', '', ''); // soft dollar tier name, value, display name
  f.push(''); // cashQty
  f.push(false, false, false, false, 0, '', false); // dontUseAutoPriceForHedge .. autoCancelParent
  f.push('', '', '', '', ''); // PEG BEST / PEG MID attributes
  if (v >= 183) f.push('');
  if (v >= 184) f.push(false);
  if (v >= 185) f.push('');
  if (v >= 189) f.push(false);
  if (v >= 193) f.push('', '');
  return f;
}

/** OPEN_ORDER_END. */
export function openOrderEnd(): Fields {
  return [IN.OPEN_ORDER_END, 1];
}

/** ORDER_STATUS (no version field from MARKET_CAP_PRICE 131). */
export function orderStatus(
  orderId: number,
  status: string,
  filled: number,
  remaining: number,
  avgFillPrice: number,
  permId: number,
  parentId: number,
  lastFillPrice: number,
  clientId: number,
): Fields {
  return [IN.ORDER_STATUS, orderId, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice, clientId, '', 0];
}

/** One execution as reported by EXECUTION_DATA. */
export interface ReportedExecution {
  orderId: number;
  execId: string;
  time: string;
  account: string;
  exchange: string;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  permId: number;
  clientId: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
}

/** EXECUTION_DATA (no version field from LAST_LIQUIDITY 136); reqId -1 when unsolicited. */
export function executionData(v: number, reqId: number, c: ReportedContract, e: ReportedExecution): Fields {
  const fields: Fields = [
    IN.EXECUTION_DATA,
    reqId,
    e.orderId,
    ...contractFields(c),
    e.execId,
    e.time,
    e.account,
    e.exchange,
    e.side,
    e.shares,
    e.price,
    e.permId,
    e.clientId,
    0,
    e.cumQty,
    e.avgPrice,
    e.orderRef,
    '',
    '',
    '',
    1,
  ];
  if (v >= 178) fields.push(false); // pendingPriceRevision
  return fields;
}

/** EXECUTION_DATA_END. */
export function executionDataEnd(reqId: number): Fields {
  return [IN.EXECUTION_DATA_END, 1, reqId];
}

/** COMMISSION_REPORT; realized P&L of an opening fill is unset like TWS sends it. */
export function commissionReport(execId: string, commission: number, currency: string, realizedPnl: number | undefined): Fields {
  return [IN.COMMISSION_REPORT, 1, execId, commission, currency, dbl(realizedPnl), UNSET_DOUBLE, 0];
}

/** POSITION (version 3, without primary exchange). */
export function position(account: string, c: ReportedContract, quantity: number, avgCost: number): Fields {
  return [
    IN.POSITION,
    3,
    account,
    ...contractFields(c),
    quantity,
    avgCost,
  ];
}

/** POSITION_END. */
export function positionEnd(): Fields {
  return [IN.POSITION_END, 1];
}

/** ACCOUNT_SUMMARY. */
export function accountSummary(reqId: number, account: string, tag: string, value: string, currency: string): Fields {
  return [IN.ACCOUNT_SUMMARY, 1, reqId, account, tag, value, currency];
}

/** ACCOUNT_SUMMARY_END. */
export function accountSummaryEnd(reqId: number): Fields {
  return [IN.ACCOUNT_SUMMARY_END, 1, reqId];
}

/** ACCT_VALUE (account updates). */
export function accountValue(key: string, value: string, currency: string, account: string): Fields {
  return [IN.ACCT_VALUE, 2, key, value, currency, account];
}

/** PORTFOLIO_VALUE (version 8). */
export function portfolioValue(
  c: ReportedContract,
  quantity: number,
  marketPrice: number,
  marketValue: number,
  averageCost: number,
  unrealizedPnl: number,
  realizedPnl: number,
  account: string,
): Fields {
  return [
    IN.PORTFOLIO_VALUE,
    8,
    ...contractFields(c, c.primaryExchange),
    quantity,
    marketPrice,
    marketValue,
    averageCost,
    unrealizedPnl,
    realizedPnl,
    account,
  ];
}

/** ACCT_UPDATE_TIME (HH:mm). */
export function accountUpdateTime(hhmm: string): Fields {
  return [IN.ACCT_UPDATE_TIME, 1, hhmm];
}

/** ACCT_DOWNLOAD_END. */
export function accountDownloadEnd(account: string): Fields {
  return [IN.ACCT_DOWNLOAD_END, 1, account];
}
