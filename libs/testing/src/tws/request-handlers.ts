import type { ClientSession } from './client-session';
import { OUT, type ClientMessage, type WireContract, type WireOrder } from './client-messages';
import { contractDetails, reportedContract, type ContractRegistry } from './contract-registry';
import { accountUpdateMessages, accountValues, selectTags } from './account-reports';
import type { FakeTwsClock } from './fake-clock';
import type { FailableRequestKind, FakeTwsContract, HistoricalRequestRecord, PlacedOrder } from './fake-tws-types';
import { marketDataFailureEffect, twsMessage, type FailureQueue } from './faults';
import { generateBars, HistoricalRequestError, parseBarSize, parseDuration, parseEndDateTime } from './historical-bars';
import { formatTwsTime, parseTwsTime, TwsTimeError } from './tws-time';
import type { HistoricalPacer } from './historical-pacing';
import { depthBook, openingTicks, tickByTick } from './market-feed';
import type { MarketSimulator } from './market-simulator';
import { executionMessages, orderStateMessages } from './order-reports';
import type { BrokerExecution, BrokerOrder, PaperBroker } from './paper-broker';
import * as out from './server-messages';

const TICK_BY_TICK_TYPES = new Set(['Last', 'AllLast', 'BidAsk', 'MidPoint']);

/** What the request handlers need from the server they serve. */
export interface RequestContext {
  readonly clock: FakeTwsClock;
  readonly accounts: readonly string[];
  readonly registry: ContractRegistry;
  readonly market: MarketSimulator;
  readonly broker: PaperBroker;
  readonly pacer: HistoricalPacer;
  readonly failures: FailureQueue;
  readonly placeOrderLog: PlacedOrder[];
  readonly historicalRequests: HistoricalRequestRecord[];
  readySessions(): ClientSession[];
  /** Records a refused request and answers it with error 320. */
  refuse(session: ClientSession, id: number, line: string): void;
  log(line: string): void;
}

// TWS serves two account summary subscriptions per client at a time (error 322 beyond).
const MAX_ACCOUNT_SUMMARIES = 2;

/**
 * Serves client requests once the API is started: contract details, market data, history, orders,
 * executions, positions and account data, and reports the paper broker's changes to the clients.
 */
export class RequestHandlers {
  constructor(private readonly ctx: RequestContext) {}

  private epochSeconds(): number {
    return Math.floor(this.ctx.clock.now() / 1000);
  }

