import {
  canTransition,
  Decimal,
  findOrderSpecProblem,
  instrumentKey,
  InvalidOrderTransitionError,
  InvalidOrderUpdateError,
  isValidClientOrderId,
  Order,
  Portfolio,
  Position,
  sameInstrument,
  type AlertSeverity,
  type CancelAllOrdersCommand,
  type CancelOrderCommand,
  type Clock,
  type Fill,
  type Instrument,
  type InstrumentId,
  type ModifyOrderCommand,
  type OrderEvent,
  type OrderSide,
  type OrderSnapshot,
  type OrderSpec,
  type OrderStatus,
  type PositionSnapshot,
  type QuoteTick,
} from '@ttquant/domain';
import {
  DuplicateOrderError,
  isGatewayError,
  isRetryable,
  OrderNotFoundError,
  reconcileExecution,
  type ExecutionClient,
  type ExecutionReport,
  type VenueOrderReport,
} from '@ttquant/gateway-api';
import type { PreTradeRisk, RiskContext, TradingState } from '@ttquant/risk';
import type { ExecutionLogger, ExecutionSink } from './execution-sink';
import { SerialQueue } from './serial-queue';

/** What an {@link ExecutionEngine} is built from. */
export interface ExecutionEngineOptions {
  readonly account: string;
  readonly client: ExecutionClient;
  readonly risk: PreTradeRisk;
  /** Instrument definitions (the venue's instrument provider). */
  readonly instrument: (id: InstrumentId) => Instrument | undefined;
  readonly sink: ExecutionSink;
  readonly clock: Clock;
  readonly logger: ExecutionLogger;
  /** Names the engine in alerts, e.g. `gateway/gw-1`. */
  readonly source: string;
}

/** History a restarted gateway replays from its journal. */
export interface ExecutionHistory {
  /** Every order event it published, oldest first. */
  readonly orderEvents: readonly OrderEvent[];
  /** Every fill it published, oldest first. */
  readonly fills: readonly Fill[];
}

/** Counters for metrics and tests. */
export interface ExecutionStats {
  commands: number;
  submitted: number;
  denied: number;
  duplicateCommands: number;
  rejected: number;
  fills: number;
  duplicateFills: number;
  invalidReports: number;
  externalOrders: number;
  reconciliations: number;
  malformedCommands: number;
  closingFills: number;
}

/**
 * The heart of a gateway: one account on one venue.
 *
 * - **Idempotent**: a client order id is recorded durably (through the sink)
 *   before the order is routed; a repeated command with a known id is answered
 *   with the order's current state and never sent again, also after a restart
 *   ({@link restore}).
 * - **Checked**: every new order passes spec validation, the venue's
 *   capabilities and pre-trade risk; a refusal is a DENIED event with the reason,
 *   a risk denial and an alert.
 * - **Tracked**: venue reports drive each order through the state machine; an
 *   invalid report is counted and alerted, never applied. Fills are applied once
 *   per exec id and update the positions.
 * - **Reconciled**: after every (re)connect, before new orders are taken, open
 *   orders, in-flight orders, missed executions and positions are settled
 *   against the venue. A timeout or disconnect never makes an order REJECTED.
 *
 * Commands and venue reports run one at a time, in arrival order.
 */
export class ExecutionEngine {
  readonly stats: ExecutionStats = {
    commands: 0,
    submitted: 0,
    denied: 0,
    duplicateCommands: 0,
    rejected: 0,
    fills: 0,
    duplicateFills: 0,
    invalidReports: 0,
    externalOrders: 0,
    reconciliations: 0,
    malformedCommands: 0,
    closingFills: 0,
  };
  private readonly orders = new Map<string, Order>();
  /** The open subset of `orders`, so per-order risk work does not grow with history. */
  private readonly working = new Map<string, Order>();
  private readonly lastEventById = new Map<string, OrderEvent>();
  private readonly execIds = new Set<string>();
  private readonly portfolio: Portfolio;
  private readonly quotes = new Map<string, QuoteTick>();
  private readonly externalSeen = new Set<string>();
  private readonly queue: SerialQueue;
  private lastExecutionTime: bigint | undefined;
  private tradingState: TradingState = 'ACTIVE';
  private wasConnected = false;
  private reconciled = false;
  private stopped = false;
  /** Orders waiting for their journal sync, then for the venue to take them. */
  private readonly routing = new Set<Promise<void>>();
  private unsubscribe: (() => void) | undefined;
  private readonly riskContext: RiskContext;

