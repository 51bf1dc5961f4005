import {
  checkOrderForInstrument,
  Decimal,
  InstrumentMap,
  instrumentKey,
  isOpenStatus,
  isTerminalStatus,
  notional,
  Portfolio,
  validateOrderSpec,
  type AccountState,
  type Balance,
  type CancelAllOrdersCommand,
  type Clock,
  type Fill,
  type Instrument,
  type InstrumentId,
  type ModifyOrderCommand,
  type OrderSpec,
  type OrderStatus,
  type PositionSnapshot,
  type QuoteTick,
  type TradeTick,
  type UnixNanos,
} from '@ttquant/domain';
import {
  AuthenticationError,
  DuplicateOrderError,
  InvalidOrderError,
  OrderNotFoundError,
  UnknownInstrumentError,
  type ExecutionReport,
  type VenueOrderReport,
} from '@ttquant/gateway-api';
import {
  availableNow,
  commission,
  isMarketable,
  isStopTriggered,
  matchOrder,
  type BookTop,
  type FeeSchedule,
  type FillInstruction,
  type SlippageRule,
} from './matching';
import { timerScheduler, type CancelTask, type SimScheduler } from './scheduler';

/** Receives what the venue sends an execution session, synchronously; the client adds latency. */
export interface VenueExecutionSink {
  report(report: ExecutionReport): void;
  /** The link to the venue went down (`false`) or came back (`true`). */
  link(up: boolean): void;
}

/** Receives the venue's market data, synchronously. */
export interface VenueDataSink {
  marketData(data: QuoteTick | TradeTick): void;
  /** The link to the venue went down (`false`) or came back (`true`). */
  link(up: boolean): void;
}

/** A simulated account and its starting cash. */
export interface SimAccountSetup {
  readonly account: string;
  readonly balances: readonly { readonly currency: string; readonly amount: Decimal }[];
}

/** What the simulated venue is built from. */
export interface SimVenueOptions {
  /** Venue name in instrument ids. */
  readonly venue: string;
  readonly instruments: readonly Instrument[];
  readonly accounts: readonly SimAccountSetup[];
  readonly slippage: SlippageRule;
  readonly fees: FeeSchedule;
  readonly clock: Clock;
  readonly scheduler?: SimScheduler;
  /** Told of every new-order request, duplicates included: an audit trail of what reached the venue. */
  readonly onOrderReceived?: (order: ReceivedOrder) => void;
}

/** Top of book to set through {@link SimVenue.setMarket}. */
export interface SimQuote {
  readonly bid: Decimal;
  readonly bidSize: Decimal;
  readonly ask: Decimal;
  readonly askSize: Decimal;
}

/** One new-order request as the venue received it, duplicates included. */
export interface ReceivedOrder {
  readonly account: string;
  readonly clientOrderId: string;
  readonly time: UnixNanos;
}

interface VenueOrder {
  spec: OrderSpec;
  readonly venueOrderId: string;
  readonly instrument: Instrument;
  readonly book: AccountBook;
  status: OrderStatus;
  filled: Decimal;
  /** Σ price × quantity of the fills, for an exact average. */
  cost: Decimal;
  triggered: boolean;
  /** False until the order has been through one matching round as it now stands. */
  rested: boolean;
  readonly createdTime: UnixNanos;
  updatedTime: UnixNanos;
  cancelExpiry?: CancelTask;
}

interface AccountBook {
  readonly account: string;
  readonly orders: Map<string, VenueOrder>;
  readonly fills: Fill[];
  readonly portfolio: Portfolio;
  readonly cash: Map<string, Decimal>;
  readonly sinks: Set<VenueExecutionSink>;
}

interface Market {
  readonly instrument: Instrument;
  quote?: QuoteTick;
  /** Displayed size still available at the current quote; fills consume it until the next quote. */
  bidAvailable: Decimal;
  askAvailable: Decimal;
  /** Working orders in time priority. */
  working: VenueOrder[];
}

