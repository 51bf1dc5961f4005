import {
  ClientOrderIdGenerator,
  Decimal,
  InstrumentMap,
  instrumentKey,
  Order,
  Portfolio,
  validateOrderSpec,
  type CancelOrderCommand,
  type Clock,
  type Fill,
  type Instrument,
  type InstrumentId,
  type MarketData,
  type OrderEvent,
  type OrderSnapshot,
  type OrderSpec,
  type RiskDenial,
} from '@ttquant/domain';
import type { OrderRequest, PositionView, Strategy, StrategyContext, StrategyLog } from '../strategy';

/** Where a runner's order commands go: the gateway's PUSH socket live, the sim venue in a backtest. */
export interface OrderCommandSink {
  submit(spec: OrderSpec): void;
  cancel(command: CancelOrderCommand): void;
}

/** What a {@link StrategyRunner} is built from. */
export interface StrategyRunnerOptions {
  readonly strategy: Strategy;
  /** Account orders go to unless a request names another. */
  readonly account: string;
  /** Distinguishes this run's client order ids from every earlier run's (e.g. start time in ms). */
  readonly runEpoch: number;
  readonly sink: OrderCommandSink;
  readonly clock: Clock;
  readonly log: StrategyLog;
  readonly instrument: (id: InstrumentId) => Instrument | undefined;
  /**
   * An order with no word from the gateway after this long is sent again under
   * the same client order id (the gateway answers repeats with the order's
   * state, so this can never double an order). Default 5 s.
   */
  readonly resendAfterMs?: number;
}

const NANOS_PER_MS = 1_000_000n;

/**
 * Hosts one strategy: feeds it the market data it subscribed to and its own
 * order events and fills, keeps its orders and positions, and implements the
 * {@link StrategyContext} it trades through. The same runner serves live,
 * paper and backtest runs; only the sink and the clock differ.
 */
export class StrategyRunner {
  private readonly orders = new Map<string, Order>();
  private readonly sentAt = new Map<string, bigint>();
  private readonly execIds = new Set<string>();
  private readonly portfolio: Portfolio;
  private readonly ids: ClientOrderIdGenerator;
  private readonly quoteSubs = new InstrumentMap<true>();
  private readonly tradeSubs = new InstrumentMap<true>();
  private readonly barSubs = new Set<string>();
  private readonly ctx: StrategyContext;
  /** Restored orders: fills up to this time were counted in the position they restored. */
  private readonly restoredUpTo = new Map<string, bigint>();
  private running = false;

  constructor(private readonly options: StrategyRunnerOptions) {
    const { strategy } = options;
    this.portfolio = new Portfolio(options.account);
    this.ids = new ClientOrderIdGenerator(strategy.id, options.runEpoch);
    for (const id of strategy.subscriptions.quotes ?? []) this.quoteSubs.set(id, true);
    for (const id of strategy.subscriptions.trades ?? []) this.tradeSubs.set(id, true);
    for (const bar of strategy.subscriptions.bars ?? []) this.barSubs.add(`${bar.intervalSeconds}|${instrumentKey(bar.instrument)}`);
    this.ctx = this.createContext();
  }

  get strategy(): Strategy {
    return this.options.strategy;
  }