  /** Serves one parsed client request. */
  dispatch(session: ClientSession, m: ClientMessage): void {
    switch (m.id) {
      case OUT.REQ_IDS:
        return session.send(out.nextValidId(this.ctx.broker.nextValidId(session.clientId)));
      case OUT.REQ_MANAGED_ACCTS:
        return session.send(out.managedAccounts(this.ctx.accounts));
      case OUT.REQ_CURRENT_TIME:
        return session.send(out.currentTime(Math.floor(this.ctx.clock.now() / 1000)));
      case OUT.REQ_CONTRACT_DATA:
        return this.contractDetails(session, m.reqId, m.contract);
      case OUT.REQ_MARKET_DATA_TYPE:
        return this.setMarketDataType(session, m.marketDataType);
      case OUT.REQ_MKT_DATA:
        return this.subscribeMarketData(session, m.reqId, m.contract, m.snapshot || m.regulatorySnapshot);
      case OUT.CANCEL_MKT_DATA:
        if (!session.marketData.delete(m.reqId)) session.send(out.errorMessage(m.reqId, 300, `Can't find EId with tickerId:${m.reqId}`));
        return;
      case OUT.REQ_TICK_BY_TICK_DATA:
        return this.subscribeTickByTick(session, m.reqId, m.contract, m.tickType);
      case OUT.CANCEL_TICK_BY_TICK_DATA:
        session.tickByTick.delete(m.reqId);
        return;
      case OUT.REQ_MKT_DEPTH:
        return this.subscribeDepth(session, m.reqId, m.contract, m.numRows, m.smartDepth);
      case OUT.CANCEL_MKT_DEPTH:
        session.depth.delete(m.reqId);
        return;
      case OUT.REQ_REAL_TIME_BARS:
        return this.subscribeRealTimeBars(session, m.reqId, m.contract);
      case OUT.CANCEL_REAL_TIME_BARS:
        session.realTimeBars.delete(m.reqId);
        return;
      case OUT.REQ_HISTORICAL_DATA:
        return this.historicalData(session, m);
      case OUT.CANCEL_HISTORICAL_DATA:
        session.historicalUpdates.delete(m.reqId);
        return;
      case OUT.PLACE_ORDER:
        return this.placeOrder(session, m.order);
      case OUT.CANCEL_ORDER:
        return this.ctx.broker.cancel(m.orderId, session.clientId);
      case OUT.REQ_GLOBAL_CANCEL:
        return this.ctx.broker.cancelAll();
      case OUT.REQ_OPEN_ORDERS:
      case OUT.REQ_ALL_OPEN_ORDERS:
        return this.reportOpenOrders(session, m.id === OUT.REQ_ALL_OPEN_ORDERS || session.clientId === 0);
      case OUT.REQ_AUTO_OPEN_ORDERS:
        return;
      case OUT.REQ_EXECUTIONS:
        return this.reportExecutions(session, m.reqId, m.filter);
      case OUT.REQ_POSITIONS:
        session.positionsSubscribed = true;
        for (const p of this.ctx.broker.positions()) session.send(out.position(p.account, reportedContract(p.contract), p.quantity, p.avgCost));
        return session.send(out.positionEnd());
      case OUT.CANCEL_POSITIONS:
        session.positionsSubscribed = false;
        return;
      case OUT.REQ_ACCOUNT_SUMMARY:
        return this.accountSummary(session, m.reqId, m.tags);
      case OUT.CANCEL_ACCOUNT_SUMMARY:
        session.accountSummaries.delete(m.reqId);
        return;
      case OUT.REQ_ACCOUNT_DATA:
        return this.accountUpdates(session, m.subscribe, m.account);
    }
  }

  /** Resolves a request's contract or answers 200 and returns undefined. */
  private resolve(session: ClientSession, reqId: number, w: WireContract): FakeTwsContract | undefined {
    const contract = this.ctx.registry.resolve(w);
    if (!contract) session.send(out.errorMessage(reqId, 200, twsMessage(200)));
    return contract;
  }

  /** Consumes an injected failure for this request, answering it; true when the request must not be served. */
  private injectedFailure(session: ClientSession, kind: Exclude<FailableRequestKind, 'any'>, id: number): { code: number } | undefined {
    const failure = this.ctx.failures.take(kind);
    if (!failure) return undefined;
    this.ctx.log(`injected error ${failure.code} for ${kind} request ${id}`);
    session.send(out.errorMessage(id, failure.code, failure.message));
    return { code: failure.code };
  }

  private contractDetails(session: ClientSession, reqId: number, w: WireContract): void {
    if (this.injectedFailure(session, 'contractDetails', reqId)) return;
    const found = this.ctx.registry.match(w);
    if (found.length === 0) {
      session.send(out.errorMessage(reqId, 200, twsMessage(200)));
      return;
    }
    for (const c of found) session.send(out.contractData(session.serverVersion, reqId, contractDetails(c)));
    session.send(out.contractDataEnd(reqId));
  }

  private setMarketDataType(session: ClientSession, type: number): void {
    if (![1, 2, 3, 4].includes(type)) {
      this.ctx.refuse(session, -1, `${session.label}: REQ_MARKET_DATA_TYPE: expected a type of 1, 2, 3 or 4, was ${type}`);
      return;
    }
    session.marketDataType = type;
    for (const [reqId, sub] of session.marketData) session.send(out.marketDataType(reqId, sub.forcedType ?? type));
  }

