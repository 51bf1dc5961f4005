import type { FakeTwsClock } from './fake-clock';
import type { FakeTwsContract, FillDecision, FillPolicy, PlacedOrder } from './fake-tws-types';
import { multiplierOf } from './contract-registry';

/** Order states as TWS reports them; a partial fill is Submitted with filled > 0. */
export type BrokerOrderStatus = 'PreSubmitted' | 'Submitted' | 'Filled' | 'Cancelled';

/** An order as the paper broker tracks it. */
export interface BrokerOrder {
  /** The latest PLACE_ORDER for this id (a modification replaces it). */
  placed: PlacedOrder;
  contract: FakeTwsContract;
  permId: number;
  status: BrokerOrderStatus;
  filled: number;
  avgFillPrice: number;
  lastFillPrice: number;
  /** Sent with transmit=0 and not yet released by a transmitting order of its bracket. */
  held: boolean;
  ocaType: number;
  /** When a GTD order expires (fake clock ms). */
  expiresAtMs?: number;
}

/** Order attributes the broker needs beyond the logged PLACE_ORDER. */
export interface PlaceExtras {
  ocaType?: number;
  /** Parsed goodTillDate of a GTD order. */
  expiresAtMs?: number;
}

/** One fill. */
export interface BrokerExecution {
  execId: string;
  orderId: number;
  clientId: number;
  permId: number;
  account: string;
  contract: FakeTwsContract;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  timeMs: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
  commission: number;
  /** Realized P&L net of commission for a closing fill, undefined for an opening one. */
  realizedPnl: number | undefined;
}

/** A position per account and contract; avgCost includes the multiplier and opening commissions, as IB's does. */
export interface BrokerPosition {
  account: string;
  contract: FakeTwsContract;
  quantity: number;
  avgCost: number;
  realizedPnl: number;
}

/** What the broker tells the server to send. */
export interface BrokerListener {
  orderChanged(order: BrokerOrder): void;
  executed(execution: BrokerExecution, order: BrokerOrder): void;
  orderError(order: PlacedOrder, code: number, message: string): void;
  accountChanged(account: string): void;
}

/** The touch the broker fills against. */
export interface Touch {
  bid: number;
  ask: number;
  last: number;
}

/** The result of a PLACE_ORDER. */
export type PlaceOutcome = 'new' | 'modified' | 'refused';

const ACTIVE: ReadonlySet<BrokerOrderStatus> = new Set(['PreSubmitted', 'Submitted']);

function isMarketable(o: PlacedOrder, touch: Touch): boolean {
  if (o.orderType !== 'LMT' || o.lmtPrice === undefined) return false;
  return o.action === 'BUY' ? o.lmtPrice >= touch.ask : o.lmtPrice <= touch.bid;
}

/** The default fill policy: MKT fills, marketable LMT fills, everything else rests. */
export function defaultFillPolicy(touchOf: (conId: number) => Touch): FillPolicy {
  return (order) => {
    if (order.orderType === 'MKT') return 'fill';
    return isMarketable(order, touchOf(order.contract.conId)) ? 'fill' : 'rest';
  };
}

/**
 * A paper account: orders that rest, fill (partially too) and cancel; brackets whose children wait for the
 * parent; OCA groups; executions with commissions; positions; cash. With the default policy resting LMT,
 * STP and STP LMT orders also fill when the moving market reaches them; with a custom policy the test is in
 * full control (policy at placement, {@link PaperBroker.fill} afterwards).
 */
export class PaperBroker {
  /** By `clientId/orderId`: TWS keeps order ids per API client, two clients may use the same id. */
  private readonly orders = new Map<string, BrokerOrder>();
  private readonly executionsList: BrokerExecution[] = [];
  private readonly positionMap = new Map<string, BrokerPosition>();
  private readonly cash = new Map<string, number>();
  private nextPermId = 1_800_000_000;
  private execSeq = 0;
  private readonly maxOrderIds = new Map<number, number>();
  private readonly policy: FillPolicy;
  private readonly matchMarket: boolean;

  constructor(
    private readonly clock: FakeTwsClock,
    private readonly touchOf: (conId: number) => Touch,
    private readonly firstOrderId: number,
    accounts: readonly string[],
    private readonly startingCash: number,
    customPolicy: FillPolicy | undefined,
    private readonly listener: BrokerListener,
  ) {
    for (const account of accounts) this.cash.set(account, startingCash);
    this.policy = customPolicy ?? defaultFillPolicy(touchOf);
    this.matchMarket = customPolicy === undefined;
  }