  /**
   * Takes up where an earlier run of this strategy left off, from the
   * gateway's last event of every order (its `state`): this strategy's orders
   * become known again, so their later events and fills reach it and working
   * ones are not forgotten, and the quantity they filled becomes its position.
   * Call before {@link start}. Quantities are exact; the realised PnL of the
   * earlier run is rebuilt from each order's average fill price, in the order
   * the orders were created, so it can differ from the fill-by-fill figure.
   * @returns how many orders were taken up, how many of them still work, and the
   *   position they left in each instrument they traded (`VENUE:SYMBOL` → quantity)
   */
  restore(events: readonly OrderEvent[]): { readonly orders: number; readonly working: number; readonly positions: Readonly<Record<string, string>> } {
    const mine = events
      .filter((e) => e.order.spec.strategyId === this.options.strategy.id && !this.orders.has(e.order.spec.clientOrderId))
      .sort((a, b) => (a.order.createdTime < b.order.createdTime ? -1 : a.order.createdTime > b.order.createdTime ? 1 : 0));
    let working = 0;
    for (const event of mine) {
      const order = Order.fromSnapshot(event.order, event.eventSequence);
      const { spec, filledQuantity, avgFillPrice, updatedTime } = event.order;
      this.orders.set(spec.clientOrderId, order);
      this.restoredUpTo.set(spec.clientOrderId, updatedTime);
      if (!order.isTerminal) working++;
      if (filledQuantity.isPositive() && avgFillPrice) {
        const instrument = this.options.instrument(spec.instrument) ?? { id: spec.instrument, multiplier: Decimal.ONE, currency: '' };
        this.portfolio.applyFill(
          {
            account: spec.account,
            clientOrderId: spec.clientOrderId,
            venueOrderId: '',
            execId: `restored:${spec.clientOrderId}`,
            instrument: spec.instrument,
            side: spec.side,
            quantity: filledQuantity,
            price: avgFillPrice,
            commission: Decimal.ZERO,
            commissionCurrency: '',
            liquidity: 'NONE',
            strategyId: spec.strategyId,
            eventTime: updatedTime,
          },
          instrument,
        );
      }
    }
    const positions: Record<string, string> = {};
    for (const { order } of mine) {
      positions[instrumentKey(order.spec.instrument)] = this.position(order.spec.instrument).quantity.toString();
    }
    return { orders: mine.length, working, positions };
  }

  /** Calls the strategy's `onStart`. */
  async start(): Promise<void> {
    this.running = true;
    await this.options.strategy.onStart?.(this.ctx);
  }

  /** Calls the strategy's `onStop`; later events are ignored. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.options.strategy.onStop?.(this.ctx);
  }

  /** Feeds market data; the strategy sees only what it subscribed to. */
  onMarketData(data: MarketData): void {
    if (!this.running) return;
    const { strategy } = this.options;
    switch (data.kind) {
      case 'quote':
        if (strategy.onQuote && this.quoteSubs.get(data.instrument)) strategy.onQuote(data, this.ctx);
        return;
      case 'trade':
        if (strategy.onTrade && this.tradeSubs.get(data.instrument)) strategy.onTrade(data, this.ctx);
        return;
      case 'bar':
        if (strategy.onBar && this.barSubs.has(`${data.intervalSeconds}|${instrumentKey(data.instrument)}`)) {
          strategy.onBar(data, this.ctx);
        }
        return;
      default:
        return;
    }
  }

  /** An event of one of this strategy's orders; others are ignored. Repeats and stale events are dropped. */
  onOrderEvent(event: OrderEvent): void {
    const id = event.order.spec.clientOrderId;
    const current = this.orders.get(id);
    if (!current || event.eventSequence <= current.eventSequence) return;
    this.orders.set(id, Order.fromSnapshot(event.order, event.eventSequence));
    this.sentAt.delete(id);
    if (this.running) this.options.strategy.onOrderEvent?.(event, this.ctx);
  }

  /** A fill of one of this strategy's orders: position first, then the strategy. */
  onFill(fill: Fill): void {
    if (!this.orders.has(fill.clientOrderId) || this.execIds.has(fill.execId)) return;
    this.execIds.add(fill.execId);
    // A fill published before the state that restored its order was counted there already.
    const restoredUpTo = this.restoredUpTo.get(fill.clientOrderId);
    if (restoredUpTo !== undefined && fill.eventTime <= restoredUpTo) return;
    const instrument = this.options.instrument(fill.instrument) ?? { id: fill.instrument, multiplier: Decimal.ONE, currency: '' };
    this.portfolio.applyFill(fill, instrument);
    if (this.running) this.options.strategy.onFill?.(fill, this.ctx);
  }

  /**
   * A command of this strategy was refused before it reached the gateway's
   * order book (e.g. undecodable). Without it the order would look pending forever.
   */
  onDenial(denial: RiskDenial): void {
    const order = this.orders.get(denial.clientOrderId);
    if (!order || order.status !== 'INITIALIZED') return;
    const event = order.apply({ status: 'DENIED', time: this.options.clock.nowNanos(), reason: `${denial.check}: ${denial.reason}` });
    this.sentAt.delete(denial.clientOrderId);
    if (event && this.running) this.options.strategy.onOrderEvent?.(event, this.ctx);
  }