  constructor(private readonly options: ExecutionEngineOptions) {
    this.portfolio = new Portfolio(options.account);
    this.queue = new SerialQueue((error) => this.onTaskError(error));
    this.riskContext = {
      instrument: (id) => options.instrument(id),
      lastQuote: (id) => this.quotes.get(instrumentKey(id)),
      position: (_account, id) => this.portfolio.position(id)?.quantity ?? Decimal.ZERO,
      pendingQuantity: (_account, id, side, exclude) => this.pendingQuantity(id, side, exclude),
      tradingState: () => this.tradingState,
    };
  }

  /** Rebuilds orders, applied exec ids and positions from the journal. Call before {@link start}. */
  restore(history: ExecutionHistory): void {
    for (const event of history.orderEvents) {
      const id = event.order.spec.clientOrderId;
      const known = this.lastEventById.get(id);
      if (known && known.eventSequence >= event.eventSequence) continue;
      this.lastEventById.set(id, event);
      // A denied invalid spec has no Order, only its event (see denyInvalid).
      if (event.order.status !== 'DENIED') {
        const order = Order.fromSnapshot(event.order, event.eventSequence);
        this.orders.set(id, order);
        this.trackWorking(order);
      }
    }
    for (const fill of history.fills) {
      if (this.execIds.has(fill.execId)) continue;
      this.execIds.add(fill.execId);
      this.noteExecutionTime(fill);
      this.portfolio.applyFill(fill, this.positionInstrument(fill.instrument));
    }
    this.options.logger.info(
      { orders: this.orders.size, open: this.openOrders().length, fills: this.execIds.size },
      'restored from journal',
    );
  }

  /** Connects to the venue and reconciles; resolves when orders are accepted. */
  async start(): Promise<void> {
    this.unsubscribe = this.options.client.onReport((report) => {
      // At once, not when the queued report is handled: commands queued before it must not
      // be routed on a stale "reconciled" after the link comes back.
      if (report.kind === 'status' && report.status.state !== 'CONNECTED' && report.status.state !== 'DEGRADED') {
        this.reconciled = false;
      }
      void this.queue.run(() => this.onReport(report));
    });
    // Set before connecting: the CONNECTED report that connect() emits is not a reconnect.
    this.wasConnected = true;
    try {
      await this.options.client.connect();
    } catch (error) {
      this.wasConnected = false;
      throw error;
    }
    await this.queue.run(() => this.reconcileOrRetry('connect'));
  }

  /** True once reconciled with the venue: only then are new orders routed. */
  get ready(): boolean {
    return this.reconciled && this.options.client.connectionState === 'CONNECTED';
  }

  /** Latest quote, for the price band and market-order valuation. */
  onQuote(quote: QuoteTick): void {
    // Only stored: the mid is worked out when a position is reported, not on every tick.
    this.quotes.set(instrumentKey(quote.instrument), quote);
  }

  /** Queues a new order. */
  submit(spec: OrderSpec): Promise<void> {
    this.stats.commands++;
    return this.queue.run(() => this.handleSubmit(spec));
  }

  /** Queues a cancel. */
  cancel(command: CancelOrderCommand): Promise<void> {
    this.stats.commands++;
    return this.queue.run(() => this.handleCancel(command));
  }

