import type { CommissionReport, Contract, Execution, Order as IbOrder, OrderState as IbOrderState } from '@stoqey/ib';
import {
  Decimal,
  type AccountState,
  type CancelAllOrdersCommand,
  type CancelOrderCommand,
  type Clock,
  type ConnectionState,
  type Fill,
  type Instrument,
  type ModifyOrderCommand,
  type OrderSpec,
  type PositionSnapshot,
  type UnixNanos,
  type VenueStatus,
} from '@ttquant/domain';
import {
  DisconnectedError,
  DuplicateOrderError,
  InvalidOrderError,
  Listeners,
  OrderNotFoundError,
  requireCapability,
  requireOrderSupported,
  type AdapterLogger,
  type ExecutionCapabilities,
  type ExecutionClient,
  type ExecutionReport,
  type OrderQuery,
  type Unsubscribe,
  type VenueOrderReport,
} from '@ttquant/gateway-api';
import { maskAccount } from './config';
import type { IbConnection, IbConnectionLease, IbIdMessage, IbLinkStatus, IbNotice, IbSession } from './connection/ib-connection';
import type { IbInstrumentProvider } from './instrument-provider';
import { commissionOf, toFill } from './parsing/executions';
import { classifyIbMessage } from './parsing/ib-errors';
import { toPrice, toSize } from './parsing/market-data';
import { IB_ORDER_TYPES, TTQ_ORDER_TYPES, toIbOrder } from './parsing/orders';
import { formatIbUtc } from './parsing/times';
import { IbOrderTracker, orderKey, reportOf, sameDecimal, sameReport, statusOf, untouchedProgress, validPrice, type TrackedOrder } from './execution/order-tracker';
import { IbAccountStream } from './execution/account-stream';
import { IbFillMatcher } from './execution/fill-matcher';
import { MODIFY_LOST, planReconnect, settle } from './execution/reconciler';
import { SharedRound } from './execution/shared-round';

/** What IB's execution side can do through this adapter. */
export const IB_EXECUTION_CAPABILITIES: ExecutionCapabilities = {
  orderTypes: ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'],
  timeInForce: ['DAY', 'GTC', 'IOC', 'GTD'],
  modify: true,
  cancelAll: true,
  brackets: true,
  oco: true,
  reduceOnly: false,
  postOnly: false,
  outsideRth: true,
  executionHistory: true,
};

export { IB_ACCOUNT_TAGS } from './execution/account-stream';

// Codes that refuse a cancel or modify of a working order: the order itself is unchanged.
const REFUSALS_OF_WORKING_ORDERS = new Set([104, 105, 161, 10147, 10148]);
// Codes about an order that are not refusals.
const ORDER_NOTICES = new Set([202, 399, 2109, 2137, 10167]);
// "Order rejected": IB refuses the order itself (or, answering a modify, the change).
const ORDER_REJECTED = 201;
// "Order to cancel not found".
const ORDER_NOT_FOUND = 10147;
const RECONCILE_RETRY_MS = 2_000;
// A fill late for its commission asks IB for the execution this many times before it goes out without one.
const COMMISSION_REQUERIES = 3;

/** An execution from a query, with what the fill matcher needs to take it. */
interface QueriedExecution {
  readonly fill: Fill;
  readonly clientId: number;
  readonly execution: Execution;
  readonly contract: Contract;
  readonly receivedAt: UnixNanos;
}

/** Options of {@link IbExecutionClient}. */
export interface IbExecutionClientOptions {
  readonly venue: string;
  readonly clock: Clock;
  readonly commissionWaitMs: number;
  /** IB's account id from IB_ACCOUNT (a secret, used on the wire only); empty: the session's first managed account. */
  readonly account: string;
  /**
   * TTQuant's name for the account: what orders name and every report, fill,
   * position and account state carries. Empty: IB's account id itself.
   */
  readonly accountName?: string;
  readonly logger?: AdapterLogger;
}

/**
 * The execution half of the IB adapter for one account.
 *
 * Orders carry the client order id as `orderRef`; order ids come from the
 * connection's allocator (seeded by nextValidId). Reports are built from
 * openOrder and orderStatus; fills from execDetails completed by their
 * commissionReport (matched by execId), each emitted before the order report
 * that counts it. After every (re)connect the client reconciles before it
 * reports CONNECTED and accepts orders: open orders (all clients, so orders
 * placed by hand show up as external), executions since the last one it saw
 * (missed fills are emitted), positions; in-flight orders the broker no longer
 * works are settled as filled or cancelled from the executions.
 */