  /** The id NEXT_VALID_ID reports to a client: above every id it used so far (every client's without one). */
  nextValidId(clientId?: number): number {
    const used = clientId === undefined ? Math.max(0, ...this.maxOrderIds.values()) : (this.maxOrderIds.get(clientId) ?? 0);
    return Math.max(this.firstOrderId, used + 1);
  }

  /** Handles a PLACE_ORDER: new order, modification of a live one, or a refusal (103). */
  place(placed: PlacedOrder, contract: FakeTwsContract, extras: PlaceExtras = {}): PlaceOutcome {
    this.noteOrderId(placed);
    const existing = this.orders.get(keyOf(placed.clientId, placed.orderId));
    if (existing) {
      const sameOrder = existing.contract.conId === contract.conId && existing.placed.action === placed.action;
      if (!sameOrder || !ACTIVE.has(existing.status)) {
        this.listener.orderError(placed, 103, 'Duplicate order id');
        return 'refused';
      }
      this.modify(existing, placed, extras);
      return 'modified';
    }
    const order: BrokerOrder = {
      placed,
      contract,
      permId: this.nextPermId++,
      status: 'PreSubmitted',
      filled: 0,
      avgFillPrice: 0,
      lastFillPrice: 0,
      held: !placed.transmit,
      ocaType: extras.ocaType ?? 0,
    };
    if (extras.expiresAtMs !== undefined) order.expiresAtMs = extras.expiresAtMs;
    this.orders.set(keyOf(placed.clientId, placed.orderId), order);
    if (order.held) {
      this.listener.orderChanged(order);
      return 'new';
    }
    this.release(order);
    return 'new';
  }

  /** Rejects an order outright (error 201), recording it as cancelled. */
  reject(placed: PlacedOrder, contract: FakeTwsContract, reason: string): void {
    this.noteOrderId(placed);
    const order: BrokerOrder = { placed, contract, permId: this.nextPermId++, status: 'Cancelled', filled: 0, avgFillPrice: 0, lastFillPrice: 0, held: false, ocaType: 0 };
    this.orders.set(keyOf(placed.clientId, placed.orderId), order);
    this.listener.orderError(placed, 201, `Order rejected - reason:${reason}`);
    this.listener.orderChanged(order);
  }

  /** Cancels a live order (status Cancelled + error 202); unknown ids get 10147, finished ones 10148. */
  cancel(orderId: number, requesterClientId: number): void {
    const order = this.orders.get(keyOf(requesterClientId, orderId));
    if (!order) {
      this.listener.orderError(stubOrder(orderId, requesterClientId), 10147, `OrderId ${orderId} that needs to be cancelled is not found.`);
      return;
    }
    if (!ACTIVE.has(order.status)) {
      this.listener.orderError(order.placed, 10148, `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: ${order.status}.`);
      return;
    }
    this.cancelOrder(order, true);
  }

  /** The broker's own cancel of a live order (no client asked); throws for an unknown or finished order. */
  cancelByBroker(orderId: number, clientId?: number): void {
    const order = this.find(orderId, clientId);
    if (!order || !ACTIVE.has(order.status)) throw new RangeError(`expected a live order id, ${orderId} is ${order ? order.status : 'unknown'}`);
    this.cancelOrder(order, true);
  }

  /** Cancels every live order (REQ_GLOBAL_CANCEL). */
  cancelAll(): void {
    for (const order of this.orders.values()) if (ACTIVE.has(order.status)) this.cancelOrder(order, true);
  }

  /** Manual fill of a live order (a test's fillOrder). */
  fill(orderId: number, quantity: number, price?: number, clientId?: number): void {
    const order = this.find(orderId, clientId);
    if (!order) throw new RangeError(`expected a known order id, got ${orderId}`);
    if (!ACTIVE.has(order.status) || order.held) throw new RangeError(`expected order ${orderId} to be live and transmitted, it is ${order.held ? 'held' : order.status}`);
    const remaining = order.placed.totalQuantity - order.filled;
    if (!(quantity > 0) || quantity > remaining) throw new RangeError(`expected 0 < quantity <= ${remaining} for order ${orderId}, was ${quantity}`);
    this.execute(order, quantity, price ?? this.marketPrice(order));
  }

  /** Lets resting orders trade against a new quote (default policy only). */
  onQuote(conId: number): void {
    if (!this.matchMarket) return;
    const touch = this.touchOf(conId);
    for (const order of [...this.orders.values()]) {
      if (order.contract.conId !== conId || order.status !== 'Submitted' || order.held) continue;
      const price = restingFillPrice(order.placed, touch);
      if (price !== undefined) this.execute(order, order.placed.totalQuantity - order.filled, price);
    }
  }