  /** Queues an amend. */
  modify(command: ModifyOrderCommand): Promise<void> {
    this.stats.commands++;
    return this.queue.run(() => this.handleModify(command));
  }

  /** Queues a cancel of every matching working order. */
  cancelAll(command: CancelAllOrdersCommand): Promise<void> {
    this.stats.commands++;
    return this.queue.run(() => this.handleCancelAll(command));
  }

  /**
   * Refuses a command that could not even be decoded. The sender is told through
   * a risk denial when its client order id and instrument are readable; the
   * refusal is always counted and alerted.
   */
  refuseMalformed(reason: string, clientOrderId = '', instrument?: InstrumentId): void {
    this.stats.denied++;
    this.stats.malformedCommands++;
    if (isValidClientOrderId(clientOrderId) && instrument && instrument.venue !== '' && instrument.symbol !== '') {
      this.options.sink.denial({ account: this.options.account, clientOrderId, instrument, check: 'malformed-command', reason });
    }
    this.alert('WARNING', 'malformed-command', reason, { clientOrderId });
  }

  /** ACTIVE, REDUCING (only position-reducing orders) or HALTED (none). */
  setTradingState(state: TradingState): void {
    if (state !== this.tradingState) this.options.logger.warn({ from: this.tradingState, to: state }, 'trading state changed');
    this.tradingState = state;
  }

  /** Every order this gateway knows, newest state. */
  orderSnapshots(): OrderSnapshot[] {
    return [...this.orders.values()].map((o) => o.snapshot());
  }

  /** Orders still working at the venue. */
  openOrders(): OrderSnapshot[] {
    return [...this.working.values()].map((o) => o.snapshot());
  }

  /** The last event of every order, in the order they were first seen. */
  lastEvents(): OrderEvent[] {
    return [...this.lastEventById.values()];
  }

  /** The last event of an order, if known. */
  lastEvent(clientOrderId: string): OrderEvent | undefined {
    return this.lastEventById.get(clientOrderId);
  }

  positionSnapshots(): PositionSnapshot[] {
    return this.portfolio.positions().map((p) => p.snapshot(this.markOf(p.instrument)));
  }

  /** Resolves once every queued command and report has been handled and every accepted order routed. */
  async drain(): Promise<void> {
    do {
      await this.queue.drain();
      await Promise.all([...this.routing]);
    } while (this.routing.size > 0 || this.queue.pending > 0);
  }

  /**
   * Publishes the current state of every order and position once more, so
   * every consumer ends with the final state (storage ignores what it has).
   */
  publishFinalState(): void {
    for (const event of this.lastEventById.values()) this.options.sink.orderEvent(event, false);
    for (const position of this.positionSnapshots()) this.options.sink.position(position);
  }

