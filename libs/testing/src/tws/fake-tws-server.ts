import { createServer, type Server, type Socket } from 'node:net';
import { accountValues, markPositions, selectTags } from './account-reports';
import { ClientSession } from './client-session';
import { clientMessageName, MAX_MODELLED_SERVER_VERSION, MIN_MODELLED_SERVER_VERSION, OUT, parseClientMessage, type ClientMessage, type WireContract, type WireOrder } from './client-messages';
import { contractDetails, ContractRegistry, DEFAULT_FAKE_TWS_CONTRACTS, reportedContract } from './contract-registry';
import { systemClock, type FakeTwsClock } from './fake-clock';
import type { FailableRequestKind, FakeTws, FakeTwsContract, FakeTwsOptions, HistoricalRequestRecord, PlacedOrder } from './fake-tws-types';
import { FailureQueue, marketDataFailureEffect, twsMessage } from './faults';
import { ClientMessageError } from './field-reader';
import type { InboundFrame } from './framing';
import { formatTwsTime, generateBars, HistoricalRequestError, parseBarSize, parseDuration, parseEndDateTime } from './historical-bars';
import { HistoricalPacer } from './historical-pacing';
import { depthBook, isFrozen, openingTicks, quoteTicks, tickByTick } from './market-feed';
import { MarketSimulator } from './market-simulator';
import { PaperBroker, type BrokerExecution, type BrokerOrder } from './paper-broker';
import * as out from './server-messages';

const TICK_BY_TICK_TYPES = new Set(['Last', 'AllLast', 'BidAsk', 'MidPoint']);

/** Raised for options the fake cannot honour. */
export class FakeTwsOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FakeTwsOptionError';
  }
}

/**
 * Starts a fake TWS / IB Gateway that speaks the TWS API wire protocol as the pinned @stoqey/ib expects it.
 *
 * @example
 * const tws = await startFakeTws({ clock: new ManualClock() });
 * const api = new IBApi({ host: tws.host, port: tws.port, clientId: 1 });
 * api.connect();
 * await tws.waitForConnections(1);
 */
export async function startFakeTws(options: FakeTwsOptions = {}): Promise<FakeTws> {
  const server = new FakeTwsServer(options);
  await server.listen(options.port ?? 0);
  return server;
}

class FakeTwsServer implements FakeTws {
  readonly host: string;
  readonly placeOrderLog: PlacedOrder[] = [];
  readonly clientErrors: string[] = [];
  readonly historicalRequests: HistoricalRequestRecord[] = [];

  private listenPort = 0;
  private server: Server | undefined;
  private readonly sessions = new Set<ClientSession>();
  private readonly clock: FakeTwsClock;
  private readonly serverVersion: number;
  private readonly accounts: string[];
  private readonly registry: ContractRegistry;
  private readonly market: MarketSimulator;
  private readonly broker: PaperBroker;
  private readonly pacer: HistoricalPacer;
  private readonly failures = new FailureQueue();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly waiters = new Set<() => void>();
  private refuseUntil = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private stalled = false;
  private splitting = false;
  private connectivityLost = false;
  private marketFarmDown = false;
  private connectionSeq = 0;
  private closed = false;