  /** Cancels GTD orders whose time has come (called on every market step). */
  expireOrders(): void {
    const now = this.clock.now();
    for (const order of [...this.orders.values()]) {
      if (ACTIVE.has(order.status) && order.expiresAtMs !== undefined && order.expiresAtMs <= now) this.cancelOrder(order, false);
    }
  }

  /** Orders not yet filled or cancelled. */
  openOrders(): BrokerOrder[] {
    return [...this.orders.values()].filter((o) => ACTIVE.has(o.status));
  }

  /** One order by id (of `clientId`; without it, the only order with this id). */
  order(orderId: number, clientId?: number): BrokerOrder | undefined {
    return this.find(orderId, clientId);
  }

  /** Every fill so far, oldest first. */
  executions(): readonly BrokerExecution[] {
    return this.executionsList;
  }

  /** Every position ever opened (flat ones included, as TWS lists them for the day). */
  positions(): BrokerPosition[] {
    return [...this.positionMap.values()];
  }

  /** Cash of an account. */
  cashOf(account: string): number {
    return this.cash.get(account) ?? this.startingCash;
  }

  private modify(order: BrokerOrder, placed: PlacedOrder, extras: PlaceExtras): void {
    if (placed.totalQuantity < order.filled) {
      this.listener.orderError(placed, 201, `Order rejected - reason:the new quantity ${placed.totalQuantity} is below the ${order.filled} already filled`);
      return;
    }
    if (order.held || order.status === 'PreSubmitted') {
      // Not working yet: the change is recorded; a transmitting modification releases the bracket.
      order.placed = placed;
      this.setExpiry(order, extras);
      if (order.held && placed.transmit) {
        order.held = false;
        this.release(order);
      } else {
        this.listener.orderChanged(order);
      }
      return;
    }
    const decision = this.policy(placed);
    if (isReject(decision)) {
      this.listener.orderError(placed, 201, `Order rejected - reason:${decision.reject}`);
      return;
    }
    order.placed = placed;
    this.setExpiry(order, extras);
    this.apply(order, decision);
  }

  private setExpiry(order: BrokerOrder, extras: PlaceExtras): void {
    if (extras.expiresAtMs === undefined) delete order.expiresAtMs;
    else order.expiresAtMs = extras.expiresAtMs;
  }

  /** Releases an order that transmits, and the held orders of its bracket, parent first. */
  private release(order: BrokerOrder): void {
    const rootId = order.placed.parentId !== 0 ? order.placed.parentId : order.placed.orderId;
    const clientId = order.placed.clientId;
    const family = [...this.orders.values()]
      .filter((o) => o === order || (o.held && o.placed.clientId === clientId && (o.placed.orderId === rootId || o.placed.parentId === rootId)))
      .sort((a, b) => (a.placed.orderId === rootId ? -1 : b.placed.orderId === rootId ? 1 : a.placed.orderId - b.placed.orderId));
    for (const member of family) member.held = false;
    for (const member of family) this.activate(member);
  }

  /** A transmitted order starts working, unless its parent has not filled yet. */
  private activate(order: BrokerOrder): void {
    // Only orders not yet working; a release can reach an order twice (its parent's fill, then the loop).
    if (order.status !== 'PreSubmitted') return;
    const parent = order.placed.parentId !== 0 ? this.orders.get(keyOf(order.placed.clientId, order.placed.parentId)) : undefined;
    if (parent && parent.status !== 'Filled') {
      if (parent.status === 'Cancelled') {
        this.cancelOrder(order, false);
        return;
      }
      order.status = 'PreSubmitted';
      this.listener.orderChanged(order);
      return;
    }
    const decision = this.policy(order.placed);
    if (isReject(decision)) {
      order.status = 'Cancelled';
      this.listener.orderError(order.placed, 201, `Order rejected - reason:${decision.reject}`);
      this.listener.orderChanged(order);
      this.cancelChildren(order);
      return;
    }
    order.status = 'Submitted';
    this.listener.orderChanged(order);
    const tif = order.placed.tif;
    // Fill-or-kill: all of it now, or nothing.
    if (tif === 'FOK' && !this.fillsAll(order, decision)) {
      this.cancelOrder(order, false);
      return;
    }
    if (decision !== 'rest') this.apply(order, decision);
    // Immediate-or-cancel and fill-or-kill leave nothing resting, whatever decided the fill.
    if ((tif === 'IOC' || tif === 'FOK') && ACTIVE.has(order.status)) this.cancelOrder(order, false);
  }