  /** Stops listening to the venue and disconnects; working orders stay at the venue. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.drain();
    this.unsubscribe?.();
    await this.options.client.disconnect();
  }

  private async handleSubmit(spec: OrderSpec): Promise<void> {
    const known = this.lastEventById.get(spec.clientOrderId);
    if (known) {
      // Idempotency: answer with what we have; the venue never sees the repeat.
      this.stats.duplicateCommands++;
      this.options.logger.warn({ clientOrderId: spec.clientOrderId, status: known.order.status }, 'repeated order command');
      this.options.sink.orderEvent(known, false);
      return;
    }
    if (spec.account !== this.options.account) {
      this.refuseMalformed(`order for account ${spec.account} sent to the gateway of ${this.options.account}`, spec.clientOrderId, spec.instrument);
      return;
    }
    const now = this.options.clock.nowNanos();
    const problem = findOrderSpecProblem(spec);
    if (problem) return this.denyInvalid(spec, now, `${problem.field}: ${problem.reason}`);

    const order = Order.create(spec, now);
    const unsupported = this.unsupportedFeature(spec);
    if (unsupported) return this.deny(order, 'capability', unsupported);
    const state = this.options.client.connectionState;
    if (state !== 'CONNECTED') return this.deny(order, 'venue-connection', `venue connection is ${state}`);
    if (!this.reconciled) return this.deny(order, 'venue-connection', 'not yet reconciled with the venue');
    const decision = this.options.risk.evaluate(spec, this.riskContext);
    if (!decision.allowed) return this.deny(order, decision.check, decision.reason);

    const submitted = order.apply({ status: 'SUBMITTED', time: now });
    this.orders.set(spec.clientOrderId, order);
    this.emit(submitted as OrderEvent, true);
    this.stats.submitted++;
    // Route once the SUBMITTED event is on disk: synced in place when the disk was idle, else
    // the queue does not wait, commands and reports behind this one go on, and orders arriving
    // meanwhile share the next disk flush. Syncs complete in order, so orders still reach the
    // venue in arrival order.
    // The routing promise never waits on the queue, so queued tasks may await it without deadlock.
    const routed = this.options.sink.persisted().then(
      async () => {
        // Reconciliation, a cancel or a halt may have settled it while the disk flush ran.
        if (order.status !== 'SUBMITTED' || this.tradingState === 'HALTED') return;
        try {
          await this.options.client.submit(spec);
        } catch (error) {
          void this.queue.run(() => this.onSubmitFailed(order, error));
        }
      },
      (error: unknown) => void this.queue.run(() => this.onJournalFailed(order, error)),
    );
    this.routing.add(routed);
    void routed.finally(() => this.routing.delete(routed));
  }

  /** Resolves once every order accepted so far has been handed to the venue (or dropped). */
  private async routed(): Promise<void> {
    while (this.routing.size > 0) await Promise.all([...this.routing]);
  }

  /** An order that cannot be made durable is never routed, and the gateway stops taking orders. */
  private onJournalFailed(order: Order, error: unknown): void {
    this.setTradingState('HALTED');
    this.options.logger.error({ clientOrderId: order.clientOrderId, err: error }, 'journal sync failed: order not routed, trading halted');
    this.applyUpdate(order, {
      status: 'CANCELED',
      time: this.options.clock.nowNanos(),
      reason: `not sent: the gateway could not record it durably (${(error as Error).message})`,
    });
    this.alert('CRITICAL', 'journal-failed', `journal sync failed; trading halted: ${(error as Error).message}`, {
      clientOrderId: order.clientOrderId,
    });
  }

  private deny(order: Order, check: string, reason: string): void {
    const event = order.apply({ status: 'DENIED', time: this.options.clock.nowNanos(), reason: `${check}: ${reason}` });
    this.orders.set(order.clientOrderId, order);
    if (event) this.emit(event, true);
    this.announceDenial(order.spec, check, reason);
  }

  /**
   * A spec the domain refuses cannot become an Order, yet the sender must learn
   * why, and a repeat must get the same answer: a DENIED event is built as is.
   */
  private denyInvalid(spec: OrderSpec, now: bigint, reason: string): void {
    const event: OrderEvent = {
      order: { spec, status: 'DENIED', filledQuantity: Decimal.ZERO, createdTime: now, updatedTime: now },
      reason: `validation: ${reason}`,
      eventSequence: 1,
    };
    this.emit(event, true);
    this.announceDenial(spec, 'validation', reason);
  }

  private announceDenial(spec: OrderSpec, check: string, reason: string): void {
    this.stats.denied++;
    this.options.sink.denial({ account: spec.account, clientOrderId: spec.clientOrderId, instrument: spec.instrument, check, reason });
    this.alert('WARNING', 'order-denied', `order ${spec.clientOrderId} denied by ${check}: ${reason}`, {
      clientOrderId: spec.clientOrderId,
      check,
    });
  }