  /**
   * Sends again every order the gateway has not acknowledged within the resend
   * delay, under the same client order id. Call it periodically (e.g. every second).
   */
  resendUnacknowledged(): number {
    const now = this.options.clock.nowNanos();
    const after = BigInt(this.options.resendAfterMs ?? 5_000) * NANOS_PER_MS;
    let resent = 0;
    for (const [id, sent] of this.sentAt) {
      const order = this.orders.get(id);
      if (!order || order.status !== 'INITIALIZED' || now - sent < after) continue;
      this.options.log.warn('no answer from the gateway: sending the order again', { clientOrderId: id });
      this.sentAt.set(id, now);
      this.options.sink.submit(order.spec);
      resent++;
    }
    return resent;
  }

  /** This strategy's orders, newest state. */
  orderSnapshots(): OrderSnapshot[] {
    return [...this.orders.values()].map((o) => o.snapshot());
  }

  /** This strategy's position in an instrument. */
  position(instrument: InstrumentId): PositionView {
    const position = this.portfolio.position(instrument);
    return position
      ? { instrument, quantity: position.quantity, avgPrice: position.avgPrice, realizedPnl: position.realizedPnl }
      : { instrument, quantity: Decimal.ZERO, avgPrice: Decimal.ZERO, realizedPnl: Decimal.ZERO };
  }

  private createContext(): StrategyContext {
    const { strategy, log, clock } = this.options;
    return {
      strategyId: strategy.id,
      log,
      now: () => clock.nowNanos(),
      instrument: (id) => this.options.instrument(id),
      submitOrder: (request) => this.submit(request),
      cancelOrder: (clientOrderId) => this.cancel(clientOrderId),
      openOrders: (instrument) => this.openOrders(instrument),
      position: (instrument) => this.position(instrument),
    };
  }

  private submit(request: OrderRequest): string {
    const spec: OrderSpec = {
      clientOrderId: this.ids.next(),
      account: request.account ?? this.options.account,
      instrument: request.instrument,
      side: request.side,
      type: request.type ?? 'MARKET',
      quantity: request.quantity,
      timeInForce: request.timeInForce ?? 'DAY',
      reduceOnly: request.reduceOnly ?? false,
      postOnly: request.postOnly ?? false,
      outsideRth: request.outsideRth ?? false,
      strategyId: this.options.strategy.id,
      tags: request.tags ?? {},
      ...(request.limitPrice ? { limitPrice: request.limitPrice } : {}),
      ...(request.stopPrice ? { stopPrice: request.stopPrice } : {}),
      ...(request.expireTime !== undefined ? { expireTime: request.expireTime } : {}),
      ...(request.parentClientOrderId ? { parentClientOrderId: request.parentClientOrderId } : {}),
      ...(request.ocoGroup ? { ocoGroup: request.ocoGroup } : {}),
    };
    const problem = validateOrderSpec(spec);
    if (problem) throw new RangeError(`order refused before sending: ${problem}`);
    const now = this.options.clock.nowNanos();
    // Tracked as INITIALIZED at once, so the strategy sees it as working and never stacks orders.
    this.orders.set(spec.clientOrderId, Order.create(spec, now));
    this.sentAt.set(spec.clientOrderId, now);
    this.options.sink.submit(spec);
    return spec.clientOrderId;
  }

  private cancel(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId);
    if (!order) throw new RangeError(`expected one of this strategy's client order ids, was ${clientOrderId}`);
    if (order.isTerminal) return;
    this.options.sink.cancel({ clientOrderId, account: order.spec.account });
  }

  private openOrders(instrument?: InstrumentId): OrderSnapshot[] {
    const key = instrument ? instrumentKey(instrument) : undefined;
    const out: OrderSnapshot[] = [];
    for (const order of this.orders.values()) {
      if (order.isTerminal) continue;
      if (key !== undefined && instrumentKey(order.spec.instrument) !== key) continue;
      out.push(order.snapshot());
    }
    return out;
  }
}
