import { createServer, type Server, type Socket } from 'node:net';
import { ClientSession } from './client-session';
import { clientMessageName, MAX_MODELLED_SERVER_VERSION, MIN_MODELLED_SERVER_VERSION, OUT, parseClientMessage, type ClientMessage } from './client-messages';
import { ContractRegistry, DEFAULT_FAKE_TWS_CONTRACTS } from './contract-registry';
import { systemClock, type FakeTwsClock } from './fake-clock';
import type { FailableRequestKind, FakeTws, FakeTwsOptions, HistoricalRequestRecord, PlacedOrder } from './fake-tws-types';
import { FailureQueue, twsMessage } from './faults';
import { ClientMessageError } from './field-reader';
import type { InboundFrame } from './framing';
import { formatTwsTime } from './tws-time';
import { HistoricalPacer } from './historical-pacing';
import { MarketSimulator } from './market-simulator';
import { MarketStreamer } from './market-streamer';
import { PaperBroker } from './paper-broker';
import { RequestHandlers } from './request-handlers';
import * as out from './server-messages';

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
  private readonly streamer: MarketStreamer;
  private readonly handlers: RequestHandlers;
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
    this.streamer = new MarketStreamer(this.market, this.registry, this.clock, () => this.readySessions(), () => this.marketPaused());
    this.broker = new PaperBroker(
      this.clock,
      (conId) => this.market.quote(conId),
      options.firstOrderId ?? 1,
      this.accounts,
      options.startingCash ?? 1_000_000,
      options.fillPolicy,
      {
        orderChanged: (order) => this.handlers.sendOrderState(order),
        executed: (execution, order) => this.handlers.sendExecution(execution, order),
        orderError: (order, code, message) => this.toClient(order.clientId, out.errorMessage(order.orderId, code, message)),
        accountChanged: (account) => this.handlers.sendAccountUpdates(account),
      },
    );
    this.handlers = new RequestHandlers({
      clock: this.clock,
      accounts: this.accounts,
      registry: this.registry,
      market: this.market,
      broker: this.broker,
      pacer: this.pacer,
      failures: this.failures,
      placeOrderLog: this.placeOrderLog,
      historicalRequests: this.historicalRequests,
      readySessions: () => this.readySessions(),
      refuse: (session, id, line) => this.refuse(session, id, line),
      log: (line) => this.log(line),
    });
    const quoteInterval = positive(options.quoteIntervalMs ?? 50, 'quoteIntervalMs');
    const barInterval = positive(options.realTimeBarIntervalMs ?? 5000, 'realTimeBarIntervalMs');
    this.timers.push(setInterval(() => this.marketStep(), quoteInterval), setInterval(() => this.streamer.realTimeBars(), barInterval));
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
    // Closed while down: the test is over, the port must stay free.
    if (this.closed) return;
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
    this.streamer.publish(contract.conId);
    this.broker.onQuote(contract.conId);
  }

  fillOrder(orderId: number, quantity: number, price?: number, clientId?: number): void {
    this.broker.fill(orderId, quantity, price, clientId);
  }

  withholdCommissions(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`expected withholdCommissions(count) with an integer count >= 0, was ${count}`);
    this.handlers.withholdCommissions(count);
  }

  releaseCommissions(): number {
    return this.handlers.releaseCommissions();
  }

  loseNextOrders(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`expected loseNextOrders(count) with an integer count >= 0, was ${count}`);
    this.handlers.loseNextOrders(count);
  }

  accountSummarySubscriptions(): number {
    let count = 0;
    for (const session of this.readySessions()) count += session.accountSummaries.size;
    return count;
  }

  cancelOrder(orderId: number, clientId?: number): void {
    this.broker.cancelByBroker(orderId, clientId);
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
    try {
      this.handlers.dispatch(session, message);
    } catch (error) {
      // A fake that crashes the test process on a bug of its own would hide what the client did.
      this.refuse(session, -1, `${session.label}: the fake failed serving ${clientMessageName(message.id)}: ${(error as Error).stack ?? String(error)}`);
    }
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
    session.send(out.nextValidId(this.broker.nextValidId(clientId)));
    for (const code of [2104, 2106, 2158]) session.send(out.errorMessage(-1, code, twsMessage(code)));
    for (const waiter of [...this.waiters]) waiter();
  }

  // ---- market ---------------------------------------------------------------------------------

  private marketStep(): void {
    this.broker.expireOrders();
    if (this.marketPaused()) return;
    for (const conId of this.streamer.subscribedConIds()) {
      this.market.step(conId);
      this.streamer.publish(conId);
      this.broker.onQuote(conId);
    }
  }

  private marketPaused(): boolean {
    return this.connectivityLost || this.marketFarmDown;
  }

  private log(line: string): void {
    this.options.logger?.(`[fake-tws] ${line}`);
  }
}

function positive(value: number, what: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new FakeTwsOptionError(`expected ${what} > 0, was ${value}`);
  return value;
}