export class IbExecutionClient implements ExecutionClient {
  readonly venue: string;
  readonly capabilities = IB_EXECUTION_CAPABILITIES;
  private state: ConnectionState = 'DISCONNECTED';
  private reconciled = false;
  private connected = false;
  private readonly reports = new Listeners<ExecutionReport>();
  private readonly orders = new IbOrderTracker();
  private readonly fills: IbFillMatcher;
  private readonly positionsByConId = new Map<number, { contract: Contract; quantity: number; avgCost: number }>();
  /** Realised PnL per symbol from IB's commission reports (net of commissions), this session. */
  private readonly realized = new Map<string, Decimal>();
  private readonly accountStream: IbAccountStream;
  private lastExecutionTime: UnixNanos | undefined;
  private startedAt: UnixNanos = 0n;
  private readonly positionsRound: SharedRound<object, PositionSnapshot[]>;
  /** Collects the keys of the orders IB lists, and the placement count when the request went out. */
  private readonly openOrdersRound: SharedRound<{ readonly keys: Set<string>; readonly seq: number }, VenueOrderReport[]>;
  /** Counts orders placed by this client; an open-orders round remembers it when it goes out. */
  private placeSeq = 0;
  /** The session (of the connection) this client last reconciled or is reconciling. */
  private session = 0;
  private readonly executionQueries = new Map<number, { executions: { contract: Contract; execution: Execution }[]; resolve: () => void }>();
  private readonly stops: Unsubscribe[] = [];
  private lease: IbConnectionLease | undefined;
  private reconciling: Promise<void> | undefined;

  constructor(
    private readonly connection: IbConnection,
    private readonly instruments: IbInstrumentProvider,
    private readonly options: IbExecutionClientOptions,
  ) {
    this.venue = options.venue;
    this.openOrdersRound = new SharedRound(connection, {
      description: 'open orders',
      start: () => ({ keys: new Set<string>(), seq: this.placeSeq }),
      send: (api) => api.reqAllOpenOrders(),
      finish: (state) => this.workingReports(state.keys),
    });
    this.positionsRound = new SharedRound(connection, {
      description: 'positions',
      start: () => ({}),
      send: (api) => api.reqPositions(),
      finish: () => this.positionSnapshots(),
    });
    this.accountStream = new IbAccountStream(connection, {
      venue: options.venue,
      ibAccount: () => this.ibAccount,
      accountName: () => this.account,
      emit: (state) => {
        if (this.connected) this.reports.emit({ kind: 'account', state });
      },
    });
    this.fills = new IbFillMatcher({
      commissionWaitMs: options.commissionWaitMs,
      maxRequeries: COMMISSION_REQUERIES,
      ...(options.logger ? { logger: options.logger } : {}),
      toFill: (execution, contract, commission, receivedAt) => this.fillOf(execution, contract, commission, receivedAt),
      emit: (fill, commission, execution) => this.emitFill(fill, commission, execution),
      requery: (since) => {
        if (!this.connected || !this.connection.ready) return false;
        this.queryExecutions(since).catch((error: unknown) => this.options.logger?.warn({ err: error }, 'IB executions query for a late commission failed'));
        return true;
      },
    });
  }

  /** The account as TTQuant names it (orders, reports, fills, positions); IB's id until connected when no name was given. */
  get account(): string {
    return this.options.accountName || this.ibAccount;
  }

  /** IB's id of the account traded (a secret: for the wire and masked display only), known once connected. */
  get ibAccount(): string {
    return this.connection.account || this.options.account;
  }