  private fillsAll(order: BrokerOrder, decision: Exclude<FillDecision, { reject: string }>): boolean {
    const remaining = order.placed.totalQuantity - order.filled;
    if (decision === 'fill') return true;
    return typeof decision === 'object' && 'quantity' in decision && decision.quantity >= remaining;
  }

  private apply(order: BrokerOrder, decision: Exclude<FillDecision, { reject: string }>): void {
    const remaining = order.placed.totalQuantity - order.filled;
    if (typeof decision === 'object' && 'quantity' in decision) {
      const quantity = Math.min(decision.quantity, remaining);
      if (quantity > 0) {
        this.execute(order, quantity, decision.price ?? this.marketPrice(order));
        return;
      }
    }
    if (decision === 'fill' && remaining > 0) {
      this.execute(order, remaining, this.marketPrice(order));
      return;
    }
    if (decision === 'partial' && remaining >= 2) {
      this.execute(order, Math.floor(remaining / 2), this.marketPrice(order));
      return;
    }
    if (remaining <= 0) {
      this.finishFilled(order);
      return;
    }
    order.status = 'Submitted';
    this.listener.orderChanged(order);
  }

  private marketPrice(order: BrokerOrder): number {
    const touch = this.touchOf(order.contract.conId);
    const o = order.placed;
    if (o.orderType === 'LMT' && o.lmtPrice !== undefined && !isMarketable(o, touch)) return o.lmtPrice;
    return o.action === 'BUY' ? touch.ask : touch.bid;
  }

  private execute(order: BrokerOrder, quantity: number, price: number): void {
    const o = order.placed;
    const cumQty = order.filled + quantity;
    order.avgFillPrice = (order.avgFillPrice * order.filled + price * quantity) / cumQty;
    order.filled = cumQty;
    order.lastFillPrice = price;
    order.status = cumQty >= o.totalQuantity ? 'Filled' : 'Submitted';
    const commission = commissionFor(order.contract, quantity, price);
    const realizedPnl = this.book(o.account, order.contract, o.action === 'BUY' ? quantity : -quantity, price, commission);
    this.execSeq += 1;
    const execution: BrokerExecution = {
      execId: `${order.permId.toString(16).padStart(8, '0')}.${this.execSeq.toString(16).padStart(8, '0')}.01.01`,
      orderId: o.orderId,
      clientId: o.clientId,
      permId: order.permId,
      account: o.account,
      contract: order.contract,
      side: o.action === 'BUY' ? 'BOT' : 'SLD',
      shares: quantity,
      price,
      timeMs: this.clock.now(),
      cumQty,
      avgPrice: order.avgFillPrice,
      orderRef: o.orderRef,
      commission,
      realizedPnl,
    };
    this.executionsList.push(execution);
    this.listener.executed(execution, order);
    this.listener.orderChanged(order);
    this.listener.accountChanged(o.account);
    this.cancelOcaSiblings(order);
    if (order.status === 'Filled') this.finishFilled(order);
  }

  private finishFilled(order: BrokerOrder): void {
    if (order.status !== 'Filled') {
      order.status = 'Filled';
      this.listener.orderChanged(order);
    }
    for (const child of this.children(order)) if (!child.held) this.activate(child);
  }

  /** Moves a fill into position and cash; returns realized P&L for the closing part, if any. */
  private book(account: string, contract: FakeTwsContract, signedQty: number, price: number, commission: number): number | undefined {
    const key = `${account}:${contract.conId}`;
    const pos = this.positionMap.get(key) ?? { account, contract, quantity: 0, avgCost: 0, realizedPnl: 0 };
    this.positionMap.set(key, pos);
    const mult = multiplierOf(contract);
    this.cash.set(account, this.cashOf(account) - signedQty * price * mult - commission);
    let realized: number | undefined;
    let openQty = signedQty;
    if (pos.quantity !== 0 && Math.sign(pos.quantity) !== Math.sign(signedQty)) {
      const closing = Math.min(Math.abs(signedQty), Math.abs(pos.quantity));
      const closeCommission = (commission * closing) / Math.abs(signedQty);
      realized = (price * mult - pos.avgCost) * closing * Math.sign(pos.quantity) - closeCommission;
      pos.realizedPnl += realized;
      pos.quantity += Math.sign(signedQty) * closing;
      openQty = signedQty - Math.sign(signedQty) * closing;
      if (pos.quantity === 0) pos.avgCost = 0;
      commission -= closeCommission;
    }
    if (openQty !== 0) {
      const newQty = pos.quantity + openQty;
      // Commission raises a long's cost basis and lowers a short's proceeds, as in IB's avgCost.
      pos.avgCost = (Math.abs(pos.quantity) * pos.avgCost + Math.abs(openQty) * price * mult + Math.sign(newQty) * commission) / Math.abs(newQty);
      pos.quantity = newQty;
    }
    return realized === undefined ? undefined : round2(realized);
  }

