import type { Contract, Order as IbOrder } from '@stoqey/ib';
import { Decimal, type Instrument, type OrderSpec, type OrderStatus, type UnixNanos } from '@ttquant/domain';
import type { VenueOrderReport } from '@ttquant/gateway-api';
import { mapIbOrderStatus } from '../parsing/orders';

/** One order as the adapter tracks it: TTQuant's spec (when placed here) and IB's view. */
export interface TrackedOrder {
  /** `clientId/orderId`, or `perm/permId` for orders placed in TWS by hand (order id 0): ids are per client. */
  readonly key: string;
  readonly clientId: number;
  readonly clientOrderId: string;
  readonly orderId: number;
  readonly instrument: Instrument;
  readonly contract: Contract;
  readonly strategyId: string;
  spec: Pick<OrderSpec, 'side' | 'type' | 'timeInForce'>;
  quantity: Decimal;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  /** IB's status text; empty until IB says anything. */
  ibStatus: string;
  filled: Decimal;
  avgFillPrice?: Decimal;
  /** Quantity of the fills already emitted. */
  emittedFilled: Decimal;
  emittedFillValue: Decimal;
  rejectReason?: string;
  reason: string;
  pendingModify: boolean;
  /** A cancel was sent and neither confirmed nor refused yet: resent after a reconnect (it may have died with the socket). */
  pendingCancel: boolean;
  /** Order of placement by this client (0: learnt from IB); settling by absence only judges orders placed before an open-orders round. */
  placedSeq: number;
  /** The session it was placed in (0: learnt from IB). */
  session: number;
  amended: boolean;
  last?: VenueOrderReport;
  held?: boolean;
  /** IB's account id of the order: used on the wire only; reports carry TTQuant's name for the account. */
  account: string;
  /** The IB order as last sent (for a modify: everything but the changed fields stays). */
  ibOrder?: IbOrder;
  raw?: unknown;
}

/** What IB and the adapter fill in as an order lives; a newly tracked order starts from {@link untouchedProgress}. */
export type OrderProgress = Pick<
  TrackedOrder,
  'ibStatus' | 'filled' | 'emittedFilled' | 'emittedFillValue' | 'reason' | 'pendingModify' | 'pendingCancel' | 'amended'
>;

/** The progress of an order nobody has reported on yet: nothing filled or emitted, no modify or cancel pending. */
export function untouchedProgress(): OrderProgress {
  return {
    ibStatus: '',
    filled: Decimal.ZERO,
    emittedFilled: Decimal.ZERO,
    emittedFillValue: Decimal.ZERO,
    reason: '',
    pendingModify: false,
    pendingCancel: false,
    amended: false,
  };
}

/**
 * The orders the execution client knows: its own and those IB listed (other
 * clients', placed by hand), by IB's key and by client order id.
 */
export class IbOrderTracker {
  private readonly byKey = new Map<string, TrackedOrder>();
  private readonly byClientId = new Map<string, TrackedOrder>();

  /** Number of orders known. */
  get size(): number {
    return this.byKey.size;
  }

  /** Every order known. */
  all(): IterableIterator<TrackedOrder> {
    return this.byKey.values();
  }

  /** An order by IB's key ({@link orderKey}). */
  get(key: string): TrackedOrder | undefined {
    return this.byKey.get(key);
  }

  /** An order by TTQuant's client order id (IB's orderRef). */
  find(clientOrderId: string): TrackedOrder | undefined {
    return this.byClientId.get(clientOrderId);
  }

  /** True when an order with this client order id is known. */
  has(clientOrderId: string): boolean {
    return this.byClientId.has(clientOrderId);
  }

  /** Starts tracking an order. */
  track(tracked: TrackedOrder): void {
    this.byKey.set(tracked.key, tracked);
    // The first order known by a client order id keeps it: another system's orderRef never takes a TTQuant order's name.
    if (tracked.clientOrderId !== '' && !this.byClientId.has(tracked.clientOrderId)) this.byClientId.set(tracked.clientOrderId, tracked);
  }
}

/** TTQuant's status of an order from IB's status text, its fills and a rejection. */
export function statusOf(tracked: TrackedOrder): OrderStatus | undefined {
  if (tracked.rejectReason !== undefined) return 'REJECTED';
  return mapIbOrderStatus({ status: tracked.ibStatus, filled: tracked.filled.toNumber(), totalQuantity: tracked.quantity.toNumber() });
}

/**
 * The order's report as of now, or undefined while IB has said nothing about it.
 * `account` is the account as TTQuant names it; required, because IB's id of the
 * account (`tracked.account`) must never leave the adapter.
 */
export function reportOf(tracked: TrackedOrder, eventTime: UnixNanos, account: string): VenueOrderReport | undefined {
  const status = statusOf(tracked);
  if (status === undefined) return undefined;
  return {
    kind: 'order',
    account,
    clientOrderId: tracked.clientOrderId,
    venueOrderId: String(tracked.orderId),
    instrument: tracked.instrument.id,
    side: tracked.spec.side,
    type: tracked.spec.type,
    timeInForce: tracked.spec.timeInForce,
    quantity: tracked.quantity,
    ...(tracked.limitPrice !== undefined ? { limitPrice: tracked.limitPrice } : {}),
    ...(tracked.stopPrice !== undefined ? { stopPrice: tracked.stopPrice } : {}),
    status,
    filledQuantity: status === 'FILLED' ? Decimal.max(tracked.filled, tracked.quantity) : tracked.filled,
    ...(tracked.avgFillPrice !== undefined && tracked.filled.isPositive() ? { avgFillPrice: tracked.avgFillPrice } : {}),
    reason: tracked.rejectReason ?? tracked.reason,
    ...(tracked.amended ? { amended: true } : {}),
    eventTime,
    ...(tracked.raw !== undefined ? { raw: tracked.raw } : {}),
  };
}

/** The key of an order: order ids are per API client; orders placed in TWS by hand have id 0 and only a permId. */
export function orderKey(clientId: number, orderId: number | undefined, permId: number | undefined): string {
  return orderId !== undefined && orderId > 0 ? `${clientId}/${orderId}` : `perm/${permId ?? 0}`;
}

/** A usable IB price: positive and not IB's unset value. */
export function validPrice(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 && value < 1e300 ? value : undefined;
}

/** Equal decimals, or both absent. */
export function sameDecimal(a: Decimal | undefined, b: Decimal | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.eq(b);
}

/** Reports that say the same (an unchanged report is not emitted again). */
export function sameReport(a: VenueOrderReport, b: VenueOrderReport): boolean {
  return (
    a.status === b.status &&
    a.filledQuantity.eq(b.filledQuantity) &&
    a.quantity.eq(b.quantity) &&
    sameDecimal(a.limitPrice, b.limitPrice) &&
    sameDecimal(a.stopPrice, b.stopPrice) &&
    a.amended === b.amended
  );
}