  private unsupportedFeature(spec: OrderSpec): string | undefined {
    const caps = this.options.client.capabilities;
    if (!caps.orderTypes.includes(spec.type)) return `${spec.type} orders are not supported by ${this.options.client.venue}`;
    if (!caps.timeInForce.includes(spec.timeInForce)) {
      return `time in force ${spec.timeInForce} is not supported by ${this.options.client.venue}`;
    }
    return undefined;
  }

  private onSubmitFailed(order: Order, error: unknown): void {
    const id = order.clientOrderId;
    if (error instanceof DuplicateOrderError) {
      this.options.logger.warn({ clientOrderId: id }, 'venue already has this client order id: waiting for its reports');
      return;
    }
    if (isRetryable(error) || !isGatewayError(error)) {
      // The outcome is unknown: the order stays in flight until reconciliation settles it.
      this.options.logger.warn({ clientOrderId: id, err: error }, 'submit outcome unknown: order stays in flight');
      this.alert('WARNING', 'submit-in-doubt', `order ${id} in flight after ${(error as Error).message}`, { clientOrderId: id });
      return;
    }
    this.stats.rejected++;
    this.applyUpdate(order, { status: 'REJECTED', time: this.options.clock.nowNanos(), reason: `${error.name}: ${error.message}` });
  }

  private async handleCancel(command: CancelOrderCommand): Promise<void> {
    const order = this.workingOrder(command.clientOrderId, command.account, 'cancel');
    if (!order) return;
    // An order still waiting for its disk flush has not reached the venue: let it get there first.
    await this.routed();
    const previous = order.status;
    if (canTransition(previous, 'PENDING_CANCEL')) {
      this.applyUpdate(order, { status: 'PENDING_CANCEL', time: this.options.clock.nowNanos() });
    }
    try {
      await this.options.client.cancel(command);
    } catch (error) {
      this.onAmendFailed(order, previous, 'cancel', error);
    }
  }

  private async handleModify(command: ModifyOrderCommand): Promise<void> {
    const order = this.workingOrder(command.clientOrderId, command.account, 'modify');
    if (!order) return;
    if (!this.options.client.capabilities.modify) {
      return this.refuseCommand(order, 'capability', `${this.options.client.venue} cannot modify orders`);
    }
    const amended: OrderSpec = {
      ...order.spec,
      ...(command.quantity ? { quantity: command.quantity } : {}),
      ...(command.limitPrice ? { limitPrice: command.limitPrice } : {}),
      ...(command.stopPrice ? { stopPrice: command.stopPrice } : {}),
    };
    const decision = this.options.risk.evaluate(amended, this.riskContext);
    if (!decision.allowed) return this.refuseCommand(order, decision.check, decision.reason);
    const previous = order.status;
    if (canTransition(previous, 'PENDING_REPLACE')) {
      this.applyUpdate(order, { status: 'PENDING_REPLACE', time: this.options.clock.nowNanos() });
    }
    try {
      await this.options.client.modify(command);
    } catch (error) {
      this.onAmendFailed(order, previous, 'modify', error);
    }
  }

  private async handleCancelAll(command: CancelAllOrdersCommand): Promise<void> {
    // Orders still waiting for their disk flush must reach the venue before the venue cancels "all".
    await this.routed();
    const matching = [...this.working.values()].filter(
      (o) =>
        (!command.instrument || instrumentKey(o.spec.instrument) === instrumentKey(command.instrument)) &&
        (!command.strategyId || o.spec.strategyId === command.strategyId),
    );
    const now = this.options.clock.nowNanos();
    for (const order of matching) {
      if (canTransition(order.status, 'PENDING_CANCEL')) this.applyUpdate(order, { status: 'PENDING_CANCEL', time: now });
    }
    try {
      await this.options.client.cancelAll({ ...command, account: this.options.account });
    } catch (error) {
      this.options.logger.error({ err: error }, 'cancel-all failed: reconciliation will settle the orders');
      this.alert('CRITICAL', 'cancel-all-failed', `cancel-all failed: ${(error as Error).message}`, {});
    }
  }