  private cancelOrder(order: BrokerOrder, withNotice: boolean): void {
    order.status = 'Cancelled';
    if (withNotice) this.listener.orderError(order.placed, 202, 'Order Canceled - reason:');
    this.listener.orderChanged(order);
    this.cancelChildren(order);
  }

  private cancelChildren(order: BrokerOrder): void {
    for (const child of this.children(order)) if (ACTIVE.has(child.status)) this.cancelOrder(child, false);
  }

  private cancelOcaSiblings(order: BrokerOrder): void {
    const group = order.placed.ocaGroup;
    if (group === '') return;
    for (const other of this.orders.values()) {
      if (other !== order && other.placed.ocaGroup === group && other.placed.account === order.placed.account && ACTIVE.has(other.status)) {
        this.cancelOrder(other, false);
      }
    }
  }

  private children(order: BrokerOrder): BrokerOrder[] {
    return [...this.orders.values()].filter((o) => o.placed.clientId === order.placed.clientId && o.placed.parentId === order.placed.orderId);
  }

  private noteOrderId(placed: PlacedOrder): void {
    this.maxOrderIds.set(placed.clientId, Math.max(this.maxOrderIds.get(placed.clientId) ?? 0, placed.orderId));
  }

  /** An order by id; without a client id the id must name one order only. */
  private find(orderId: number, clientId: number | undefined): BrokerOrder | undefined {
    if (clientId !== undefined) return this.orders.get(keyOf(clientId, orderId));
    const found = [...this.orders.values()].filter((o) => o.placed.orderId === orderId);
    if (found.length > 1) {
      throw new RangeError(`expected one order with id ${orderId}, clients ${found.map((o) => o.placed.clientId).join(', ')} each have one: name the client id`);
    }
    return found[0];
  }
}

/** Fill price of a resting order against a touch, or undefined while it does not trade. */
function restingFillPrice(o: PlacedOrder, touch: Touch): number | undefined {
  const buy = o.action === 'BUY';
  const price = buy ? touch.ask : touch.bid;
  switch (o.orderType) {
    case 'LMT':
      return o.lmtPrice !== undefined && (buy ? price <= o.lmtPrice : price >= o.lmtPrice) ? price : undefined;
    case 'STP':
      return o.auxPrice !== undefined && (buy ? price >= o.auxPrice : price <= o.auxPrice) ? price : undefined;
    case 'STP LMT': {
      const triggered = o.auxPrice !== undefined && (buy ? price >= o.auxPrice : price <= o.auxPrice);
      return triggered && o.lmtPrice !== undefined && (buy ? price <= o.lmtPrice : price >= o.lmtPrice) ? price : undefined;
    }
    default:
      return undefined;
  }
}

/** IB-like fixed-rate commissions: $0.005/share (min $1) for stocks, $0.85/contract for futures, 2 bp otherwise (min $1). */
export function commissionFor(contract: FakeTwsContract, quantity: number, price: number): number {
  switch (contract.secType) {
    case 'STK':
    case 'ETF':
      return round2(Math.max(1, 0.005 * quantity));
    case 'FUT':
      return round2(0.85 * quantity);
    default:
      return round2(Math.max(1, 0.0002 * quantity * price * multiplierOf(contract)));
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * An order with only its ids: what an error about an order id the broker does not know refers to. Specs start
 * their orders from it too.
 */
export function stubOrder(orderId: number, clientId: number): PlacedOrder {
  return {
    orderId,
    clientId,
    orderRef: '',
    account: '',
    contract: { conId: 0, symbol: '', secType: '', exchange: '', currency: '' },
    action: 'BUY',
    totalQuantity: 0,
    orderType: '',
    tif: '',
    outsideRth: false,
    parentId: 0,
    ocaGroup: '',
    transmit: true,
    goodTillDate: '',
    receivedAtMs: 0,
  };
}

function keyOf(clientId: number, orderId: number): string {
  return `${clientId}/${orderId}`;
}

function isReject(decision: FillDecision): decision is { reject: string } {
  return typeof decision === 'object' && 'reject' in decision;
}