/**
 * The simulated venue: one in-process exchange shared by the sim data and
 * execution clients. It holds the top of book per instrument (set by the data
 * side: a random walk, a replay, or quotes fed from outside), the accounts with
 * their orders, fills, positions and cash, and matches orders against the book
 * with the rules of `matching.ts`.
 *
 * Like a real venue it answers requests synchronously (a duplicate client order
 * id or an unknown order is refused at once) and reports outcomes as a stream.
 * Its fault hooks make the failures tests need: a dropped link (reports are
 * lost, state is kept and can be queried after the link returns), a reject of
 * the next order, an order that arrives just before the link drops, paused fills.
 *
 * @example
 * const venue = new SimVenue({ venue: 'SIM', instruments, accounts, slippage, fees, clock: systemClock });
 * const d = Decimal.parse;
 * venue.setMarket(acme.id, { bid: d('99.99'), bidSize: d('100'), ask: d('100.01'), askSize: d('100') });
 */
export class SimVenue {
  readonly venue: string;
  private readonly clock: Clock;
  private readonly scheduler: SimScheduler;
  private readonly slippage: SlippageRule;
  private readonly fees: FeeSchedule;
  private readonly markets = new InstrumentMap<Market>();
  private readonly accounts = new Map<string, AccountBook>();
  private readonly dataSinks = new Set<VenueDataSink>();
  private readonly received: ReceivedOrder[] = [];
  private readonly receivedById = new Map<string, number>();
  /** Unique per venue start, so ids do not repeat across restarts. */
  private readonly idPrefix: string;
  private orderSeq = 0;
  private execSeq = 0;
  private up = true;
  private rejectNextReason: string | undefined;
  private dropOnNextOrder = false;
  private fillsPaused = false;
  private readonly onOrderReceived: ((order: ReceivedOrder) => void) | undefined;

  constructor(options: SimVenueOptions) {
    this.venue = options.venue;
    this.onOrderReceived = options.onOrderReceived;
    this.clock = options.clock;
    this.scheduler = options.scheduler ?? timerScheduler;
    this.slippage = options.slippage;
    this.fees = options.fees;
    this.idPrefix = (options.clock.nowNanos() / 1_000_000n).toString(36);
    for (const instrument of options.instruments) {
      this.markets.set(instrument.id, { instrument, bidAvailable: Decimal.ZERO, askAvailable: Decimal.ZERO, working: [] });
    }
    for (const setup of options.accounts) {
      this.accounts.set(setup.account, {
        account: setup.account,
        orders: new Map(),
        fills: [],
        portfolio: new Portfolio(setup.account),
        cash: new Map(setup.balances.map((b) => [b.currency, b.amount])),
        sinks: new Set(),
      });
    }
  }

  /** True while the link between the venue and its clients is up. */
  get linkUp(): boolean {
    return this.up;
  }

  /** The instruments the venue lists. */
  instruments(): Instrument[] {
    return [...this.markets.values()].map((m) => m.instrument);
  }

  /** The current quote of an instrument, if it has one. */
  quote(id: InstrumentId): QuoteTick | undefined {
    return this.market(id).quote;
  }

  // ---- sessions ----

  /** Connects an execution session of `account`; returns the function that detaches it. */
  attachExecution(account: string, sink: VenueExecutionSink): () => void {
    const book = this.book(account);
    book.sinks.add(sink);
    return () => book.sinks.delete(sink);
  }

  /** Connects a market-data session; returns the function that detaches it. */
  attachData(sink: VenueDataSink): () => void {
    this.dataSinks.add(sink);
    return () => this.dataSinks.delete(sink);
  }

  // ---- market ----

  /**
   * A new top of book: published to data sessions, then resting orders are
   * matched against it (with fresh displayed sizes) and due GTD orders expire.
   * @throws UnknownInstrumentError for an instrument the venue does not list.
   */
  updateMarket(quote: QuoteTick): void {
    const market = this.market(quote.instrument);
    market.quote = quote;
    market.bidAvailable = quote.bidSize;
    market.askAvailable = quote.askSize;
    if (this.up) for (const sink of this.dataSinks) sink.marketData(quote);
    this.expireDue(market);
    if (!this.fillsPaused) this.matchResting(market);
  }

