import { ClientMessageError, FieldReader } from './field-reader';

/**
 * Client → server layouts, written from the pinned @stoqey/ib 1.6.10 encoder (dist/core/io/encoder.js)
 * for server versions 176..193. Each parser reads the fields in the encoder's order, including the optional
 * blocks whose presence the message itself announces, and then requires the message to end: a message
 * with a different field count than the encoder produces is refused.
 */

/** Oldest server version whose layouts are modelled. */
export const MIN_MODELLED_SERVER_VERSION = 176;
/** Newest server version whose layouts are modelled (the pinned client's maximum). */
export const MAX_MODELLED_SERVER_VERSION = 193;

/** Client → server message ids handled by the fake. */
export const OUT = {
  REQ_MKT_DATA: 1,
  CANCEL_MKT_DATA: 2,
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_OPEN_ORDERS: 5,
  REQ_ACCOUNT_DATA: 6,
  REQ_EXECUTIONS: 7,
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_MKT_DEPTH: 10,
  CANCEL_MKT_DEPTH: 11,
  REQ_AUTO_OPEN_ORDERS: 15,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_MANAGED_ACCTS: 17,
  REQ_HISTORICAL_DATA: 20,
  CANCEL_HISTORICAL_DATA: 25,
  REQ_CURRENT_TIME: 49,
  REQ_REAL_TIME_BARS: 50,
  CANCEL_REAL_TIME_BARS: 51,
  REQ_GLOBAL_CANCEL: 58,
  REQ_MARKET_DATA_TYPE: 59,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  CANCEL_ACCOUNT_SUMMARY: 63,
  CANCEL_POSITIONS: 64,
  START_API: 71,
  REQ_TICK_BY_TICK_DATA: 97,
  CANCEL_TICK_BY_TICK_DATA: 98,
} as const;

/** Contract fields as a client sends them. */
export interface WireContract {
  conId?: number;
  symbol: string;
  secType: string;
  lastTradeDateOrContractMonth: string;
  multiplier: string;
  exchange: string;
  primaryExch: string;
  currency: string;
  localSymbol: string;
  tradingClass: string;
}

/** The order terms PLACE_ORDER sends and OPEN_ORDER reports back, named as on the wire. */
export interface WireOrderTerms {
  orderId: number;
  action: string;
  totalQuantity: number;
  orderType: string;
  lmtPrice?: number;
  auxPrice?: number;
  tif: string;
  ocaGroup: string;
  account: string;
  orderRef: string;
  transmit: boolean;
  parentId: number;
  outsideRth: boolean;
  goodTillDate: string;
}

/** The order fields the paper broker uses; every other field is read and checked but not kept. */
export interface WireOrder extends WireOrderTerms {
  contract: WireContract;
  ocaType?: number;
}

/** Every parsed client message. */
export type ClientMessage =
  | { id: typeof OUT.START_API; clientId: number; optionalCapabilities: string }
  | { id: typeof OUT.REQ_MKT_DATA; reqId: number; contract: WireContract; genericTicks: string; snapshot: boolean; regulatorySnapshot: boolean }
  | { id: typeof OUT.CANCEL_MKT_DATA; reqId: number }
  | { id: typeof OUT.PLACE_ORDER; order: WireOrder }
  | { id: typeof OUT.CANCEL_ORDER; orderId: number }
  | { id: typeof OUT.REQ_OPEN_ORDERS }
  | { id: typeof OUT.REQ_ACCOUNT_DATA; subscribe: boolean; account: string }
  | { id: typeof OUT.REQ_EXECUTIONS; reqId: number; filter: ExecutionFilterFields }
  | { id: typeof OUT.REQ_IDS; count: number }
  | { id: typeof OUT.REQ_CONTRACT_DATA; reqId: number; contract: WireContract; includeExpired: boolean }
  | { id: typeof OUT.REQ_MKT_DEPTH; reqId: number; contract: WireContract; numRows: number; smartDepth: boolean }
  | { id: typeof OUT.CANCEL_MKT_DEPTH; reqId: number }
  | { id: typeof OUT.REQ_AUTO_OPEN_ORDERS; autoBind: boolean }
  | { id: typeof OUT.REQ_ALL_OPEN_ORDERS }
  | { id: typeof OUT.REQ_MANAGED_ACCTS }
  | {
      id: typeof OUT.REQ_HISTORICAL_DATA;
      reqId: number;
      contract: WireContract;
      endDateTime: string;
      barSize: string;
      duration: string;
      useRth: boolean;
      whatToShow: string;
      formatDate: number;
      keepUpToDate: boolean;
    }
  | { id: typeof OUT.CANCEL_HISTORICAL_DATA; reqId: number }
  | { id: typeof OUT.REQ_CURRENT_TIME }
  | { id: typeof OUT.REQ_REAL_TIME_BARS; reqId: number; contract: WireContract; whatToShow: string; useRth: boolean }
  | { id: typeof OUT.CANCEL_REAL_TIME_BARS; reqId: number }
  | { id: typeof OUT.REQ_GLOBAL_CANCEL }
  | { id: typeof OUT.REQ_MARKET_DATA_TYPE; marketDataType: number }
  | { id: typeof OUT.REQ_POSITIONS }
  | { id: typeof OUT.REQ_ACCOUNT_SUMMARY; reqId: number; group: string; tags: string }
  | { id: typeof OUT.CANCEL_ACCOUNT_SUMMARY; reqId: number }
  | { id: typeof OUT.CANCEL_POSITIONS }
  | { id: typeof OUT.REQ_TICK_BY_TICK_DATA; reqId: number; contract: WireContract; tickType: string; numberOfTicks: number; ignoreSize: boolean }
  | { id: typeof OUT.CANCEL_TICK_BY_TICK_DATA; reqId: number };