  private subscribeMarketData(session: ClientSession, reqId: number, w: WireContract, snapshot: boolean): void {
    const failure = this.injectedFailure(session, 'marketData', reqId);
    const effect = failure ? marketDataFailureEffect(failure.code) : undefined;
    if (effect === 'drop') return;
    const c = this.resolve(session, reqId, w);
    if (!c) return;
    const sub = { conId: c.conId, silent: effect === 'silent', snapshotSent: false, ...(effect === 'delayed' ? { forcedType: 3 } : {}) };
    if (sub.silent) {
      session.marketData.set(reqId, sub);
      return;
    }
    const type = sub.forcedType ?? session.marketDataType;
    for (const m of openingTicks(reqId, type, c.minTick, c.primaryExchange ?? c.exchange, this.ctx.market.quote(c.conId), this.epochSeconds())) session.send(m);
    if (snapshot) {
      session.send(out.tickSnapshotEnd(reqId));
      return;
    }
    session.marketData.set(reqId, sub);
  }

  private subscribeTickByTick(session: ClientSession, reqId: number, w: WireContract, tickType: string): void {
    if (this.injectedFailure(session, 'marketData', reqId)) return;
    if (!TICK_BY_TICK_TYPES.has(tickType)) {
      this.ctx.refuse(session, reqId, `${session.label}: REQ_TICK_BY_TICK_DATA: expected tickType Last, AllLast, BidAsk or MidPoint, was ${JSON.stringify(tickType)}`);
      return;
    }
    const c = this.resolve(session, reqId, w);
    if (!c) return;
    const sub = { conId: c.conId, tickType: tickType as 'Last' | 'AllLast' | 'BidAsk' | 'MidPoint' };
    session.tickByTick.set(reqId, sub);
    session.send(tickByTick(reqId, sub.tickType, this.ctx.market.quote(c.conId), this.epochSeconds(), c.primaryExchange ?? c.exchange, c.minTick));
  }

  private subscribeDepth(session: ClientSession, reqId: number, w: WireContract, numRows: number, smartDepth: boolean): void {
    if (this.injectedFailure(session, 'marketData', reqId)) return;
    const c = this.resolve(session, reqId, w);
    if (!c) return;
    const rows = Math.min(Math.max(numRows, 1), 10);
    session.depth.set(reqId, { conId: c.conId, rows, smartDepth });
    for (const m of depthBook(reqId, rows, smartDepth, this.ctx.market.quote(c.conId), c.minTick, 0)) session.send(m);
  }

  private subscribeRealTimeBars(session: ClientSession, reqId: number, w: WireContract): void {
    if (this.injectedFailure(session, 'marketData', reqId)) return;
    const c = this.resolve(session, reqId, w);
    if (!c) return;
    session.realTimeBars.set(reqId, { conId: c.conId, nextBarSec: Math.floor(this.ctx.clock.now() / 5000) * 5 });
  }