  /** Sets the top of book from prices and sizes, stamped now and tagged SIMULATED. */
  setMarket(id: InstrumentId, quote: SimQuote): void {
    const now = this.clock.nowNanos();
    this.updateMarket({
      kind: 'quote',
      instrument: this.market(id).instrument.id,
      quality: 'SIMULATED',
      eventTime: now,
      initTime: now,
      bidPrice: quote.bid,
      bidSize: quote.bidSize,
      askPrice: quote.ask,
      askSize: quote.askSize,
    });
  }

  /** Publishes a trade print to data sessions; prints do not match orders (quotes do). */
  publishTrade(trade: TradeTick): void {
    this.market(trade.instrument);
    if (this.up) for (const sink of this.dataSinks) sink.marketData(trade);
  }

  // ---- requests ----

  /**
   * A new order. Refused at once with {@link DuplicateOrderError} when the
   * account already has this client order id; otherwise the order is
   * REJECTED or ACCEPTED (and maybe filled) through the report stream.
   * @throws AuthenticationError for an account the venue does not have.
   */
  submit(account: string, spec: OrderSpec): void {
    const book = this.book(account);
    const now = this.clock.nowNanos();
    const received: ReceivedOrder = { account, clientOrderId: spec.clientOrderId, time: now };
    this.received.push(received);
    this.onOrderReceived?.(received);
    this.receivedById.set(spec.clientOrderId, (this.receivedById.get(spec.clientOrderId) ?? 0) + 1);
    const existing = book.orders.get(spec.clientOrderId);
    if (existing) {
      throw new DuplicateOrderError(
        `expected a new client order id, ${spec.clientOrderId} is already used by order ${existing.venueOrderId} (${existing.status})`,
        { venueCode: 'DUPLICATE_CLIENT_ORDER_ID' },
      );
    }
    if (this.dropOnNextOrder) {
      // The order arrives; everything the venue says about it is lost with the link.
      this.dropOnNextOrder = false;
      this.setLink(false);
    }

    const market = this.markets.get(spec.instrument);
    const order: VenueOrder = {
      spec,
      venueOrderId: `${this.idPrefix}O${++this.orderSeq}`,
      instrument: market?.instrument ?? placeholderInstrument(spec.instrument),
      book,
      status: 'SUBMITTED',
      filled: Decimal.ZERO,
      cost: Decimal.ZERO,
      triggered: false,
      rested: false,
      createdTime: now,
      updatedTime: now,
    };
    book.orders.set(spec.clientOrderId, order);

    const reason = this.rejectReason(spec, book, market);
    if (reason !== undefined) {
      this.finish(order, 'REJECTED', reason);
      return;
    }
    order.status = 'ACCEPTED';
    this.emitOrder(order, '');
    // rejectReason refuses instruments the venue does not list, so the market exists here.
    const activeMarket = market as Market;
    activeMarket.working.push(order);
    this.scheduleExpiry(order, activeMarket);
    if (!this.fillsPaused) this.activate(order, activeMarket);
  }

  /**
   * Cancels a working order; the CANCELED report follows on the stream.
   * @throws OrderNotFoundError when the order is unknown or no longer working.
   */
  cancel(account: string, clientOrderId: string): void {
    const order = this.workingOrder(account, clientOrderId, 'cancel');
    this.finish(order, 'CANCELED', 'canceled on request');
  }