/** Execution filter fields of REQ_EXECUTIONS. */
export interface ExecutionFilterFields {
  clientId?: number;
  account: string;
  time: string;
  symbol: string;
  secType: string;
  exchange: string;
  side: string;
}

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(OUT).map(([name, id]) => [id, name]));

/** Name of a client message id, for error texts. */
export function clientMessageName(id: number): string {
  return NAMES[id] ?? `message id ${id}`;
}

/**
 * Parses one client message at the given server version.
 * Throws {@link ClientMessageError} when the id is unknown or the layout does not match.
 */
export function parseClientMessage(fields: readonly string[], serverVersion: number): ClientMessage {
  const first = fields[0] ?? '';
  if (!/^\d+$/.test(first)) throw new ClientMessageError(`expected a numeric message id as the first field, got ${JSON.stringify(first)}`, -1);
  const id = Number(first);
  const name = NAMES[id];
  if (name === undefined) throw new ClientMessageError(`message id ${id} is not one the fake TWS understands`, -1);
  const r = new FieldReader(fields, name);
  r.int('message id');
  const message = parseBody(id, r, serverVersion);
  r.expectEnd();
  return message;
}

function version(r: FieldReader, expected: number): void {
  const found = r.int('version');
  if (found !== expected) throw new ClientMessageError(`expected message version ${expected}, got ${found}`, r.requestId);
}

function reqId(r: FieldReader, what = 'reqId'): number {
  const id = r.int(what);
  r.requestId = id;
  return id;
}

/** conId, symbol, secType, lastTradeDateOrContractMonth, strike, right, multiplier, exchange, [primaryExch], currency, localSymbol, tradingClass. */
function contract(r: FieldReader, withPrimaryExch = true): WireContract {
  const conId = r.optInt('conId');
  const symbol = r.str('symbol');
  const secType = r.str('secType');
  const lastTradeDateOrContractMonth = r.str('lastTradeDateOrContractMonth');
  r.optNum('strike');
  r.str('right');
  const multiplier = r.str('multiplier');
  const exchange = r.str('exchange');
  const primaryExch = withPrimaryExch ? r.str('primaryExch') : '';
  const currency = r.str('currency');
  const localSymbol = r.str('localSymbol');
  const tradingClass = r.str('tradingClass');
  const parsed: WireContract = { symbol, secType, lastTradeDateOrContractMonth, multiplier, exchange, primaryExch, currency, localSymbol, tradingClass };
  if (conId !== undefined && conId !== 0) parsed.conId = conId;
  return parsed;
}

/** Combo legs follow the contract only for BAG contracts. */
function comboLegs(r: FieldReader, c: WireContract, perLeg: number): void {
  if (c.secType.toUpperCase() !== 'BAG') return;
  const count = r.int('comboLegsCount');
  r.skip(count * perLeg, 'combo leg');
}