  private historicalData(session: ClientSession, m: Extract<ClientMessage, { id: typeof OUT.REQ_HISTORICAL_DATA }>): void {
    const record: HistoricalRequestRecord = {
      reqId: m.reqId,
      conId: m.contract.conId ?? 0,
      symbol: m.contract.symbol,
      endDateTime: m.endDateTime,
      barSize: m.barSize,
      duration: m.duration,
      whatToShow: m.whatToShow,
      atMs: this.ctx.clock.now(),
      paced: false,
    };
    this.ctx.historicalRequests.push(record);
    if (this.injectedFailure(session, 'historical', m.reqId)) return;
    const c = this.resolve(session, m.reqId, m.contract);
    if (!c) return;
    record.conId = c.conId;
    try {
      const barSec = parseBarSize(m.barSize);
      const durationSec = parseDuration(m.duration);
      const endMs = parseEndDateTime(m.endDateTime, this.ctx.clock.now());
      const violation = this.ctx.pacer.admit({
        contractKey: String(c.conId),
        exchange: m.contract.exchange,
        whatToShow: m.whatToShow,
        endDateTime: m.endDateTime,
        barSize: m.barSize,
        duration: m.duration,
        useRth: m.useRth,
      });
      if (violation) {
        record.paced = true;
        this.ctx.log(`pacing violation for historical request ${m.reqId}: ${violation}`);
        session.send(out.errorMessage(m.reqId, 162, twsMessage(162)));
        return;
      }
      if (m.keepUpToDate && m.endDateTime.trim() !== '') {
        throw new HistoricalRequestError(`Error validating request: expected an empty endDateTime with keepUpToDate, got ${JSON.stringify(m.endDateTime)}`, 321);
      }
      const { startMs, bars } = generateBars({ contract: c, endMs, durationSec, barSec, useRth: m.useRth, formatDate: m.formatDate });
      session.send(out.historicalData(m.reqId, formatTwsTime(startMs), formatTwsTime(endMs), bars));
      if (m.keepUpToDate) session.historicalUpdates.set(m.reqId, { conId: c.conId, barSec, formatDate: m.formatDate, barCount: bars.length });
    } catch (error) {
      if (!(error instanceof HistoricalRequestError)) throw error;
      session.send(out.errorMessage(m.reqId, error.code, error.message));
    }
  }

  /** New orders (not modifications) still to lose; see {@link loseNextOrders}. */
  private ordersToLose = 0;

  /** The next `count` new PLACE_ORDERs vanish unanswered and unlogged, as a message lost on its way to IB. */
  loseNextOrders(count: number): void {
    this.ordersToLose = count;
  }

  private placeOrder(session: ClientSession, w: WireOrder): void {
    if (this.ordersToLose > 0 && !this.ctx.broker.order(w.orderId, session.clientId)) {
      this.ordersToLose -= 1;
      this.ctx.log(`lost order ${w.orderId} of client ${session.clientId} on purpose`);
      return;
    }
    const placed: PlacedOrder = {
      orderId: w.orderId,
      clientId: session.clientId,
      orderRef: w.orderRef,
      account: w.account === '' ? (this.ctx.accounts[0] as string) : w.account,
      contract: { conId: w.contract.conId ?? 0, symbol: w.contract.symbol, secType: w.contract.secType, exchange: w.contract.exchange, currency: w.contract.currency },
      action: w.action === 'SELL' ? 'SELL' : 'BUY',
      totalQuantity: w.totalQuantity,
      orderType: w.orderType,
      tif: w.tif,
      outsideRth: w.outsideRth,
      parentId: w.parentId,
      ocaGroup: w.ocaGroup,
      transmit: w.transmit,
      goodTillDate: w.goodTillDate,
      receivedAtMs: this.ctx.clock.now(),
    };
    if (w.lmtPrice !== undefined) placed.lmtPrice = w.lmtPrice;
    if (w.auxPrice !== undefined) placed.auxPrice = w.auxPrice;
    this.ctx.placeOrderLog.push(placed);
    const failure = this.ctx.failures.take('placeOrder');
    const c = this.ctx.registry.resolve(w.contract);
    if (c) placed.contract.conId = c.conId;
    if (failure) {
      this.ctx.log(`injected error ${failure.code} for order ${w.orderId}`);
      if (failure.code === 201 && c && !this.ctx.broker.order(w.orderId, session.clientId)) this.ctx.broker.reject(placed, c, failure.message.replace(/^Order rejected - reason:/, ''));
      else session.send(out.errorMessage(w.orderId, failure.code, failure.message));
      return;
    }
    if (!c) {
      session.send(out.errorMessage(w.orderId, 200, twsMessage(200)));
      return;
    }
    if (w.action !== 'BUY' && w.action !== 'SELL') {
      session.send(out.errorMessage(w.orderId, 201, `Order rejected - reason:expected action BUY or SELL, was ${JSON.stringify(w.action)}`));
      return;
    }
    if (!this.ctx.accounts.includes(placed.account)) {
      session.send(out.errorMessage(w.orderId, 201, `Order rejected - reason:account ${placed.account} is not one of ${this.ctx.accounts.join(',')}`));
      return;
    }
    if (!(w.totalQuantity > 0)) {
      session.send(out.errorMessage(w.orderId, 201, `Order rejected - reason:expected totalQuantity > 0, was ${w.totalQuantity}`));
      return;
    }
    const needsLimit = w.orderType === 'LMT' || w.orderType === 'STP LMT';
    const needsStop = w.orderType === 'STP' || w.orderType === 'STP LMT';
    if ((needsLimit && w.lmtPrice === undefined) || (needsStop && w.auxPrice === undefined)) {
      const missing = needsLimit && w.lmtPrice === undefined ? 'lmtPrice' : 'auxPrice';
      session.send(out.errorMessage(w.orderId, 201, `Order rejected - reason:expected ${missing} for a ${w.orderType} order, got none`));
      return;
    }
    let expiresAtMs: number | undefined;
    if (w.tif === 'GTD') {
      try {
        if (w.goodTillDate.trim() === '') throw new TwsTimeError('expected a goodTillDate for a GTD order, got none');
        expiresAtMs = parseTwsTime(w.goodTillDate, this.ctx.clock.now(), 'goodTillDate');
      } catch (error) {
        if (!(error instanceof TwsTimeError)) throw error;
        session.send(out.errorMessage(w.orderId, 201, `Order rejected - reason:${error.message}`));
        return;
      }
    }
    this.ctx.broker.place(placed, c, { ocaType: w.ocaType ?? 0, ...(expiresAtMs === undefined ? {} : { expiresAtMs }) });
  }