  /** The order a cancel or modify refers to, or undefined after telling the sender why not. */
  private workingOrder(clientOrderId: string, account: string, action: string): Order | undefined {
    const order = this.orders.get(clientOrderId);
    if (!order || account !== this.options.account) {
      // No instrument to name, so no risk denial can carry it: the refusal goes out as an alert.
      this.stats.denied++;
      this.alert('WARNING', 'unknown-order', `${action} refused: unknown order ${clientOrderId} for account ${account}`, {
        clientOrderId,
        account,
      });
      return undefined;
    }
    if (!order.isOpen) {
      this.refuseCommand(order, action, `order ${clientOrderId} is ${order.status}, not working`);
      return undefined;
    }
    return order;
  }

  private refuseCommand(order: Order, check: string, reason: string): void {
    this.stats.denied++;
    const { spec } = order;
    this.options.sink.denial({ account: spec.account, clientOrderId: spec.clientOrderId, instrument: spec.instrument, check, reason });
    this.alert('WARNING', 'command-refused', `${check} refused for order ${spec.clientOrderId}: ${reason}`, {
      clientOrderId: spec.clientOrderId,
      check,
    });
  }

  private onAmendFailed(order: Order, previous: OrderStatus, action: string, error: unknown): void {
    if (isRetryable(error) || !isGatewayError(error)) {
      this.options.logger.warn({ clientOrderId: order.clientOrderId, err: error }, `${action} outcome unknown`);
      return;
    }
    const reason = `${action} refused: ${error.message}`;
    this.refuseCommand(order, action, reason);
    // The venue kept the order as it was: step back out of the pending state.
    if (order.status === 'PENDING_CANCEL' || order.status === 'PENDING_REPLACE') {
      const back = previous === 'PARTIALLY_FILLED' ? 'PARTIALLY_FILLED' : 'ACCEPTED';
      if (error instanceof OrderNotFoundError) {
        this.options.logger.warn({ clientOrderId: order.clientOrderId }, `${action}: venue does not know the order as working`);
      }
      this.applyUpdate(order, { status: back, time: this.options.clock.nowNanos(), reason });
    }
  }

  private onReport(report: ExecutionReport): void {
    switch (report.kind) {
      case 'order':
        return this.applyVenueReport(report);
      case 'fill':
        return this.applyFill(report.fill);
      case 'account':
        return this.options.sink.account(report.state);
      case 'position':
        return; // Positions are computed from fills; the venue's are compared at reconciliation.
      case 'status':
        this.options.sink.venueStatus(report.status);
        if (report.status.state === 'CONNECTED' && !this.wasConnected) {
          this.wasConnected = true;
          // Reconcile before anything queued after this report: new orders wait.
          return void this.queue.run(() => this.reconcileOrRetry('reconnect'));
        }
        if (report.status.state !== 'CONNECTED' && report.status.state !== 'DEGRADED') this.wasConnected = false;
        return;
    }
  }

  private applyVenueReport(report: VenueOrderReport): void {
    const order = this.orders.get(report.clientOrderId);
    if (!order) return this.noteExternal(report);
    this.applyUpdate(order, {
      status: report.status,
      time: report.eventTime,
      ...(report.reason ? { reason: report.reason } : {}),
      ...(report.venueOrderId ? { venueOrderId: report.venueOrderId } : {}),
      filledQuantity: report.filledQuantity,
      ...(report.avgFillPrice ? { avgFillPrice: report.avgFillPrice } : {}),
      ...(report.amended
        ? {
            amended: {
              quantity: report.quantity,
              ...(report.limitPrice ? { limitPrice: report.limitPrice } : {}),
              ...(report.stopPrice ? { stopPrice: report.stopPrice } : {}),
            },
          }
        : {}),
    });
    if (report.status === 'REJECTED') this.stats.rejected++;
  }