function parseBody(id: number, r: FieldReader, v: number): ClientMessage {
  switch (id) {
    case OUT.START_API: {
      version(r, 2);
      const clientId = r.int('clientId');
      const optionalCapabilities = r.str('optionalCapabilities');
      return { id, clientId, optionalCapabilities };
    }
    case OUT.REQ_MKT_DATA: {
      version(r, 11);
      const rid = reqId(r);
      const c = contract(r);
      comboLegs(r, c, 4);
      if (r.bool('deltaNeutralContract flag')) r.skip(3, 'delta-neutral contract');
      const genericTicks = r.str('genericTickList');
      const snapshot = r.bool('snapshot');
      const regulatorySnapshot = r.bool('regulatorySnapshot');
      r.str('mktDataOptions');
      return { id, reqId: rid, contract: c, genericTicks, snapshot, regulatorySnapshot };
    }
    case OUT.CANCEL_MKT_DATA:
    case OUT.CANCEL_MKT_DEPTH:
    case OUT.CANCEL_HISTORICAL_DATA:
    case OUT.CANCEL_REAL_TIME_BARS:
    case OUT.CANCEL_ACCOUNT_SUMMARY: {
      version(r, 1);
      const rid = reqId(r);
      if (id === OUT.CANCEL_MKT_DEPTH) r.bool('isSmartDepth');
      return { id, reqId: rid };
    }
    case OUT.CANCEL_TICK_BY_TICK_DATA:
      return { id, reqId: reqId(r) };
    case OUT.PLACE_ORDER:
      return { id, order: placeOrder(r, v) };
    case OUT.CANCEL_ORDER: {
      if (v < 192) version(r, 1);
      const orderId = reqId(r, 'orderId');
      r.str('manualOrderCancelTime');
      if (v >= 187 && v < 190) r.skip(3, 'RFQ placeholder');
      if (v >= 192) {
        r.str('extOperator');
        r.optInt('manualOrderIndicator');
      }
      return { id, orderId };
    }
    case OUT.REQ_GLOBAL_CANCEL:
      if (v < 192) version(r, 1);
      else {
        r.str('extOperator');
        r.optInt('manualOrderIndicator');
      }
      return { id };
    case OUT.REQ_OPEN_ORDERS:
    case OUT.REQ_ALL_OPEN_ORDERS:
    case OUT.REQ_MANAGED_ACCTS:
    case OUT.REQ_CURRENT_TIME:
    case OUT.REQ_POSITIONS:
    case OUT.CANCEL_POSITIONS:
      version(r, 1);
      return { id };
    case OUT.REQ_ACCOUNT_DATA: {
      version(r, 2);
      const subscribe = r.bool('subscribe');
      const account = r.str('acctCode');
      return { id, subscribe, account };
    }
    case OUT.REQ_EXECUTIONS: {
      version(r, 3);
      const rid = reqId(r);
      const filter: ExecutionFilterFields = {
        account: '',
        time: '',
        symbol: '',
        secType: '',
        exchange: '',
        side: '',
      };
      const clientId = r.optInt('filter.clientId');
      if (clientId !== undefined) filter.clientId = clientId;
      filter.account = r.str('filter.acctCode');
      filter.time = r.str('filter.time');
      filter.symbol = r.str('filter.symbol');
      filter.secType = r.str('filter.secType');
      filter.exchange = r.str('filter.exchange');
      filter.side = r.str('filter.side');
      return { id, reqId: rid, filter };
    }
    case OUT.REQ_IDS: {
      version(r, 1);
      return { id, count: r.optInt('numIds') ?? 1 };
    }
    case OUT.REQ_CONTRACT_DATA: {
      version(r, 8);
      const rid = reqId(r);
      const c = contract(r);
      const includeExpired = r.bool('includeExpired');
      r.str('secIdType');
      r.str('secId');
      r.str('issuerId');
      return { id, reqId: rid, contract: c, includeExpired };
    }
    case OUT.REQ_MKT_DEPTH: {
      version(r, 5);
      const rid = reqId(r);
      const c = contract(r);
      const numRows = r.optInt('numRows') ?? 0;
      const smartDepth = r.bool('isSmartDepth');
      r.str('mktDepthOptions');
      return { id, reqId: rid, contract: c, numRows, smartDepth };
    }
    case OUT.REQ_AUTO_OPEN_ORDERS: {
      version(r, 1);
      return { id, autoBind: r.bool('bAutoBind') };
    }
    case OUT.REQ_HISTORICAL_DATA: {
      const rid = reqId(r);
      const c = contract(r);
      r.bool('includeExpired');
      const endDateTime = r.str('endDateTime');
      const barSize = r.str('barSizeSetting');
      const duration = r.str('durationStr');
      const useRth = r.bool('useRTH');
      const whatToShow = r.str('whatToShow');
      const formatDate = r.optInt('formatDate') ?? 1;
      comboLegs(r, c, 4);
      const keepUpToDate = r.bool('keepUpToDate');
      r.str('chartOptions');
      return { id, reqId: rid, contract: c, endDateTime, barSize, duration, useRth, whatToShow, formatDate, keepUpToDate };
    }
    case OUT.REQ_REAL_TIME_BARS: {
      version(r, 3);
      const rid = reqId(r);
      const c = contract(r);
      r.optInt('barSize');
      const whatToShow = r.str('whatToShow');
      const useRth = r.bool('useRTH');
      r.str('realTimeBarsOptions');
      return { id, reqId: rid, contract: c, whatToShow, useRth };
    }
    case OUT.REQ_MARKET_DATA_TYPE: {
      version(r, 1);
      return { id, marketDataType: r.int('marketDataType') };
    }
    case OUT.REQ_ACCOUNT_SUMMARY: {
      version(r, 1);
      const rid = reqId(r);
      const group = r.str('group');
      const tags = r.str('tags');
      return { id, reqId: rid, group, tags };
    }
    case OUT.REQ_TICK_BY_TICK_DATA: {
      const rid = reqId(r);
      const c = contract(r);
      const tickType = r.str('tickType');
      const numberOfTicks = r.optInt('numberOfTicks') ?? 0;
      const ignoreSize = r.bool('ignoreSize');
      return { id, reqId: rid, contract: c, tickType, numberOfTicks, ignoreSize };
    }
    default:
      throw new ClientMessageError(`message id ${id} is not one the fake TWS understands`, -1);
  }
}