  constructor(private readonly options: FakeTwsOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.clock = options.clock ?? systemClock;
    this.serverVersion = options.serverVersion ?? MAX_MODELLED_SERVER_VERSION;
    if (!Number.isInteger(this.serverVersion) || this.serverVersion < MIN_MODELLED_SERVER_VERSION || this.serverVersion > MAX_MODELLED_SERVER_VERSION) {
      throw new FakeTwsOptionError(
        `expected serverVersion between ${MIN_MODELLED_SERVER_VERSION} and ${MAX_MODELLED_SERVER_VERSION} (the layouts modelled from the pinned client), was ${options.serverVersion}`,
      );
    }
    this.accounts = options.managedAccounts ?? ['DU1234567'];
    if (this.accounts.length === 0) throw new FakeTwsOptionError('expected at least one managed account, got none');
    this.registry = new ContractRegistry(options.contracts ?? DEFAULT_FAKE_TWS_CONTRACTS);
    this.market = new MarketSimulator((conId) => this.registry.get(conId));
    this.pacer = new HistoricalPacer(this.clock);
    this.broker = new PaperBroker(
      this.clock,
      (conId) => this.market.quote(conId),
      options.firstOrderId ?? 1,
      this.accounts,
      options.startingCash ?? 1_000_000,
      options.fillPolicy,
      {
        orderChanged: (order) => this.sendOrderState(order),
        executed: (execution, order) => this.sendExecution(execution, order),
        orderError: (order, code, message) => this.toClient(order.clientId, out.errorMessage(order.orderId, code, message)),
        accountChanged: (account) => this.sendAccountUpdates(account),
      },
    );
    const quoteInterval = positive(options.quoteIntervalMs ?? 50, 'quoteIntervalMs');
    const barInterval = positive(options.realTimeBarIntervalMs ?? 5000, 'realTimeBarIntervalMs');
    this.timers.push(setInterval(() => this.marketStep(), quoteInterval), setInterval(() => this.realTimeBarStep(), barInterval));
    for (const timer of this.timers) timer.unref();
  }

  get port(): number {
    return this.listenPort;
  }