  private applyFill(venueFill: Fill): void {
    if (this.execIds.has(venueFill.execId)) {
      this.stats.duplicateFills++;
      return;
    }
    this.execIds.add(venueFill.execId);
    this.noteExecutionTime(venueFill);
    this.stats.fills++;
    const order = this.orders.get(venueFill.clientOrderId);
    const fill: Fill = order && venueFill.strategyId === '' ? { ...venueFill, strategyId: order.spec.strategyId } : venueFill;
    this.options.sink.fill(fill);
    if (order) {
      try {
        this.emit(order.applyFill(fill), false);
      } catch (error) {
        this.onInvalidReport(order, error);
      }
    } else {
      this.alert('CRITICAL', 'external-fill', `fill ${fill.execId} for unknown order ${fill.clientOrderId || fill.venueOrderId}`, {
        execId: fill.execId,
      });
    }
    const result = this.portfolio.applyFill(fill, this.positionInstrument(fill.instrument));
    if (result.closedQuantity.isPositive()) this.stats.closingFills++;
    const position = this.portfolio.position(fill.instrument);
    if (position) this.options.sink.position(position.snapshot(this.markOf(fill.instrument)));
  }

  private async reconcileOrRetry(why: string): Promise<void> {
    this.reconciled = false;
    // An order routed after the venue's view was taken would look "never arrived".
    await this.routed();
    try {
      await this.reconcile(why);
      this.reconciled = true;
    } catch (error) {
      this.options.logger.error({ err: error, why }, 'reconciliation failed: retrying; new orders are denied meanwhile');
      this.alert('CRITICAL', 'reconciliation-failed', `reconciliation failed: ${(error as Error).message}`, {});
      if (!this.stopped) {
        setTimeout(() => void this.queue.run(() => this.reconcileOrRetry(why)), RECONCILE_RETRY_MS).unref();
      }
    }
  }

  private async reconcile(why: string): Promise<void> {
    this.stats.reconciliations++;
    const result = await reconcileExecution(this.options.client, {
      knownOrders: [...this.orders.values()].map((o) => o.snapshot()),
      ...(this.lastExecutionTime !== undefined ? { lastExecutionTime: this.lastExecutionTime } : {}),
    });
    for (const fill of result.fills) this.applyFill(fill);
    for (const report of result.orders) this.applyVenueReport(report);
    for (const report of result.external) this.noteExternal(report);
    for (const missing of result.missing) {
      const order = this.orders.get(missing.spec.clientOrderId);
      if (!order) continue;
      this.applyUpdate(order, {
        status: 'CANCELED',
        time: this.options.clock.nowNanos(),
        reason: 'the venue has no record of this order: it never arrived',
      });
      this.alert('WARNING', 'order-never-arrived', `order ${order.clientOrderId} never reached the venue`, {
        clientOrderId: order.clientOrderId,
      });
    }
    this.comparePositions(result.positions);
    this.options.sink.account(result.account);
    this.options.logger.info(
      {
        why,
        fills: result.fills.length,
        orders: result.orders.length,
        external: result.external.length,
        missing: result.missing.length,
      },
      'reconciled with the venue',
    );
  }

  private comparePositions(venuePositions: readonly PositionSnapshot[]): void {
    for (const venue of venuePositions) {
      const ours = this.portfolio.position(venue.instrument);
      if (!ours) {
        // First sight of a position held before TTQuant: adopt the venue's view.
        if (!venue.quantity.isZero()) {
          const instrument = this.positionInstrument(venue.instrument);
          this.portfolio.restore(Position.fromSnapshot(venue, instrument));
          this.options.sink.position(venue);
        }
        continue;
      }
      if (!ours.quantity.eq(venue.quantity)) {
        this.alert(
          'CRITICAL',
          'position-mismatch',
          `position in ${instrumentKey(venue.instrument)} is ${ours.quantity.toString()} here but ${venue.quantity.toString()} at the venue`,
          { instrument: instrumentKey(venue.instrument) },
        );
      }
    }
  }