  /**
   * Amends a working order's quantity and prices; the amended report follows
   * on the stream, and the order is matched again at its new price.
   * @throws OrderNotFoundError when the order is unknown or no longer working.
   * @throws InvalidOrderError when the new values are invalid; the order is then unchanged.
   */
  modify(account: string, command: ModifyOrderCommand): void {
    const order = this.workingOrder(account, command.clientOrderId, 'modify');
    const spec: OrderSpec = {
      ...order.spec,
      quantity: command.quantity ?? order.spec.quantity,
      limitPrice: command.limitPrice ?? order.spec.limitPrice,
      stopPrice: command.stopPrice ?? order.spec.stopPrice,
    };
    const problem = validateOrderSpec(spec) ?? checkOrderForInstrument(spec, order.instrument);
    if (problem) throw new InvalidOrderError(`cannot modify order ${command.clientOrderId}: ${problem}`);
    if (!spec.quantity.gt(order.filled)) {
      throw new InvalidOrderError(
        `cannot modify order ${command.clientOrderId}: ` +
          `expected quantity > filled ${order.filled.toString()}, was ${spec.quantity.toString()}`,
      );
    }
    const market = this.market(spec.instrument);
    if (spec.postOnly && isMarketable({ ...spec, leaves: spec.quantity.sub(order.filled), triggered: order.triggered }, top(market))) {
      throw new InvalidOrderError(
        `cannot modify order ${command.clientOrderId}: a post-only order at ${spec.limitPrice?.toString()} would take liquidity`,
      );
    }
    order.spec = spec;
    order.rested = false;
    order.updatedTime = this.clock.nowNanos();
    this.emitOrder(order, 'modified', true);
    // Matched as if new: a moved stop may trigger at once, a moved limit may now cross.
    if (!this.fillsPaused) this.activate(order, market);
  }

  /** Cancels every working order of the account, optionally of one instrument or strategy. */
  cancelAll(account: string, command: Omit<CancelAllOrdersCommand, 'account'> = {}): void {
    const book = this.book(account);
    for (const order of [...book.orders.values()]) {
      if (!isOpenStatus(order.status)) continue;
      if (command.instrument && instrumentKey(command.instrument) !== instrumentKey(order.spec.instrument)) continue;
      if (command.strategyId !== undefined && command.strategyId !== order.spec.strategyId) continue;
      this.finish(order, 'CANCELED', 'canceled by cancel-all');
    }
  }

  // ---- queries ----

  /** The account's working orders. */
  openOrders(account: string): VenueOrderReport[] {
    const reports: VenueOrderReport[] = [];
    for (const order of this.book(account).orders.values()) {
      if (isOpenStatus(order.status)) reports.push(this.report(order, ''));
    }
    return reports;
  }

  /** The venue's view of one order, working or finished; `undefined` when it never arrived. */
  orderStatus(account: string, clientOrderId: string): VenueOrderReport | undefined {
    const order = this.book(account).orders.get(clientOrderId);
    return order && this.report(order, '');
  }

  /** Every position the account has held, flat ones included, marked at the mid. */
  positions(account: string): PositionSnapshot[] {
    return this.book(account)
      .portfolio.positions()
      .map((position) => position.snapshot(this.mark(position.instrument)));
  }

  /**
   * Cash per currency, and equity = cash + market value of the positions quoted
   * in it. The sim settles every instrument like cash equities: no margin.
   */
  accountState(account: string): AccountState {
    const book = this.book(account);
    const equity = new Map(book.cash);
    for (const position of book.portfolio.positions()) {
      if (position.isFlat) continue;
      const mark = this.mark(position.instrument) ?? position.avgPrice;
      const value = position.quantity.mul(mark).mul(position.multiplier);
      equity.set(position.currency, (equity.get(position.currency) ?? Decimal.ZERO).add(value));
    }
    const balances: Balance[] = [...equity.entries()].map(([currency, total]) => {
      const cash = book.cash.get(currency) ?? Decimal.ZERO;
      return { currency, cash, equity: total, marginUsed: Decimal.ZERO, buyingPower: cash };
    });
    return { account, venue: this.venue, balances };
  }

  /** The account's executions with `eventTime >= since` (all when omitted), oldest first. */
  executionsSince(account: string, since?: UnixNanos): Fill[] {
    const fills = this.book(account).fills;
    return since === undefined ? [...fills] : fills.filter((fill) => fill.eventTime >= since);
  }