  /** Sends an order's new state to its owner's connections. */
  sendOrderState(order: BrokerOrder): void {
    for (const session of this.ctx.readySessions()) {
      if (session.clientId !== order.placed.clientId) continue;
      for (const m of orderStateMessages(order, session.serverVersion)) session.send(m);
    }
  }

  /** Live fills still to send without their commission report; see {@link withholdCommissions}. */
  private commissionsToWithhold = 0;
  private readonly withheld: { execution: BrokerExecution; clientId: number }[] = [];

  /** The next `count` live fills go out without their COMMISSION_REPORT (a query of the executions still carries it). */
  withholdCommissions(count: number): void {
    this.commissionsToWithhold = count;
  }

  /** Sends the withheld commission reports, late, to their owners' connections; returns how many. */
  releaseCommissions(): number {
    const late = this.withheld.splice(0);
    for (const { execution, clientId } of late) {
      const report = out.commissionReport(execution.execId, execution.commission, 'USD', execution.realizedPnl);
      for (const session of this.ctx.readySessions()) if (session.clientId === clientId) session.send(report);
    }
    return late.length;
  }

  /** Sends a live fill to its owner's connections. */
  sendExecution(execution: BrokerExecution, order: BrokerOrder): void {
    const withhold = this.commissionsToWithhold > 0;
    if (withhold) {
      this.commissionsToWithhold -= 1;
      this.withheld.push({ execution, clientId: order.placed.clientId });
    }
    for (const session of this.ctx.readySessions()) {
      if (session.clientId !== order.placed.clientId) continue;
      const messages = executionMessages(execution, -1, session.serverVersion);
      for (const m of withhold ? messages.slice(0, 1) : messages) session.send(m);
    }
  }

  private reportOpenOrders(session: ClientSession, all: boolean): void {
    for (const order of this.ctx.broker.openOrders()) {
      if (!all && order.placed.clientId !== session.clientId) continue;
      for (const m of orderStateMessages(order, session.serverVersion)) session.send(m);
    }
    session.send(out.openOrderEnd());
  }

