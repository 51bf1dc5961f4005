import { Decimal } from '@ttquant/domain';
import { statusOf, type TrackedOrder } from './order-tracker';

/** What a new session's open-orders round showed. */
export interface ReconnectRound {
  /** Keys of the orders IB listed as open. */
  readonly working: ReadonlySet<string>;
  /** Orders placed by this client up to this count were sent before the round; later ones are not judged. */
  readonly seq: number;
  /** The new session's number. */
  readonly session: number;
  /** This client's API client id (only its own orders are judged). */
  readonly clientId: number;
}

/** What to do with one own order after a reconnect. */
export type ReconnectAction =
  | { readonly kind: 'settle'; readonly order: TrackedOrder; readonly ibStatus: 'Filled' | 'Cancelled'; readonly reason: string }
  | { readonly kind: 'working'; readonly order: TrackedOrder; readonly resendCancel: boolean; readonly modifyLost: boolean };

/** Why an order with no trace at IB after a reconnect is cancelled. */
export const NEVER_REACHED_IB = 'never reached IB: neither open nor executed after the reconnect (lost with the connection)';
/** Why an order IB acknowledged but no longer works after a reconnect is cancelled. */
export const NO_LONGER_WORKING = 'no longer working at IB after a reconnect';
/** Why a working order's pending modify is dropped after a reconnect. */
export const MODIFY_LOST = 'a change sent before the reconnect never reached IB; the order stands as it was';

/**
 * Decides, after a new session's open orders and executions are in, what
 * becomes of each own order placed before the round (pure: the client applies
 * the actions). An order IB works stays working; its report is sent again, a
 * cancel sent before the drop is sent again (it may have died with the
 * socket) and a modify is dropped (the order stands as IB lists it). An order
 * IB no longer works is over: filled when its emitted fills cover it, else
 * cancelled; with no trace at IB at all (never acknowledged, no fill) it never
 * reached IB, which can only be judged for orders of an earlier session.
 * Orders placed after the round went out, finished ones and other clients'
 * are left alone.
 */
export function planReconnect(orders: Iterable<TrackedOrder>, round: ReconnectRound): ReconnectAction[] {
  const actions: ReconnectAction[] = [];
  for (const order of orders) {
    if (order.clientId !== round.clientId || order.placedSeq > round.seq) continue;
    const status = statusOf(order);
    if (status === 'FILLED' || status === 'CANCELED' || status === 'REJECTED' || status === 'EXPIRED') continue;
    if (round.working.has(order.key)) {
      actions.push({ kind: 'working', order, resendCancel: order.pendingCancel, modifyLost: order.pendingModify });
      continue;
    }
    const traceless = status === undefined && order.emittedFilled.isZero();
    if (traceless && order.session >= round.session) continue;
    const filled = order.emittedFilled.gte(order.quantity);
    actions.push({
      kind: 'settle',
      order,
      ibStatus: filled ? 'Filled' : 'Cancelled',
      reason: filled ? order.reason : traceless ? NEVER_REACHED_IB : NO_LONGER_WORKING,
    });
  }
  return actions;
}

/** Applies a `settle` action to the order: whatever filled is all that ever will. */
export function settle(order: TrackedOrder, ibStatus: 'Filled' | 'Cancelled', reason: string): void {
  order.filled = Decimal.max(order.filled, order.emittedFilled);
  order.ibStatus = ibStatus;
  if (!order.emittedFilled.isZero()) order.avgFillPrice = order.emittedFillValue.div(order.emittedFilled, 10);
  order.reason = reason;
  order.pendingCancel = false;
  order.pendingModify = false;
}