  // ---- fault hooks ----

  /** How many new-order requests carried this client order id, duplicates included. */
  receivedCount(clientOrderId: string): number {
    return this.receivedById.get(clientOrderId) ?? 0;
  }

  /** Every new-order request received, in order. */
  receivedOrders(): readonly ReceivedOrder[] {
    return this.received;
  }

  /** The next order is rejected with exactly this reason. */
  rejectNext(reason: string): void {
    this.rejectNextReason = reason;
  }

  /** Drops the link: the venue keeps working, clients hear nothing until {@link restoreConnection}. */
  dropConnection(): void {
    this.setLink(false);
  }

  /** Brings the link back; clients reconnect and reconcile. */
  restoreConnection(): void {
    this.setLink(true);
  }

  /** The next order arrives and is processed, then the link drops before any answer gets out. */
  dropConnectionOnNextOrder(): void {
    this.dropOnNextOrder = true;
  }

  /** Stops matching: orders are accepted but nothing fills until {@link resumeFills}. */
  pauseFills(): void {
    this.fillsPaused = true;
  }

  /** Matches again, starting with everything that waited. */
  resumeFills(): void {
    this.fillsPaused = false;
    for (const market of this.markets.values()) this.matchResting(market);
  }

  /** Cancels timers and detaches every session. */
  dispose(): void {
    for (const book of this.accounts.values()) {
      for (const order of book.orders.values()) order.cancelExpiry?.();
      book.sinks.clear();
    }
    this.dataSinks.clear();
  }

  // ---- internals ----

  private setLink(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    for (const book of this.accounts.values()) for (const sink of [...book.sinks]) sink.link(up);
    for (const sink of [...this.dataSinks]) sink.link(up);
  }

  private rejectReason(spec: OrderSpec, book: AccountBook, market: Market | undefined): string | undefined {
    if (this.rejectNextReason !== undefined) {
      const reason = this.rejectNextReason;
      this.rejectNextReason = undefined;
      return reason;
    }
    if (!market) return `unknown instrument ${instrumentKey(spec.instrument)}`;
    if (spec.account !== book.account) return `expected account ${book.account}, was ${spec.account}`;
    const problem = validateOrderSpec(spec) ?? checkOrderForInstrument(spec, market.instrument);
    if (problem) return problem;
    if (spec.parentClientOrderId !== undefined || spec.ocoGroup !== undefined) return 'bracket and OCO orders are not supported';
    if (spec.reduceOnly) {
      const held = book.portfolio.position(spec.instrument)?.quantity ?? Decimal.ZERO;
      const reduces = spec.side === 'BUY' ? held.isNegative() : held.isPositive();
      if (!reduces || spec.quantity.gt(held.abs())) {
        return `reduce-only order of ${spec.quantity.toString()} would not only reduce the position of ${held.toString()}`;
      }
    }
    const touch = top(market);
    if (spec.type === 'MARKET' && (spec.side === 'BUY' ? touch.askPrice : touch.bidPrice) === undefined) {
      return `no ${spec.side === 'BUY' ? 'offer' : 'bid'} in ${spec.instrument.symbol} to fill a market order`;
    }
    if (spec.postOnly && isMarketable({ ...spec, leaves: spec.quantity, triggered: false }, touch)) {
      return `post-only order at ${spec.limitPrice?.toString()} would take liquidity`;
    }
    return undefined;
  }

  /** First matching round of an order that just arrived or triggered, with its time-in-force rules. */
  private activate(order: VenueOrder, market: Market): void {
    const spec = order.spec;
    if (!order.triggered && (spec.type === 'STOP' || spec.type === 'STOP_LIMIT')) {
      if (!isStopTriggered(spec, top(market))) return;
      order.triggered = true;
    }
    if (spec.timeInForce === 'FOK' && availableNow(matchable(order), top(market)).lt(leaves(order))) {
      this.finish(order, 'CANCELED', `fill-or-kill: ${leaves(order).toString()} not available at once`);
      return;
    }
    this.matchOne(order, market);
    if ((spec.timeInForce === 'IOC' || spec.timeInForce === 'FOK') && !isTerminalStatus(order.status)) {
      this.finish(order, 'CANCELED', `immediate-or-cancel: unfilled ${leaves(order).toString()} canceled`);
    }
  }