  /** The name an account of IB is reported under: this account's name; another account's id masked. */
  private nameOf(ibAccount: string): string {
    return ibAccount === '' || ibAccount === this.ibAccount ? this.account : maskAccount(ibAccount);
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connected = true;
    this.startedAt = this.options.clock.nowNanos();
    this.listen();
    try {
      this.lease = await this.connection.lease();
      // The first session may have become ready before this client listened.
      if (!this.reconciled) await this.reconcile(this.connection.session);
    } catch (error) {
      this.connected = false;
      for (const stop of this.stops.splice(0)) stop();
      await this.lease?.release();
      this.lease = undefined;
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.reconciled = false;
    for (const stop of this.stops.splice(0)) stop();
    const dropped = this.fills.clear();
    if (dropped.length > 0) {
      // The gateway's reconciliation at the next start gets them from executionsSince.
      this.options.logger?.warn({ execIds: dropped }, 'IB fills still waiting for their commission dropped at disconnect');
    }
    await this.lease?.release();
    this.lease = undefined;
    this.setState('DISCONNECTED', 'disconnected by the adapter');
  }

  onReport(handler: (report: ExecutionReport) => void): Unsubscribe {
    return this.reports.add(handler);
  }

  async submit(spec: OrderSpec): Promise<void> {
    requireOrderSupported(this.capabilities, spec, this.venue);
    this.requireOwnAccount(spec);
    const instrument = this.instruments.get(spec.instrument);
    if (this.orders.has(spec.clientOrderId)) {
      throw new DuplicateOrderError(`expected a new client order id, ${spec.clientOrderId} is already known to IB`);
    }
    this.requireReady(`submit order ${spec.clientOrderId}`);
    let parentId: number | undefined;
    if (spec.parentClientOrderId !== undefined) {
      const parent = this.orders.find(spec.parentClientOrderId);
      if (!parent) {
        throw new InvalidOrderError(`expected parent order ${spec.parentClientOrderId} of ${spec.clientOrderId} to be known, it is not`);
      }
      parentId = parent.orderId;
    }
    const ibOrder = toIbOrder(spec, { account: this.ibAccount, ...(parentId !== undefined ? { parentId } : {}) });
    this.place(spec, instrument, ibOrder);
  }

  /**
   * Sends a bracket as IB wants it: the parent and the take-profit held back
   * (`transmit = false`), the stop-loss last with `transmit = true`, which
   * releases all three at once; the two children share an OCA group so one
   * cancels the other. Each child names the parent in `parentClientOrderId`.
   * @throws NotSupportedError, UnknownInstrumentError, DuplicateOrderError or DisconnectedError as {@link submit}.
   */
  async submitBracket(parent: OrderSpec, takeProfit: OrderSpec, stopLoss: OrderSpec): Promise<void> {
    for (const spec of [parent, takeProfit, stopLoss]) {
      requireOrderSupported(this.capabilities, { ...spec, parentClientOrderId: undefined }, this.venue);
      this.requireOwnAccount(spec);
      if (this.orders.has(spec.clientOrderId)) {
        throw new DuplicateOrderError(`expected a new client order id, ${spec.clientOrderId} is already known to IB`);
      }
    }
    for (const child of [takeProfit, stopLoss]) {
      if (child.parentClientOrderId !== parent.clientOrderId) {
        throw new InvalidOrderError(
          `expected bracket child ${child.clientOrderId} to name parent ${parent.clientOrderId}, was ${String(child.parentClientOrderId)}`,
        );
      }
    }
    const instrument = this.instruments.get(parent.instrument);
    this.requireReady(`submit bracket ${parent.clientOrderId}`);
    const parentOrder = toIbOrder(parent, { account: this.ibAccount, transmit: false });
    const parentId = this.place(parent, instrument, parentOrder);
    const oca = `${parent.clientOrderId}oca`;
    this.place(takeProfit, instrument, {
      ...toIbOrder({ ...takeProfit, ocoGroup: takeProfit.ocoGroup ?? oca }, { account: this.ibAccount, parentId, transmit: false }),
    });
    this.place(stopLoss, instrument, {
      ...toIbOrder({ ...stopLoss, ocoGroup: stopLoss.ocoGroup ?? oca }, { account: this.ibAccount, parentId, transmit: true }),
    });
  }

  async cancel(command: CancelOrderCommand): Promise<void> {
    const tracked = this.workingOrder(command.clientOrderId, 'cancel');
    this.requireReady(`cancel order ${command.clientOrderId}`);
    this.sendCancel(tracked);
  }

  async modify(command: ModifyOrderCommand): Promise<void> {
    requireCapability(this.capabilities, 'modify', this.venue);
    const tracked = this.workingOrder(command.clientOrderId, 'modify');
    this.requireReady(`modify order ${command.clientOrderId}`);
    const quantity = command.quantity ?? tracked.quantity;
    if (!quantity.isPositive()) throw new InvalidOrderError(`expected a positive quantity for ${command.clientOrderId}, was ${quantity.toString()}`);
    const order: IbOrder = {
      ...(tracked.ibOrder ?? {
        action: tracked.spec.side as IbOrder['action'],
        orderType: IB_ORDER_TYPES[tracked.spec.type] as IbOrder['orderType'],
        tif: tracked.spec.timeInForce as IbOrder['tif'],
        orderRef: tracked.clientOrderId,
        account: tracked.account,
      }),
      totalQuantity: quantity.toNumber(),
      transmit: true,
    };
    const limit = command.limitPrice ?? tracked.limitPrice;
    const stop = command.stopPrice ?? tracked.stopPrice;
    if (limit !== undefined && (tracked.spec.type === 'LIMIT' || tracked.spec.type === 'STOP_LIMIT')) order.lmtPrice = limit.toNumber();
    if (stop !== undefined && (tracked.spec.type === 'STOP' || tracked.spec.type === 'STOP_LIMIT')) order.auxPrice = stop.toNumber();
    tracked.pendingModify = true;
    this.connection.send(`modify order ${command.clientOrderId}`, (api) => api.placeOrder(tracked.orderId, tracked.contract, order));
  }

  async cancelAll(command: CancelAllOrdersCommand): Promise<void> {
    this.requireReady('cancel all orders');
    const open = await this.openOrders();
    for (const report of open) {
      const tracked = this.orders.find(report.clientOrderId);
      // Orders of other API clients or placed by hand cannot be cancelled from this client.
      if (!tracked || tracked.clientId !== this.connection.clientId) continue;
      if (command.instrument && (command.instrument.symbol !== tracked.instrument.id.symbol || command.instrument.venue !== this.venue)) continue;
      if (command.strategyId !== undefined && tracked.strategyId !== command.strategyId) continue;
      this.sendCancel(tracked);
    }
  }

  /** Sends a cancel and remembers it until IB confirms or refuses it (a cancel lost with the socket is resent). */
  private sendCancel(tracked: TrackedOrder): void {
    tracked.pendingCancel = true;
    this.connection.send(`cancel order ${tracked.clientOrderId}`, (api) => api.cancelOrder(tracked.orderId));
  }

  async openOrders(): Promise<VenueOrderReport[]> {
    return this.openOrdersRound.run();
  }

  /** The open orders of this account in a finished round: working ones only. */
  private workingReports(keys: ReadonlySet<string>): VenueOrderReport[] {
    const reports: VenueOrderReport[] = [];
    for (const key of keys) {
      const tracked = this.orders.get(key);
      if (!tracked || tracked.account !== this.ibAccount) continue;
      const report = reportOf(tracked, this.options.clock.nowNanos(), this.account);
      if (report && (report.status === 'ACCEPTED' || report.status === 'PARTIALLY_FILLED' || report.status === 'PENDING_CANCEL')) {
        reports.push(report);
      }
    }
    return reports;
  }

  async orderStatus(query: OrderQuery): Promise<VenueOrderReport | undefined> {
    const tracked = this.orders.find(query.clientOrderId);
    if (!tracked) return undefined;
    return reportOf(tracked, this.options.clock.nowNanos(), this.nameOf(tracked.account));
  }

  async positions(): Promise<PositionSnapshot[]> {
    return this.positionsRound.run();
  }

  async accountState(): Promise<AccountState> {
    this.requireReady('read the account summary');
    return this.accountStream.state();
  }

  async executionsSince(since?: UnixNanos): Promise<Fill[]> {
    return (await this.queryExecutions(since)).map((e) => e.fill);
  }

  /** The account's executions since `since` (IB filters by whole seconds), oldest first, with the client id that placed each. */
  private async queryExecutions(since?: UnixNanos): Promise<QueriedExecution[]> {
    const slot = this.connection.openRequest<void>('executions');
    const query = { executions: [] as { contract: Contract; execution: Execution }[], resolve: () => slot.resolve() };
    this.executionQueries.set(slot.reqId, query);
    try {
      this.connection.send('request executions', (api) =>
        api.reqExecutions(slot.reqId, {
          acctCode: this.ibAccount,
          ...(since !== undefined ? { time: formatIbUtc(since) } : {}),
        }),
      );
      await slot.promise;
    } catch (error) {
      slot.reject(error as Error);
      throw error;
    } finally {
      this.executionQueries.delete(slot.reqId);
    }
    await this.fills.waitForCommissions(query.executions.map((e) => e.execution.execId ?? ''));
    const receivedAt = this.options.clock.nowNanos();
    // IB execution times have whole seconds: an execution in the second of `since` counts.
    const floor = since === undefined ? undefined : since - (since % 1_000_000_000n);
    const fills = query.executions
      .map(({ contract, execution }) => ({
        fill: this.fillOf(execution, contract, this.fills.commissionOf(execution.execId ?? ''), receivedAt),
        clientId: execution.clientId ?? -1,
        execution,
        contract,
        receivedAt,
      }))
      .filter(({ fill }) => floor === undefined || fill.eventTime >= floor);
    fills.sort((a, b) => (a.fill.eventTime < b.fill.eventTime ? -1 : a.fill.eventTime > b.fill.eventTime ? 1 : 0));
    return fills;
  }

  private place(spec: OrderSpec, instrument: Instrument, ibOrder: IbOrder): number {
    const orderId = this.connection.nextOrderId();
    const contract = this.instruments.contractOf(spec.instrument);
    const clientId = this.connection.clientId;
    const tracked: TrackedOrder = {
      key: orderKey(clientId, orderId, undefined),
      clientId,
      clientOrderId: spec.clientOrderId,
      orderId,
      instrument,
      contract,
      strategyId: spec.strategyId,
      spec: { side: spec.side, type: spec.type, timeInForce: spec.timeInForce },
      quantity: spec.quantity,
      ...(spec.limitPrice !== undefined ? { limitPrice: spec.limitPrice } : {}),
      ...(spec.stopPrice !== undefined ? { stopPrice: spec.stopPrice } : {}),
      ...untouchedProgress(),
      placedSeq: ++this.placeSeq,
      session: this.session,
      account: this.ibAccount,
      ibOrder,
    };
    this.orders.track(tracked);
    this.connection.send(`submit order ${spec.clientOrderId}`, (api) => api.placeOrder(orderId, contract, ibOrder));
    return orderId;
  }

  private workingOrder(clientOrderId: string, action: string): TrackedOrder {
    const tracked = this.orders.find(clientOrderId);
    const status = tracked ? statusOf(tracked) : undefined;
    if (!tracked || status === 'FILLED' || status === 'CANCELED' || status === 'REJECTED' || status === 'EXPIRED') {
      throw new OrderNotFoundError(`cannot ${action} ${clientOrderId}: IB has no working order with this client order id`);
    }
    return tracked;
  }

  /**
   * An order for another account must never be placed on this one. The order's
   * account is shown masked (it may be an IB id), and so is this one's unless it has a name.
   */
  private requireOwnAccount(spec: OrderSpec): void {
    const account = this.account;
    if (spec.account !== '' && account !== '' && spec.account !== account) {
      const shown = this.options.accountName ? account : maskAccount(account);
      throw new InvalidOrderError(`expected order ${spec.clientOrderId} for account ${shown}, it names ${maskAccount(spec.account)}`);
    }
  }

  private requireReady(what: string): void {
    if (!this.connection.ready || !this.reconciled) {
      throw new DisconnectedError(`cannot ${what}: IB execution connection is ${this.state.toLowerCase()}`);
    }
    if (this.state === 'DEGRADED') throw new DisconnectedError(`cannot ${what}: TWS has lost its connection to IB`);
  }

  private listen(): void {
    const c = this.connection;
    this.stops.push(
      c.onStatus((status) => this.onLinkStatus(status)),
      c.onSession((session) => this.onSession(session)),
      c.onNotice((notice) => this.onNotice(notice)),
      c.onOrderError((error) => this.onOrderError(error)),
      c.on('openOrder', (orderId, contract, order, state) => this.onOpenOrder(orderId, contract, order, state)),
      c.on('openOrderEnd', () => this.openOrdersRound.end()),
      c.on('orderStatus', (orderId, status, filled, remaining, avgFillPrice, permId, _parentId, _lastFillPrice, clientId, whyHeld) =>
        this.onOrderStatus(orderKey(clientId ?? c.clientId, orderId, permId), status, filled, remaining, avgFillPrice, whyHeld),
      ),
      c.on('execDetails', (reqId, contract, execution) => this.onExecDetails(reqId, contract, execution)),
      c.on('execDetailsEnd', (reqId) => this.onExecDetailsEnd(reqId)),
      c.on('commissionReport', (report) => this.fills.onCommission(report)),
      c.on('position', (account, contract, position, avgCost) => this.onPosition(account, contract, position, avgCost)),
      c.on('positionEnd', () => this.onPositionEnd()),
      c.on('accountSummary', (reqId, account, tag, value, currency) => this.accountStream.onValue(reqId, account, tag, value, currency)),
      c.on('accountSummaryEnd', (reqId) => this.accountStream.onEnd(reqId)),
    );
  }

  private onLinkStatus(status: IbLinkStatus): void {
    if (!this.connected) return;
    if (status.state === 'CONNECTED') {
      // CONNECTED is reported once reconciled (see onSession); 1101/1102 restore a degraded session.
      if (this.reconciled && this.state === 'DEGRADED') this.setState('CONNECTED', status.reason);
      return;
    }
    if (status.state !== 'DEGRADED') this.reconciled = false;
    this.setState(status.state, status.reason);
  }

  private onSession(session: IbSession): void {
    if (!this.connected) return;
    this.reconciled = false;
    this.accountStream.reset();
    this.reconcileOrRetry(session.number);
  }

  /** Reconciles; on failure (a query timed out) tries again while the session lasts, orders refused meanwhile. */
  private reconcileOrRetry(session: number): void {
    this.reconcile(session).catch((error: unknown) => {
      this.options.logger?.error({ err: error }, 'IB reconciliation failed; retrying, orders refused meanwhile');
      const timer = setTimeout(() => {
        if (this.connected && this.connection.ready && !this.reconciled) this.reconcileOrRetry(session);
      }, RECONCILE_RETRY_MS);
      timer.unref?.();
    });
  }

  private onNotice(notice: IbNotice): void {
    if (!this.connected) return;
    if (notice.code === 1102 || notice.code === 1101) {
      // The session survived TWS's own reconnect: check that nothing changed while it was away.
      void this.verify('restore').catch((error: unknown) => this.options.logger?.warn({ err: error }, 'IB verification after a restore failed'));
    }
  }

  /** Reconciles with the broker, then reports CONNECTED and accepts orders. */
  private reconcile(session: number): Promise<void> {
    if (this.reconciling) return this.reconciling;
    this.session = session;
    const run = (async () => {
      this.accountStream.subscribe(this.session);
      await this.verify('session');
      this.reconciled = true;
      this.options.logger?.info({ session, orders: this.orders.size }, 'IB execution reconciled');
      this.setState('CONNECTED', session <= 1 ? 'connected and reconciled' : 'reconnected and reconciled');
    })();
    this.reconciling = run;
    const clear = (): void => {
      if (this.reconciling === run) this.reconciling = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  /**
   * Brings every tracked order up to date with the broker: open orders, then
   * executions since the last one seen (missed fills emitted), then, after a
   * new session only, settles the orders IB no longer works.
   *
   * `restore` (1101/1102): TWS kept the API session, so nothing sent was lost
   * and orders may be placed meanwhile: statuses and fills are refreshed, but
   * no order is settled by its absence from the open-orders round.
   * `session` (a new socket): orders are refused until this ends. Every own
   * order placed before the round that IB neither works nor executed is over:
   * cancelled, or, with no trace at IB at all, lost on the way (it was written
   * to a dying socket or sat in the dead client's throttle queue). Working
   * orders get their report re-emitted (a modify lost in the drop leaves them
   * as they were), and cancels lost in the drop are sent again.
   */
  private async verify(mode: 'session' | 'restore'): Promise<void> {
    const round = this.openOrders();
    const roundState = this.openOrdersRound.state;
    await round;
    let since = this.lastExecutionTime ?? this.startedAt - 24n * 3_600n * 1_000_000_000n;
    const held = this.fills.earliestPending();
    if (held !== undefined && held < since) since = held;
    // Fills of this client only, as the live stream delivers them; others' come through executionsSince.
    this.offerOwn(await this.queryExecutions(since));
    if (mode === 'session' && roundState) this.settleAfterReconnect(roundState.keys, roundState.seq);
    await this.positions();
  }

  /** See {@link verify} and {@link planReconnect}. */
  private settleAfterReconnect(working: ReadonlySet<string>, seq: number): void {
    const round = { working, seq, session: this.session, clientId: this.connection.clientId };
    for (const action of planReconnect(this.orders.all(), round)) {
      const tracked = action.order;
      if (action.kind === 'settle') {
        settle(tracked, action.ibStatus, action.reason);
        this.update(tracked);
        continue;
      }
      if (action.modifyLost) {
        tracked.pendingModify = false;
        tracked.reason = MODIFY_LOST;
      }
      if (action.resendCancel) {
        this.options.logger?.warn({ clientOrderId: tracked.clientOrderId }, 'IB cancel lost in a reconnect; sent again');
        this.sendCancel(tracked);
      }
      this.update(tracked, true);
    }
  }

  private onOpenOrder(orderId: number, contract: Contract, order: IbOrder, state: IbOrderState): void {
    const account = order.account ?? '';
    const clientId = order.clientId ?? this.connection.clientId;
    const key = orderKey(clientId, orderId, order.permId);
    let tracked = this.orders.get(key);
    if (!tracked) {
      // Placed by an earlier run of this client, another client or by hand: track it to report it.
      const instrument = this.instruments.instrumentForContract(contract);
      tracked = {
        key,
        clientId,
        clientOrderId: order.orderRef ?? '',
        orderId,
        instrument,
        contract,
        strategyId: '',
        spec: {
          side: order.action === 'SELL' ? 'SELL' : 'BUY',
          type: TTQ_ORDER_TYPES[order.orderType ?? ''] ?? 'LIMIT',
          timeInForce: order.tif === 'GTC' || order.tif === 'IOC' || order.tif === 'GTD' ? order.tif : 'DAY',
        },
        quantity: toSize(order.totalQuantity ?? 0),
        ...untouchedProgress(),
        placedSeq: 0,
        session: 0,
        account: account || this.ibAccount,
      };
      this.orders.track(tracked);
    }
    this.openOrdersRound.state?.keys.add(key);
    const quantity = order.totalQuantity !== undefined ? toSize(order.totalQuantity) : tracked.quantity;
    const limit = validPrice(order.lmtPrice) !== undefined ? toPrice(tracked.instrument, order.lmtPrice as number) : undefined;
    const stop = validPrice(order.auxPrice) !== undefined ? toPrice(tracked.instrument, order.auxPrice as number) : undefined;
    const changed =
      !quantity.eq(tracked.quantity) || !sameDecimal(limit, tracked.limitPrice) || (stop !== undefined && !sameDecimal(stop, tracked.stopPrice));
    if (changed && tracked.pendingModify) tracked.amended = true;
    if (changed) {
      tracked.quantity = quantity;
      if (tracked.spec.type === 'LIMIT' || tracked.spec.type === 'STOP_LIMIT') tracked.limitPrice = limit;
      if (tracked.spec.type === 'STOP' || tracked.spec.type === 'STOP_LIMIT') tracked.stopPrice = stop;
    }
    if (state?.status) this.setIbStatus(tracked, state.status, undefined);
    tracked.raw = { orderId, order: { ...order }, state: { ...state } };
    this.update(tracked);
  }

  private onOrderStatus(key: string, status: string, filled: number, remaining: number, avgFillPrice: number, whyHeld?: string): void {
    const tracked = this.orders.get(key);
    if (!tracked) return;
    this.setIbStatus(tracked, status, whyHeld);
    const filledQty = toSize(filled ?? 0);
    if (filledQty.gt(tracked.filled)) tracked.filled = filledQty;
    if (validPrice(avgFillPrice) !== undefined && tracked.filled.isPositive()) {
      tracked.avgFillPrice = Decimal.fromNumber(avgFillPrice);
    }
    const total = toSize((filled ?? 0) + (remaining ?? 0));
    if (total.isPositive() && !total.eq(tracked.quantity) && status !== 'Cancelled' && status !== 'ApiCancelled') {
      if (tracked.pendingModify) tracked.amended = true;
      tracked.quantity = total;
    }
    this.update(tracked);
  }

  /** Takes IB's status; an inactive order is still accepted, and its report says why it does not work. */
  private setIbStatus(tracked: TrackedOrder, status: string, whyHeld: string | undefined): void {
    if (status === 'Inactive') {
      const why = whyHeld !== undefined && whyHeld !== '' ? ` (${whyHeld})` : '';
      tracked.reason = `inactive at IB${why}: accepted but not working (held or outside trading hours); it may become active`;
    } else if (tracked.ibStatus === 'Inactive') {
      tracked.reason = '';
    }
    tracked.ibStatus = status;
  }

  private onOrderError(error: IbIdMessage): void {
    const tracked = this.orders.get(orderKey(this.connection.clientId, error.id, undefined));
    if (!tracked) {
      this.options.logger?.warn({ orderId: error.id, code: error.code, message: error.message }, 'IB error for an unknown order id');
      return;
    }
    if (ORDER_NOTICES.has(error.code) || classifyIbMessage(error.code) !== 'error') return;
    const status = statusOf(tracked);
    if (status === 'FILLED' || status === 'CANCELED' || status === 'REJECTED' || status === 'EXPIRED') return;
    if (status === undefined && error.code === ORDER_NOT_FOUND) {
      // IB answers in the order it reads: a cancel it cannot find, for an order it never acknowledged, means the order never reached it.
      this.options.logger?.warn({ clientOrderId: tracked.clientOrderId, code: error.code }, 'IB does not know an order it never acknowledged');
      tracked.ibStatus = 'Cancelled';
      tracked.pendingCancel = false;
      tracked.pendingModify = false;
      tracked.reason = `never reached IB (IB ${error.code}: ${error.message})`;
      this.update(tracked);
      return;
    }
    const rejection = error.code === ORDER_REJECTED && !tracked.pendingModify && tracked.filled.isZero();
    if (!rejection && (status !== undefined || tracked.pendingModify || REFUSALS_OF_WORKING_ORDERS.has(error.code))) {
      // A cancel or modify was refused: the order is unchanged; say so, so PENDING_* goes back.
      this.options.logger?.warn({ clientOrderId: tracked.clientOrderId, code: error.code, message: error.message }, 'IB refused a change');
      tracked.pendingModify = false;
      tracked.pendingCancel = false;
      tracked.reason = `IB ${error.code}: ${error.message}`;
      this.update(tracked, true);
      return;
    }
    // Not acknowledged yet, or acknowledged (inactive) and then refused with 201: IB refused the order itself.
    tracked.rejectReason = `IB ${error.code}: ${error.message}`;
    tracked.reason = tracked.rejectReason;
    this.update(tracked);
  }

  private onExecDetails(reqId: number, contract: Contract, execution: Execution): void {
    const query = this.executionQueries.get(reqId);
    if (query) {
      query.executions.push({ contract, execution });
      return;
    }
    // An answer to a query that already ended (timed out) is dropped; live executions come with id -1.
    if (reqId !== -1) return;
    if (execution.acctNumber && execution.acctNumber !== this.ibAccount) return;
    this.fills.offer(execution, contract, this.options.clock.nowNanos());
  }

  /** Offers the executions of this client from a query (missed or held fills). */
  private offerOwn(executions: readonly QueriedExecution[]): void {
    for (const e of executions) if (e.clientId === this.connection.clientId) this.fills.offer(e.execution, e.contract, e.receivedAt);
  }

  private onExecDetailsEnd(reqId: number): void {
    this.executionQueries.get(reqId)?.resolve();
  }

  private fillOf(execution: Execution, contract: Contract, commission: CommissionReport | undefined, receivedAt: UnixNanos): Fill {
    const tracked = this.orders.get(orderKey(execution.clientId ?? this.connection.clientId, execution.orderId, execution.permId));
    const instrument = tracked?.instrument ?? this.instruments.instrumentForContract(contract);
    const fill = toFill(execution, commission, {
      instrument,
      account: this.nameOf(execution.acctNumber ?? ''),
      strategyId: tracked?.strategyId ?? '',
      receivedAt,
    });
    return fill.clientOrderId === '' && tracked ? { ...fill, clientOrderId: tracked.clientOrderId } : fill;
  }

  /** Emits a complete fill (the matcher calls this once per execId), then any order report that was waiting for it. */
  private emitFill(fill: Fill, commission: CommissionReport | undefined, execution: Execution): void {
    if (this.lastExecutionTime === undefined || fill.eventTime > this.lastExecutionTime) this.lastExecutionTime = fill.eventTime;
    const realized = commission?.realizedPNL;
    if (realized !== undefined && Number.isFinite(realized) && Math.abs(realized) < 1e12) {
      const symbol = fill.instrument.symbol;
      this.realized.set(symbol, (this.realized.get(symbol) ?? Decimal.ZERO).add(Decimal.fromNumber(realized)));
    }
    // By IB's key, as fillOf: an orderRef may be empty or repeated by another system.
    const tracked = this.orders.get(orderKey(execution.clientId ?? this.connection.clientId, execution.orderId, execution.permId));
    if (tracked) {
      tracked.emittedFilled = tracked.emittedFilled.add(fill.quantity);
      tracked.emittedFillValue = tracked.emittedFillValue.add(fill.quantity.mul(fill.price));
    }
    this.reports.emit({ kind: 'fill', fill, raw: { execId: fill.execId, commission: commissionOf(commission).toString() } });
    if (tracked?.held) this.update(tracked);
  }

  /**
   * Emits the order's report when it changed, unless it counts fills not yet
   * emitted (it is then held until they are). `force` re-emits an unchanged
   * report, to answer a refused cancel or modify.
   */
  private update(tracked: TrackedOrder, force = false): void {
    if (!this.connected) return;
    const report = reportOf(tracked, this.options.clock.nowNanos(), this.nameOf(tracked.account));
    if (!report || report.status === 'PENDING_CANCEL') return;
    if (report.filledQuantity.gt(tracked.emittedFilled)) {
      if (!tracked.held) this.watchHeld(tracked);
      tracked.held = true;
      return;
    }
    tracked.held = false;
    if (report.status === 'FILLED' || report.status === 'CANCELED' || report.status === 'REJECTED' || report.status === 'EXPIRED') {
      tracked.pendingCancel = false;
      tracked.pendingModify = false;
    }
    const last = tracked.last;
    if (!force && last && sameReport(last, report)) return;
    tracked.last = report;
    if (report.amended) {
      tracked.amended = false;
      tracked.pendingModify = false;
    }
    this.reports.emit(report);
  }

  /**
   * A report waits for fills IB has not sent (yet). If they do not come with
   * their commissions in time, the executions are asked for once: a lost
   * execDetails must not hold the order's report until the next reconnect.
   */
  private watchHeld(tracked: TrackedOrder): void {
    const timer = setTimeout(() => {
      if (!tracked.held || !this.connected || !this.connection.ready) return;
      const since = (this.lastExecutionTime ?? this.startedAt) - 60n * 1_000_000_000n;
      this.queryExecutions(since)
        .then((executions) => {
          this.offerOwn(executions);
          // Fills held for their commission release the report themselves.
          if (tracked.held && this.fills.pendingCount === 0) {
            this.options.logger?.error(
              { clientOrderId: tracked.clientOrderId, filled: tracked.filled.toString(), emitted: tracked.emittedFilled.toString() },
              'IB reports more filled than its executions show; the report waits for the next reconciliation',
            );
          }
        })
        .catch((error: unknown) => this.options.logger?.warn({ err: error }, 'IB executions query for a held report failed'));
    }, 2 * this.options.commissionWaitMs + 500);
    timer.unref?.();
  }

  private onPosition(account: string, contract: Contract, position: number, avgCost: number | undefined): void {
    if (account !== this.ibAccount || !contract.conId) return;
    this.positionsByConId.set(contract.conId, { contract, quantity: position ?? 0, avgCost: avgCost ?? 0 });
    // During a round the answer lists them all; outside one, TWS streams each change.
    if (this.positionsRound.state === undefined) {
      const snapshot = this.positionSnapshot(contract.conId);
      if (snapshot) this.reports.emit({ kind: 'position', position: snapshot });
    }
  }

  private onPositionEnd(): void {
    this.positionsRound.end();
  }

  private positionSnapshots(): PositionSnapshot[] {
    const snapshots: PositionSnapshot[] = [];
    for (const conId of this.positionsByConId.keys()) {
      const snapshot = this.positionSnapshot(conId);
      if (!snapshot) continue;
      // A flat position is listed only when its realised PnL is known.
      if (snapshot.quantity.isZero() && snapshot.realizedPnl.isZero()) continue;
      snapshots.push(snapshot);
    }
    return snapshots;
  }

  private positionSnapshot(conId: number): PositionSnapshot | undefined {
    const entry = this.positionsByConId.get(conId);
    if (!entry) return undefined;
    const instrument = this.instruments.instrumentForContract(entry.contract);
    // IB's average cost of futures includes the multiplier.
    const avg = instrument.multiplier.isZero() ? Decimal.ZERO : Decimal.fromNumber(entry.avgCost || 0).div(instrument.multiplier, 10);
    return {
      account: this.account,
      instrument: instrument.id,
      quantity: entry.quantity === 0 ? Decimal.ZERO : Decimal.fromNumber(entry.quantity).normalize(),
      avgPrice: avg.normalize(),
      realizedPnl: this.realized.get(instrument.id.symbol) ?? Decimal.ZERO,
      unrealizedPnl: Decimal.ZERO,
      currency: instrument.currency,
    };
  }

  private setState(state: ConnectionState, detail: string): void {
    if (state === this.state) return;
    this.state = state;
    const status: VenueStatus = { venue: this.venue, channel: 'execution', account: this.account, state, detail };
    this.reports.emit({ kind: 'status', status });
  }
}