const CONDITION_FIELDS: Record<number, number> = { 1: 5, 3: 2, 4: 2, 5: 3, 6: 4, 7: 4 };

function isOrderType(orderType: string, spaced: string): boolean {
  return orderType === spaced || orderType === spaced.replace(' ', '');
}

/** PLACE_ORDER, field by field as the pinned encoder's placeOrder writes it (no version field from 145). */
function placeOrder(r: FieldReader, v: number): WireOrder {
  const orderId = reqId(r, 'orderId');
  const c = contract(r);
  r.str('secIdType');
  r.str('secId');
  const action = r.str('action');
  const totalQuantity = r.optNum('totalQuantity');
  if (totalQuantity === undefined) throw new ClientMessageError(`PLACE_ORDER: expected totalQuantity, was empty`, orderId);
  const orderType = r.str('orderType');
  const lmtPrice = r.optNum('lmtPrice');
  const auxPrice = r.optNum('auxPrice');
  const tif = r.str('tif');
  const ocaGroup = r.str('ocaGroup');
  const account = r.str('account');
  r.str('openClose');
  r.optInt('origin');
  const orderRef = r.str('orderRef');
  // An unset transmit flag means transmit, as in IB's own clients.
  const transmit = r.bool('transmit', true);
  const parentId = r.optInt('parentId') ?? 0;
  r.bool('blockOrder');
  r.bool('sweepToFill');
  r.optInt('displaySize');
  r.optInt('triggerMethod');
  const outsideRth = r.bool('outsideRth');
  r.bool('hidden');
  if (c.secType.toUpperCase() === 'BAG') {
    const legs = r.int('comboLegsCount');
    r.skip(legs * 8, 'combo leg');
    const orderLegs = r.int('orderComboLegsCount');
    r.skip(orderLegs, 'order combo leg price');
    const params = r.int('smartComboRoutingParamsCount');
    r.skip(params * 2, 'smart combo routing param');
  }
  r.str('sharesAllocation');
  r.optNum('discretionaryAmt');
  r.str('goodAfterTime');
  const goodTillDate = r.str('goodTillDate');
  r.skip(3, 'FA group/method/percentage');
  if (v < 177) r.str('faProfile');
  r.str('modelCode');
  r.skip(3, 'shortSaleSlot/designatedLocation/exemptCode');
  const ocaType = r.optInt('ocaType');
  r.skip(14, 'rule80A..stockRangeUpper');
  r.skip(1, 'overridePercentageConstraints');
  r.optNum('volatility');
  r.optInt('volatilityType');
  const deltaNeutralOrderType = r.str('deltaNeutralOrderType');
  r.optNum('deltaNeutralAuxPrice');
  if (deltaNeutralOrderType !== '') r.skip(8, 'delta-neutral order fields');
  r.skip(2, 'continuousUpdate/referencePriceType');
  r.skip(2, 'trailStopPrice/trailingPercent');
  r.skip(2, 'scaleInitLevelSize/scaleSubsLevelSize');
  const scalePriceIncrement = r.str('scalePriceIncrement');
  if (scalePriceIncrement !== '') r.skip(7, 'scale order fields');
  r.skip(3, 'scaleTable/activeStartTime/activeStopTime');
  if (r.str('hedgeType') !== '') r.str('hedgeParam');
  r.skip(1, 'optOutSmartRouting');
  r.skip(2, 'clearingAccount/clearingIntent');
  r.skip(1, 'notHeld');
  if (r.bool('deltaNeutralContract flag')) r.skip(3, 'delta-neutral contract');
  if (r.str('algoStrategy') !== '') {
    const count = r.optInt('algoParamsCount') ?? 0;
    r.skip(count * 2, 'algo param');
  }
  r.skip(1, 'algoId');
  r.skip(1, 'whatIf');
  r.skip(1, 'orderMiscOptions');
  r.skip(1, 'solicited');
  r.skip(2, 'randomizeSize/randomizePrice');
  if (isOrderType(orderType, 'PEG BENCH')) r.skip(5, 'pegged-to-benchmark fields');
  const conditions = r.optInt('conditionsCount') ?? 0;
  if (conditions > 0) {
    for (let i = 0; i < conditions; i++) {
      const type = r.int('condition type');
      r.str('conjunctionConnection');
      const extra = CONDITION_FIELDS[type];
      if (extra === undefined) throw new ClientMessageError(`PLACE_ORDER: expected a condition type of 1,3,4,5,6 or 7, was ${type}`, orderId);
      r.skip(extra, 'condition field');
    }
    r.skip(2, 'conditionsIgnoreRth/conditionsCancelOrder');
  }
  r.skip(7, 'adjusted order fields');
  r.skip(1, 'extOperator');
  r.skip(2, 'softDollarTier');
  r.skip(1, 'cashQty');
  r.skip(4, 'MiFID II fields');
  r.skip(1, 'dontUseAutoPriceForHedge');
  r.skip(1, 'isOmsContainer');
  r.skip(1, 'discretionaryUpToLimitPrice');
  r.skip(1, 'usePriceMgmtAlgo');
  r.skip(1, 'duration');
  r.skip(1, 'postToAts');
  r.skip(1, 'autoCancelParent');
  r.skip(1, 'advancedErrorOverride');
  r.skip(1, 'manualOrderTime');
  if (c.exchange === 'IBKRATS') r.skip(1, 'minTradeQty');
  if (isOrderType(orderType, 'PEG BEST')) {
    r.skip(1, 'minCompeteSize');
    if (r.optNum('competeAgainstBestOffset') === Infinity) r.skip(2, 'mid offsets');
  } else if (isOrderType(orderType, 'PEG MID')) {
    r.skip(2, 'mid offsets');
  }
  if (v >= 183) r.skip(1, 'customerAccount');
  if (v >= 184) r.skip(1, 'professionalCustomer');
  if (v >= 187 && v < 190) r.skip(2, 'RFQ placeholder');
  if (v >= 189) r.skip(1, 'includeOvernight');
  if (v >= 192) r.skip(1, 'manualOrderIndicator');
  const order: WireOrder = {
    orderId,
    contract: c,
    action,
    totalQuantity,
    orderType,
    tif,
    ocaGroup,
    account,
    orderRef,
    transmit,
    parentId,
    outsideRth,
    goodTillDate,
  };
  if (lmtPrice !== undefined) order.lmtPrice = lmtPrice;
  if (auxPrice !== undefined) order.auxPrice = auxPrice;
  if (ocaType !== undefined) order.ocaType = ocaType;
  return order;
}