  listen(port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        const address = server.address();
        if (address && typeof address === 'object') this.listenPort = address.port;
        this.log(`listening on ${this.host}:${this.listenPort} as server version ${this.serverVersion}`);
        resolve();
      });
    });
  }

  connectionCount(): number {
    return [...this.sessions].filter((s) => s.state === 'ready').length;
  }

  waitForConnections(n: number, timeoutMs = 5000): Promise<void> {
    if (this.connectionCount() >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.connectionCount() < n) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${n} client connection(s), have ${this.connectionCount()}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  dropConnections(mode: 'clean' | 'reset'): void {
    this.log(`dropping ${this.sessions.size} connection(s) (${mode})`);
    for (const session of this.sessions) session.drop(mode);
  }

  refuseConnections(ms: number): void {
    this.refuseUntil = Date.now() + positive(ms, 'refuseConnections(ms)');
    this.log(`refusing connections for ${ms} ms`);
  }

  async restart(downMs = 0): Promise<void> {
    if (!(downMs >= 0)) throw new RangeError(`expected restart(downMs) >= 0, was ${downMs}`);
    this.log(`restarting (down for ${downMs} ms)`);
    await this.closeListener();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    this.connectivityLost = false;
    this.marketFarmDown = false;
    await this.listen(this.listenPort);
  }

  stall(ms: number): void {
    positive(ms, 'stall(ms)');
    this.log(`stalling for ${ms} ms`);
    this.stalled = true;
    for (const session of this.sessions) session.stall();
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      this.stalled = false;
      this.stallTimer = undefined;
      for (const session of this.sessions) session.resume();
    }, ms);
  }

  splitWrites(on: boolean): void {
    this.splitting = on;
    for (const session of this.sessions) session.splitWrites(on);
  }

  sendNotice(code: number, message?: string, id = -1): void {
    // Notices change what a real gateway does, not only what it says.
    if (code === 1100) this.connectivityLost = true;
    if (code === 1101 || code === 1102) this.connectivityLost = false;
    if (code === 2103) this.marketFarmDown = true;
    if (code === 2104) this.marketFarmDown = false;
    for (const session of this.readySessions()) {
      if (code === 1101) session.clearMarketData();
      session.send(out.errorMessage(id, code, message ?? twsMessage(code)));
    }
  }

  failNextRequest(kind: FailableRequestKind, code: number, message?: string): void {
    this.failures.add(kind, code, message);
  }

  setQuote(symbol: string, bid: number, ask: number, last?: number): void {
    const contract = this.registry.bySymbol(symbol);
    if (!contract) throw new RangeError(`expected a symbol the fake knows (${this.registry.all().map((c) => c.symbol).join(', ')}), got ${symbol}`);
    this.market.setQuote(contract.conId, bid, ask, last);
    this.publishQuote(contract.conId);
    this.broker.onQuote(contract.conId);
  }

  fillOrder(orderId: number, quantity: number, price?: number): void {
    this.broker.fill(orderId, quantity, price);
  }

  openOrders(): PlacedOrder[] {
    return this.broker.openOrders().map((o) => o.placed);
  }

  positions(): Map<string, number> {
    return new Map(this.broker.positions().map((p) => [`${p.account}:${p.contract.conId}`, p.quantity]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    await this.closeListener();
  }

  // ---- connections -------------------------------------------------------------------------

  private accept(socket: Socket): void {
    const label = `client#${++this.connectionSeq} ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    if (Date.now() < this.refuseUntil || this.closed) {
      this.log(`${label}: refused`);
      socket.destroy();
      return;
    }
    const session = new ClientSession(socket, label, {
      onFrame: (s, frame) => this.onFrame(s, frame),
      onClose: (s) => {
        this.sessions.delete(s);
        this.log(`${s.label}: closed`);
      },
      onStreamError: (s, reason) => this.refuse(s, -1, `${s.label}: unreadable stream, closing: ${reason}`, false),
      log: (line) => this.log(line),
    });
    session.splitWrites(this.splitting);
    if (this.stalled) session.stall();
    this.sessions.add(session);
  }

  private async closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const session of this.sessions) session.drop('clean');
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Sockets closed with FIN may linger until the peer answers; do not wait on them.
      for (const session of this.sessions) session.socket.destroy();
    });
    this.sessions.clear();
  }

  private readySessions(): ClientSession[] {
    return [...this.sessions].filter((s) => s.state === 'ready');
  }

  private toClient(clientId: number, fields: Parameters<ClientSession['send']>[0]): void {
    for (const session of this.readySessions()) if (session.clientId === clientId) session.send(fields);
  }

  private onFrame(session: ClientSession, frame: InboundFrame): void {
    if (frame.kind === 'hello') {
      if (session.state !== 'hello') return;
      // Claim the configured version, but never more than the client supports.
      session.serverVersion = Math.min(this.serverVersion, frame.maxVersion);
      if (session.serverVersion < MIN_MODELLED_SERVER_VERSION) {
        this.refuse(session, -1, `${session.label}: client supports at most server version ${frame.maxVersion}, the fake models ${MIN_MODELLED_SERVER_VERSION}..${MAX_MODELLED_SERVER_VERSION}`, false);
        session.socket.destroy();
        return;
      }
      session.state = 'start-api';
      session.send([session.serverVersion, formatTwsTime(this.clock.now())]);
      return;
    }
    if (frame.kind === 'bad-message') {
      this.refuse(session, -1, `${session.label}: ${frame.reason} (fields: ${JSON.stringify(frame.fields.slice(0, 4))}…)`);
      return;
    }
    let message: ClientMessage;
    try {
      message = parseClientMessage(frame.fields, session.serverVersion);
    } catch (error) {
      if (!(error instanceof ClientMessageError)) throw error;
      this.refuse(session, error.requestId, `${session.label}: ${error.message}`);
      return;
    }
    if (session.state === 'start-api') {
      if (message.id !== OUT.START_API) {
        this.refuse(session, -1, `${session.label}: expected START_API before ${clientMessageName(message.id)}`);
        return;
      }
      this.startApi(session, message.clientId);
      return;
    }
    if (message.id === OUT.START_API) {
      this.refuse(session, -1, `${session.label}: START_API sent twice`);
      return;
    }
    this.dispatch(session, message);
  }

  /** Records a refused client message and tells the client why; the connection keeps working. */
  private refuse(session: ClientSession, id: number, line: string, reply = true): void {
    this.clientErrors.push(line);
    this.log(`refused: ${line}`);
    if (reply && session.state === 'ready') session.send(out.errorMessage(id, 320, `Error reading request: ${line}`));
  }

  private startApi(session: ClientSession, clientId: number): void {
    const clash = this.readySessions().find((s) => s.clientId === clientId);
    if (clash) {
      this.log(`${session.label}: client id ${clientId} already in use`);
      session.send(out.errorMessage(-1, 326, twsMessage(326)));
      session.drop('clean');
      return;
    }
    session.clientId = clientId;
    session.state = 'ready';
    this.log(`${session.label}: started API as client ${clientId}`);
    session.send(out.managedAccounts(this.accounts));
    session.send(out.nextValidId(this.broker.nextValidId()));
    for (const code of [2104, 2106, 2158]) session.send(out.errorMessage(-1, code, twsMessage(code)));
    for (const waiter of [...this.waiters]) waiter();
  }

  // ---- requests ------------------------------------------------------------------------------

  private dispatch(session: ClientSession, m: ClientMessage): void {
    switch (m.id) {
      case OUT.REQ_IDS:
        return session.send(out.nextValidId(this.broker.nextValidId()));
      case OUT.REQ_MANAGED_ACCTS:
        return session.send(out.managedAccounts(this.accounts));
      case OUT.REQ_CURRENT_TIME:
        return session.send(out.currentTime(Math.floor(this.clock.now() / 1000)));
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
        return;
      case OUT.PLACE_ORDER:
        return this.placeOrder(session, m.order);
      case OUT.CANCEL_ORDER:
        return this.broker.cancel(m.orderId, session.clientId);
      case OUT.REQ_GLOBAL_CANCEL:
        return this.broker.cancelAll();
      case OUT.REQ_OPEN_ORDERS:
      case OUT.REQ_ALL_OPEN_ORDERS:
        return this.reportOpenOrders(session, m.id === OUT.REQ_ALL_OPEN_ORDERS || session.clientId === 0);
      case OUT.REQ_AUTO_OPEN_ORDERS:
        return;
      case OUT.REQ_EXECUTIONS:
        return this.reportExecutions(session, m.reqId, m.filter);
      case OUT.REQ_POSITIONS:
        session.positionsSubscribed = true;
        for (const p of this.broker.positions()) session.send(out.position(p.account, reportedContract(p.contract), p.quantity, p.avgCost));
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
    const contract = this.registry.resolve(w);
    if (!contract) session.send(out.errorMessage(reqId, 200, twsMessage(200)));
    return contract;
  }

  /** Consumes an injected failure for this request, answering it; true when the request must not be served. */
  private injectedFailure(session: ClientSession, kind: Exclude<FailableRequestKind, 'any'>, id: number): { code: number } | undefined {
    const failure = this.failures.take(kind);
    if (!failure) return undefined;
    this.log(`injected error ${failure.code} for ${kind} request ${id}`);
    session.send(out.errorMessage(id, failure.code, failure.message));
    return { code: failure.code };
  }

  private contractDetails(session: ClientSession, reqId: number, w: WireContract): void {
    if (this.injectedFailure(session, 'contractDetails', reqId)) return;
    const found = this.registry.match(w);
    if (found.length === 0) {
      session.send(out.errorMessage(reqId, 200, twsMessage(200)));
      return;
    }
    for (const c of found) session.send(out.contractData(session.serverVersion, reqId, contractDetails(c)));
    session.send(out.contractDataEnd(reqId));
  }

  private setMarketDataType(session: ClientSession, type: number): void {
    if (![1, 2, 3, 4].includes(type)) {
      this.refuse(session, -1, `${session.label}: REQ_MARKET_DATA_TYPE: expected a type of 1, 2, 3 or 4, was ${type}`);
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
    for (const m of openingTicks(reqId, type, c.minTick, c.primaryExchange ?? c.exchange, this.market.quote(c.conId), this.epochSeconds())) session.send(m);
    if (snapshot) {
      session.send(out.tickSnapshotEnd(reqId));
      return;
    }
    session.marketData.set(reqId, sub);
  }

  private subscribeTickByTick(session: ClientSession, reqId: number, w: WireContract, tickType: string): void {
    if (this.injectedFailure(session, 'marketData', reqId)) return;
    if (!TICK_BY_TICK_TYPES.has(tickType)) {
      this.refuse(session, reqId, `${session.label}: REQ_TICK_BY_TICK_DATA: expected tickType Last, AllLast, BidAsk or MidPoint, was ${JSON.stringify(tickType)}`);
      return;
    }
    const c = this.resolve(session, reqId, w);
    if (!c) return;
    const sub = { conId: c.conId, tickType: tickType as 'Last' | 'AllLast' | 'BidAsk' | 'MidPoint' };
    session.tickByTick.set(reqId, sub);
    session.send(tickByTick(reqId, sub.tickType, this.market.quote(c.conId), this.epochSeconds(), c.primaryExchange ?? c.exchange, c.minTick));
  }

  private subscribeDepth(session: ClientSession, reqId: number, w: WireContract, numRows: number, smartDepth: boolean): void {
    if (this.injectedFailure(session, 'marketData', reqId)) return;
    const c = this.resolve(session, reqId, w);
    if (!c) return;
    const rows = Math.min(Math.max(numRows, 1), 10);
    session.depth.set(reqId, { conId: c.conId, rows, smartDepth });
    for (const m of depthBook(reqId, rows, smartDepth, this.market.quote(c.conId), c.minTick, 0)) session.send(m);
  }

  private subscribeRealTimeBars(session: ClientSession, reqId: number, w: WireContract): void {
    if (this.injectedFailure(session, 'marketData', reqId)) return;
    const c = this.resolve(session, reqId, w);
    if (!c) return;
    session.realTimeBars.set(reqId, { conId: c.conId, nextBarSec: Math.floor(this.clock.now() / 5000) * 5 });
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
      atMs: this.clock.now(),
      paced: false,
    };
    this.historicalRequests.push(record);
    if (this.injectedFailure(session, 'historical', m.reqId)) return;
    const c = this.resolve(session, m.reqId, m.contract);
    if (!c) return;
    record.conId = c.conId;
    try {
      const barSec = parseBarSize(m.barSize);
      const durationSec = parseDuration(m.duration);
      const endMs = parseEndDateTime(m.endDateTime, this.clock.now());
      const violation = this.pacer.admit({
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
        this.log(`pacing violation for historical request ${m.reqId}: ${violation}`);
        session.send(out.errorMessage(m.reqId, 162, twsMessage(162)));
        return;
      }
      const { startMs, bars } = generateBars({ contract: c, endMs, durationSec, barSec, useRth: m.useRth, formatDate: m.formatDate });
      session.send(out.historicalData(m.reqId, formatTwsTime(startMs), formatTwsTime(endMs), bars));
    } catch (error) {
      if (!(error instanceof HistoricalRequestError)) throw error;
      session.send(out.errorMessage(m.reqId, error.code, error.message));
    }
  }

  private placeOrder(session: ClientSession, w: WireOrder): void {
    const placed: PlacedOrder = {
      orderId: w.orderId,
      clientId: session.clientId,
      orderRef: w.orderRef,
      account: w.account === '' ? (this.accounts[0] as string) : w.account,
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
      receivedAtMs: this.clock.now(),
    };
    if (w.lmtPrice !== undefined) placed.lmtPrice = w.lmtPrice;
    if (w.auxPrice !== undefined) placed.auxPrice = w.auxPrice;
    this.placeOrderLog.push(placed);
    const failure = this.failures.take('placeOrder');
    const c = this.registry.resolve(w.contract);
    if (c) placed.contract.conId = c.conId;
    if (failure) {
      this.log(`injected error ${failure.code} for order ${w.orderId}`);
      if (failure.code === 201 && c && !this.broker.order(w.orderId)) this.broker.reject(placed, c, failure.message.replace(/^Order rejected - reason:/, ''));
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
    if (!this.accounts.includes(placed.account)) {
      session.send(out.errorMessage(w.orderId, 201, `Order rejected - reason:account ${placed.account} is not one of ${this.accounts.join(',')}`));
      return;
    }
    if (!(w.totalQuantity > 0)) {
      session.send(out.errorMessage(w.orderId, 201, `Order rejected - reason:expected totalQuantity > 0, was ${w.totalQuantity}`));
      return;
    }
    this.broker.place(placed, c, w.ocaType ?? 0);
  }

  // ---- reports -------------------------------------------------------------------------------

  private reportedOrder(order: BrokerOrder): out.ReportedOrder {
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
    return reported;
  }

  private orderMessages(order: BrokerOrder, v: number): Parameters<ClientSession['send']>[0][] {
    const p = order.placed;
    return [
      out.openOrder(v, reportedContract(order.contract), this.reportedOrder(order)),
      out.orderStatus(p.orderId, order.status, order.filled, p.totalQuantity - order.filled, order.avgFillPrice, order.permId, p.parentId, order.lastFillPrice, p.clientId),
    ];
  }

  private sendOrderState(order: BrokerOrder): void {
    for (const session of this.readySessions()) {
      if (session.clientId !== order.placed.clientId) continue;
      for (const m of this.orderMessages(order, session.serverVersion)) session.send(m);
    }
  }

  private executionMessages(session: ClientSession, reqId: number, e: BrokerExecution): Parameters<ClientSession['send']>[0][] {
    const c = reportedContract(e.contract);
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
    return [out.executionData(session.serverVersion, reqId, c, reported), out.commissionReport(e.execId, e.commission, 'USD', e.realizedPnl)];
  }

  private sendExecution(execution: BrokerExecution, order: BrokerOrder): void {
    for (const session of this.readySessions()) {
      if (session.clientId !== order.placed.clientId) continue;
      for (const m of this.executionMessages(session, -1, execution)) session.send(m);
    }
  }

  private reportOpenOrders(session: ClientSession, all: boolean): void {
    for (const order of this.broker.openOrders()) {
      if (!all && order.placed.clientId !== session.clientId) continue;
      for (const m of this.orderMessages(order, session.serverVersion)) session.send(m);
    }
    session.send(out.openOrderEnd());
  }

  private reportExecutions(session: ClientSession, reqId: number, f: Extract<ClientMessage, { id: typeof OUT.REQ_EXECUTIONS }>['filter']): void {
    let sinceMs = 0;
    if (f.time !== '') {
      try {
        sinceMs = parseEndDateTime(f.time, this.clock.now());
      } catch (error) {
        if (!(error instanceof HistoricalRequestError)) throw error;
        this.refuse(session, reqId, `${session.label}: REQ_EXECUTIONS: expected filter.time like "20250102-14:30:00", was ${JSON.stringify(f.time)}`);
        return;
      }
    }
    for (const e of this.broker.executions()) {
      if (f.clientId !== undefined && f.clientId !== 0 && e.clientId !== f.clientId) continue;
      if (f.account !== '' && e.account !== f.account) continue;
      if (e.timeMs < sinceMs) continue;
      if (f.symbol !== '' && e.contract.symbol.toUpperCase() !== f.symbol.toUpperCase()) continue;
      if (f.secType !== '' && reportedContract(e.contract).secType !== f.secType.toUpperCase()) continue;
      if (f.exchange !== '' && ![e.contract.exchange, e.contract.primaryExchange].includes(f.exchange.toUpperCase())) continue;
      if (f.side !== '' && (f.side.toUpperCase().startsWith('B') ? 'BOT' : 'SLD') !== e.side) continue;
      for (const m of this.executionMessages(session, reqId, e)) session.send(m);
    }
    session.send(out.executionDataEnd(reqId));
  }

  private markOf = (conId: number): number => this.market.quote(conId).last;

  private accountSummary(session: ClientSession, reqId: number, tagList: string): void {
    const tags = tagList.split(',').map((t) => t.trim()).filter((t) => t !== '');
    session.accountSummaries.set(reqId, tags);
    for (const account of this.accounts) {
      for (const v of selectTags(accountValues(this.broker, account, this.markOf), tags)) session.send(out.accountSummary(reqId, account, v.tag, v.value, v.currency));
    }
    session.send(out.accountSummaryEnd(reqId));
  }

  private accountUpdates(session: ClientSession, subscribe: boolean, requested: string): void {
    if (!subscribe) {
      session.accountUpdates = undefined;
      return;
    }
    const account = requested === '' ? (this.accounts[0] as string) : requested;
    if (!this.accounts.includes(account)) {
      this.refuse(session, -1, `${session.label}: REQ_ACCOUNT_DATA: expected one of the managed accounts ${this.accounts.join(',')}, got ${account}`);
      return;
    }
    session.accountUpdates = account;
    this.sendAccountSnapshot(session, account);
    session.send(out.accountDownloadEnd(account));
  }

  private sendAccountSnapshot(session: ClientSession, account: string): void {
    for (const v of accountValues(this.broker, account, this.markOf)) session.send(out.accountValue(v.tag, v.value, v.currency, account));
    for (const m of markPositions(this.broker, account, this.markOf)) {
      const p = m.position;
      session.send(out.portfolioValue(reportedContract(p.contract), p.quantity, m.marketPrice, m.marketValue, p.avgCost, m.unrealizedPnl, p.realizedPnl, account));
    }
    const d = new Date(this.clock.now());
    session.send(out.accountUpdateTime(`${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`));
  }

  /** After a fill: streamed positions, account summaries and account updates of every subscribed client. */
  private sendAccountUpdates(account: string): void {
    const values = accountValues(this.broker, account, this.markOf);
    const positions = this.broker.positions().filter((p) => p.account === account);
    for (const session of this.readySessions()) {
      if (session.positionsSubscribed) for (const p of positions) session.send(out.position(account, reportedContract(p.contract), p.quantity, p.avgCost));
      for (const [reqId, tags] of session.accountSummaries) {
        for (const v of selectTags(values, tags)) session.send(out.accountSummary(reqId, account, v.tag, v.value, v.currency));
      }
      if (session.accountUpdates === account) this.sendAccountSnapshot(session, account);
    }
  }

  // ---- market ---------------------------------------------------------------------------------

  private epochSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  private subscribedConIds(): Set<number> {
    const ids = new Set<number>();
    for (const s of this.readySessions()) {
      for (const sub of s.marketData.values()) ids.add(sub.conId);
      for (const sub of s.tickByTick.values()) ids.add(sub.conId);
      for (const sub of s.depth.values()) ids.add(sub.conId);
      for (const sub of s.realTimeBars.values()) ids.add(sub.conId);
    }
    return ids;
  }

  private marketStep(): void {
    if (this.connectivityLost || this.marketFarmDown) return;
    for (const conId of this.subscribedConIds()) {
      this.market.step(conId);
      this.publishQuote(conId);
      this.broker.onQuote(conId);
    }
  }

  private publishQuote(conId: number): void {
    if (this.connectivityLost || this.marketFarmDown) return;
    const c = this.registry.get(conId);
    if (!c) return;
    const q = this.market.quote(conId);
    const now = this.epochSeconds();
    for (const s of this.readySessions()) {
      for (const [reqId, sub] of s.marketData) {
        if (sub.conId !== conId || sub.silent) continue;
        const type = sub.forcedType ?? s.marketDataType;
        if (isFrozen(type)) continue;
        for (const m of quoteTicks(reqId, type, q, now, false)) s.send(m);
      }
      for (const [reqId, sub] of s.tickByTick) if (sub.conId === conId) s.send(tickByTick(reqId, sub.tickType, q, now, c.primaryExchange ?? c.exchange, c.minTick));
      for (const [reqId, sub] of s.depth) if (sub.conId === conId) for (const m of depthBook(reqId, sub.rows, sub.smartDepth, q, c.minTick, 1)) s.send(m);
    }
  }

  private realTimeBarStep(): void {
    if (this.connectivityLost || this.marketFarmDown) return;
    const windows = new Map<number, ReturnType<MarketSimulator['takeWindow']>>();
    for (const s of this.readySessions()) {
      for (const [reqId, sub] of s.realTimeBars) {
        let w = windows.get(sub.conId);
        if (!w) {
          w = this.market.takeWindow(sub.conId);
          windows.set(sub.conId, w);
        }
        const wap = (w.high + w.low + w.close) / 3;
        s.send(out.realTimeBar(reqId, { time: sub.nextBarSec, open: w.open, high: w.high, low: w.low, close: w.close, volume: w.volume, wap: Number(wap.toFixed(6)), count: w.count }));
        sub.nextBarSec += 5;
      }
    }
  }

  private log(line: string): void {
    this.options.logger?.(`[fake-tws] ${line}`);
  }
}

function positive(value: number, what: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new FakeTwsOptionError(`expected ${what} > 0, was ${value}`);
  return value;
}