  private matchResting(market: Market): void {
    if (market.working.length === 0) return;
    for (const order of [...market.working]) {
      if (isTerminalStatus(order.status)) continue;
      if (!order.triggered && (order.spec.type === 'STOP' || order.spec.type === 'STOP_LIMIT')) {
        if (!isStopTriggered(order.spec, top(market))) continue;
        order.triggered = true;
        order.rested = false;
        this.activate(order, market);
        continue;
      }
      if (!order.rested && (order.spec.timeInForce === 'IOC' || order.spec.timeInForce === 'FOK')) {
        // Arrived while fills were paused: its immediate-or-cancel round happens now.
        this.activate(order, market);
        continue;
      }
      this.matchOne(order, market);
    }
  }

  private matchOne(order: VenueOrder, market: Market): void {
    const instruction = matchOrder(matchable(order), top(market), !order.rested, market.instrument.tickSize, this.slippage);
    order.rested = true;
    if (instruction) this.fill(order, market, instruction);
  }

  private fill(order: VenueOrder, market: Market, instruction: FillInstruction): void {
    const { spec, book, instrument } = order;
    const now = this.clock.nowNanos();
    if (spec.side === 'BUY') market.askAvailable = market.askAvailable.sub(instruction.quantity);
    else market.bidAvailable = market.bidAvailable.sub(instruction.quantity);

    const fee = commission(instrument, instruction, this.fees);
    const fill: Fill = {
      account: book.account,
      clientOrderId: spec.clientOrderId,
      venueOrderId: order.venueOrderId,
      execId: `${this.idPrefix}E${++this.execSeq}`,
      instrument: instrument.id,
      side: spec.side,
      quantity: instruction.quantity,
      price: instruction.price,
      commission: fee,
      commissionCurrency: instrument.currency,
      liquidity: instruction.liquidity,
      strategyId: spec.strategyId,
      eventTime: now,
    };
    book.fills.push(fill);
    book.portfolio.applyFill(fill, instrument);
    const value = notional(instrument, instruction.price, instruction.quantity);
    const cashFlow = spec.side === 'BUY' ? value.add(fee).neg() : value.sub(fee);
    book.cash.set(instrument.currency, (book.cash.get(instrument.currency) ?? Decimal.ZERO).add(cashFlow));

    order.filled = order.filled.add(instruction.quantity);
    order.cost = order.cost.add(instruction.price.mul(instruction.quantity));
    order.updatedTime = now;
    this.emit(book, { kind: 'fill', fill });
    if (order.filled.eq(spec.quantity)) {
      this.finish(order, 'FILLED', '');
    } else {
      order.status = 'PARTIALLY_FILLED';
      this.emitOrder(order, '');
    }
    const position = book.portfolio.position(instrument.id);
    if (position) this.emit(book, { kind: 'position', position: position.snapshot(this.mark(instrument.id)) });
    this.emit(book, { kind: 'account', state: this.accountState(book.account) });
  }

  /** Moves an order to a terminal status, takes it off the book and reports it. */
  private finish(order: VenueOrder, status: OrderStatus, reason: string): void {
    order.status = status;
    order.updatedTime = this.clock.nowNanos();
    order.cancelExpiry?.();
    const market = this.markets.get(order.spec.instrument);
    if (market) {
      const index = market.working.indexOf(order);
      if (index >= 0) market.working.splice(index, 1);
    }
    this.emitOrder(order, reason);
  }

  private scheduleExpiry(order: VenueOrder, market: Market): void {
    const expireTime = order.spec.timeInForce === 'GTD' ? order.spec.expireTime : undefined;
    if (expireTime === undefined) return;
    const delayMs = Number((expireTime - this.clock.nowNanos()) / 1_000_000n);
    order.cancelExpiry = this.scheduler.schedule(Math.max(0, delayMs), () => this.expireDue(market));
  }