  private applyUpdate(order: Order, update: Parameters<Order['apply']>[0]): void {
    try {
      const event = order.apply(update);
      if (event) this.emit(event, false);
    } catch (error) {
      this.onInvalidReport(order, error);
    }
  }

  private onInvalidReport(order: Order, error: unknown): void {
    if (!(error instanceof InvalidOrderTransitionError) && !(error instanceof InvalidOrderUpdateError)) throw error;
    this.stats.invalidReports++;
    this.options.logger.error({ clientOrderId: order.clientOrderId, err: error }, 'venue report not applied');
    this.alert('CRITICAL', 'invalid-order-report', error.message, { clientOrderId: order.clientOrderId });
  }

  private noteExternal(report: VenueOrderReport): void {
    const key = report.venueOrderId || report.clientOrderId;
    if (this.externalSeen.has(key)) return;
    this.externalSeen.add(key);
    this.stats.externalOrders++;
    this.alert('WARNING', 'external-order', `order ${key} at the venue was not placed through TTQuant`, {
      venueOrderId: report.venueOrderId,
      instrument: instrumentKey(report.instrument),
    });
  }

  private emit(event: OrderEvent, durable: boolean): void {
    const id = event.order.spec.clientOrderId;
    this.lastEventById.set(id, event);
    const order = this.orders.get(id);
    if (order) this.trackWorking(order);
    this.options.sink.orderEvent(event, durable);
    // A denial must survive a restart too, but nothing waits for it.
    if (durable && event.order.status === 'DENIED') {
      this.options.sink.persisted().catch((error: unknown) => this.options.logger.error({ err: error }, 'journal sync failed'));
    }
  }

  private trackWorking(order: Order): void {
    if (order.isOpen) this.working.set(order.clientOrderId, order);
    else this.working.delete(order.clientOrderId);
  }

  private pendingQuantity(id: InstrumentId, side: OrderSide, excludeClientOrderId: string | undefined): Decimal {
    let total = Decimal.ZERO;
    for (const order of this.working.values()) {
      const { spec } = order;
      if (spec.side !== side || spec.clientOrderId === excludeClientOrderId || !sameInstrument(spec.instrument, id)) continue;
      total = total.add(order.leavesQuantity);
    }
    return total;
  }

  /** The last quote's mid, the mark for unrealised PnL; undefined without a two-sided quote. */
  private markOf(id: InstrumentId): Decimal | undefined {
    const quote = this.quotes.get(instrumentKey(id));
    if (!quote || !quote.bidPrice.isPositive() || !quote.askPrice.isPositive()) return undefined;
    return quote.bidPrice.add(quote.askPrice).div(TWO, 10);
  }

  private positionInstrument(id: InstrumentId): { id: InstrumentId; multiplier: Decimal; currency: string } {
    const instrument = this.options.instrument(id);
    if (instrument) return instrument;
    this.options.logger.error({ instrument: instrumentKey(id) }, 'no definition for instrument: PnL uses multiplier 1');
    return { id, multiplier: Decimal.ONE, currency: '' };
  }

  private noteExecutionTime(fill: Fill): void {
    if (this.lastExecutionTime === undefined || fill.eventTime > this.lastExecutionTime) this.lastExecutionTime = fill.eventTime;
  }

  private alert(severity: AlertSeverity, code: string, message: string, context: Record<string, string>): void {
    this.options.sink.alert({ severity, source: this.options.source, code, message, context });
  }

  private onTaskError(error: unknown): void {
    this.options.logger.error({ err: error }, 'execution task failed');
    this.alert('CRITICAL', 'execution-error', `execution task failed: ${(error as Error).message}`, {});
  }
}

const TWO = Decimal.of(2);
const RECONCILE_RETRY_MS = 1_000;