  private reportExecutions(session: ClientSession, reqId: number, f: Extract<ClientMessage, { id: typeof OUT.REQ_EXECUTIONS }>['filter']): void {
    let sinceMs = 0;
    if (f.time !== '') {
      try {
        sinceMs = parseTwsTime(f.time, this.ctx.clock.now(), 'filter.time');
      } catch (error) {
        if (!(error instanceof TwsTimeError)) throw error;
        this.ctx.refuse(session, reqId, `${session.label}: REQ_EXECUTIONS: ${error.message}`);
        return;
      }
    }
    for (const e of this.ctx.broker.executions()) {
      if (f.clientId !== undefined && f.clientId !== 0 && e.clientId !== f.clientId) continue;
      if (f.account !== '' && e.account !== f.account) continue;
      if (e.timeMs < sinceMs) continue;
      if (f.symbol !== '' && e.contract.symbol.toUpperCase() !== f.symbol.toUpperCase()) continue;
      if (f.secType !== '' && reportedContract(e.contract).secType !== f.secType.toUpperCase()) continue;
      if (f.exchange !== '' && ![e.contract.exchange, e.contract.primaryExchange].includes(f.exchange.toUpperCase())) continue;
      if (f.side !== '' && (f.side.toUpperCase().startsWith('B') ? 'BOT' : 'SLD') !== e.side) continue;
      for (const m of executionMessages(e, reqId, session.serverVersion)) session.send(m);
    }
    session.send(out.executionDataEnd(reqId));
  }

  private markOf = (conId: number): number => this.ctx.market.quote(conId).last;

  private accountSummary(session: ClientSession, reqId: number, tagList: string): void {
    const tags = tagList.split(',').map((t) => t.trim()).filter((t) => t !== '');
    if (session.accountSummaries.size >= MAX_ACCOUNT_SUMMARIES && !session.accountSummaries.has(reqId)) {
      session.send(out.errorMessage(reqId, 322, `Error processing request:-'bd' : cause - Maximum number of account summary requests exceeded`));
      return;
    }
    session.accountSummaries.set(reqId, tags);
    for (const account of this.ctx.accounts) {
      for (const v of selectTags(accountValues(this.ctx.broker, account, this.markOf), tags)) session.send(out.accountSummary(reqId, account, v.tag, v.value, v.currency));
    }
    session.send(out.accountSummaryEnd(reqId));
  }

  private accountUpdates(session: ClientSession, subscribe: boolean, requested: string): void {
    if (!subscribe) {
      session.accountUpdates = undefined;
      return;
    }
    const account = requested === '' ? (this.ctx.accounts[0] as string) : requested;
    if (!this.ctx.accounts.includes(account)) {
      this.ctx.refuse(session, -1, `${session.label}: REQ_ACCOUNT_DATA: expected one of the managed accounts ${this.ctx.accounts.join(',')}, got ${account}`);
      return;
    }
    session.accountUpdates = account;
    for (const m of accountUpdateMessages(this.ctx.broker, account, this.markOf, this.ctx.clock.now())) session.send(m);
    session.send(out.accountDownloadEnd(account));
  }

  /** After a fill: streamed positions, account summaries and account updates of every subscribed client. */
  sendAccountUpdates(account: string): void {
    const values = accountValues(this.ctx.broker, account, this.markOf);
    const positions = this.ctx.broker.positions().filter((p) => p.account === account);
    for (const session of this.ctx.readySessions()) {
      if (session.positionsSubscribed) for (const p of positions) session.send(out.position(account, reportedContract(p.contract), p.quantity, p.avgCost));
      for (const [reqId, tags] of session.accountSummaries) {
        for (const v of selectTags(values, tags)) session.send(out.accountSummary(reqId, account, v.tag, v.value, v.currency));
      }
      if (session.accountUpdates === account) for (const m of accountUpdateMessages(this.ctx.broker, account, this.markOf, this.ctx.clock.now())) session.send(m);
    }
  }
}
