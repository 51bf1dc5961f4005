import {
  isOpenStatus,
  type AccountState,
  type Fill,
  type OrderSnapshot,
  type PositionSnapshot,
  type UnixNanos,
} from '@ttquant/domain';
import type { ExecutionClient, VenueOrderReport } from './execution-client';

/** What the gateway knows when it reconciles. */
export interface ReconciliationInput {
  /**
   * TTQuant's orders for this account. Only the open ones (SUBMITTED, ACCEPTED,
   * PENDING_*, PARTIALLY_FILLED) are looked up; all are used to tell TTQuant's
   * orders from external ones.
   */
  readonly knownOrders: readonly OrderSnapshot[];
  /** Event time of the last execution the gateway stored; omitted asks for everything the venue has. */
  readonly lastExecutionTime?: UnixNanos;
}

/** The venue's state after a (re)connect, sorted out against what the gateway knows. */
export interface ReconciliationResult {
  /**
   * The venue's report for each known open order it has a record of, working or
   * finished. Apply after {@link ReconciliationResult.fills}; a report equal to
   * the order's state is a no-op.
   */
  readonly orders: readonly VenueOrderReport[];
  /** Executions since `lastExecutionTime`, oldest first; apply those whose exec id is new. */
  readonly fills: readonly Fill[];
  /** Orders working at the venue that TTQuant does not know (placed by hand or another system): flag and alert. */
  readonly external: readonly VenueOrderReport[];
  /**
   * Known open orders the venue has no record of: the submit never arrived.
   * The gateway may resend them under the same client order id (the venue
   * refuses a true duplicate) or give them up; it must not invent fills.
   */
  readonly missing: readonly OrderSnapshot[];
  readonly positions: readonly PositionSnapshot[];
  readonly account: AccountState;
}

/**
 * The sequence the gateway runs after every (re)connect, before accepting new
 * orders. The same for every adapter, built only from the
 * {@link ExecutionClient} queries:
 *
 * 1. `openOrders()`: everything working; those without a known client order id are external;
 * 2. `orderStatus()` for each known open order not among them: it finished
 *    (filled, cancelled, expired, rejected) while we were away, or never arrived;
 * 3. `executionsSince(lastExecutionTime)`: the fills we missed;
 * 4. `positions()` and `accountState()`: what we hold now.
 *
 * @example
 * await execution.connect();
 * const result = await reconcileExecution(execution, { knownOrders, lastExecutionTime });
 * for (const fill of result.fills) applyFillOnce(fill);
 * for (const report of result.orders) applyReport(report);
 */
export async function reconcileExecution(
  client: ExecutionClient,
  input: ReconciliationInput,
): Promise<ReconciliationResult> {
  const known = new Map<string, OrderSnapshot>();
  for (const order of input.knownOrders) known.set(order.spec.clientOrderId, order);

  const open = await client.openOrders();
  const orders: VenueOrderReport[] = [];
  const external: VenueOrderReport[] = [];
  const seen = new Set<string>();
  for (const report of open) {
    if (report.clientOrderId !== '' && known.has(report.clientOrderId)) {
      orders.push(report);
      seen.add(report.clientOrderId);
    } else {
      external.push(report);
    }
  }

  const missing: OrderSnapshot[] = [];
  for (const order of input.knownOrders) {
    if (!isOpenStatus(order.status) || seen.has(order.spec.clientOrderId)) continue;
    const report = await client.orderStatus({ clientOrderId: order.spec.clientOrderId, instrument: order.spec.instrument });
    if (report) orders.push(report);
    else missing.push(order);
  }

  const fills = await client.executionsSince(input.lastExecutionTime);
  const positions = await client.positions();
  const account = await client.accountState();
  return { orders, fills, external, missing, positions, account };
}