  private expireDue(market: Market): void {
    if (market.working.length === 0) return;
    const now = this.clock.nowNanos();
    for (const order of [...market.working]) {
      const expireTime = order.spec.timeInForce === 'GTD' ? order.spec.expireTime : undefined;
      if (expireTime !== undefined && expireTime <= now && !isTerminalStatus(order.status)) {
        this.finish(order, 'EXPIRED', 'good-till-date order expired');
      }
    }
  }

  private emitOrder(order: VenueOrder, reason: string, amended = false): void {
    this.emit(order.book, this.report(order, reason, amended));
  }

  private emit(book: AccountBook, report: ExecutionReport): void {
    // Reports produced while the link is down are lost, as on a dropped socket; the state stays queryable.
    if (!this.up) return;
    for (const sink of book.sinks) sink.report(report);
  }

  private report(order: VenueOrder, reason: string, amended = false): VenueOrderReport {
    const spec = order.spec;
    return {
      kind: 'order',
      account: order.book.account,
      clientOrderId: spec.clientOrderId,
      venueOrderId: order.venueOrderId,
      instrument: spec.instrument,
      side: spec.side,
      type: spec.type,
      timeInForce: spec.timeInForce,
      quantity: spec.quantity,
      limitPrice: spec.limitPrice,
      stopPrice: spec.stopPrice,
      status: order.status,
      filledQuantity: order.filled,
      avgFillPrice: order.filled.isZero() ? undefined : order.cost.div(order.filled, 10).normalize(),
      reason,
      amended: amended || undefined,
      eventTime: order.updatedTime,
    };
  }

  private workingOrder(account: string, clientOrderId: string, action: string): VenueOrder {
    const order = this.book(account).orders.get(clientOrderId);
    if (!order) throw new OrderNotFoundError(`cannot ${action} order ${clientOrderId}: the venue has no such order`);
    if (!isOpenStatus(order.status)) {
      throw new OrderNotFoundError(`cannot ${action} order ${clientOrderId}: it is ${order.status}, no longer working`);
    }
    return order;
  }

  private mark(id: InstrumentId): Decimal | undefined {
    const quote = this.markets.get(id)?.quote;
    return quote && quote.bidPrice.add(quote.askPrice).div(Decimal.of(2), quote.bidPrice.scale + 1).normalize();
  }

  private market(id: InstrumentId): Market {
    const market = this.markets.get(id);
    if (!market) throw new UnknownInstrumentError(`expected an instrument listed on ${this.venue}, was ${instrumentKey(id)}`);
    return market;
  }

  private book(account: string): AccountBook {
    const book = this.accounts.get(account);
    if (!book) throw new AuthenticationError(`expected an account of ${this.venue}, was ${JSON.stringify(account)}`);
    return book;
  }
}

function top(market: Market): BookTop {
  const quote = market.quote;
  return {
    bidPrice: quote?.bidPrice,
    bidSize: market.bidAvailable,
    askPrice: quote?.askPrice,
    askSize: market.askAvailable,
  };
}

function leaves(order: VenueOrder): Decimal {
  return order.spec.quantity.sub(order.filled);
}

function matchable(order: VenueOrder): Parameters<typeof matchOrder>[0] {
  return { ...order.spec, leaves: leaves(order), triggered: order.triggered };
}

/** Stands in for an instrument the venue does not list, so the order can be recorded as REJECTED. */
function placeholderInstrument(id: InstrumentId): Instrument {
  return {
    id,
    venueInstrumentId: '',
    assetClass: 'EQUITY',
    exchange: id.venue,
    currency: '',
    baseCurrency: '',
    multiplier: Decimal.ONE,
    tickSize: Decimal.ONE,
    lotSize: Decimal.ONE,
    minQuantity: Decimal.ONE,
    description: 'not listed',
  };
}
