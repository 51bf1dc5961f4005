import type {
  AccountState,
  CancelAllOrdersCommand,
  CancelOrderCommand,
  ConnectionState,
  Decimal,
  Fill,
  InstrumentId,
  ModifyOrderCommand,
  OrderSide,
  OrderSpec,
  OrderStatus,
  OrderType,
  PositionSnapshot,
  TimeInForce,
  UnixNanos,
  VenueStatus,
} from '@ttquant/domain';
import type { ExecutionCapabilities } from './capabilities';
import type { Unsubscribe } from './listeners';

/**
 * The venue's view of one order: what it streams on every change and what
 * `openOrders` / `orderStatus` return. Carries the order's current parameters
 * so the gateway can recognise an amend and rebuild an order placed outside
 * TTQuant.
 */
export interface VenueOrderReport {
  readonly kind: 'order';
  readonly account: string;
  /** TTQuant's id as the venue echoes it; empty for an order placed without one (external). */
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly instrument: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Total quantity as the venue now has it (changes with an amend). */
  readonly quantity: Decimal;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  /**
   * The venue's status mapped to the order states. Venues report ACCEPTED,
   * REJECTED, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, and some also
   * PENDING_CANCEL / PENDING_REPLACE; never INITIALIZED or DENIED, which are TTQuant's own.
   */
  readonly status: OrderStatus;
  /** Cumulative filled quantity; never decreases for one order. */
  readonly filledQuantity: Decimal;
  /** Average price of the filled quantity; absent while nothing is filled. */
  readonly avgFillPrice?: Decimal;
  /** The venue's reason (the reject text, why it was cancelled...); empty when none. */
  readonly reason: string;
  /** True when this report acknowledges a modify: quantity or prices changed. */
  readonly amended?: boolean;
  /** Venue time of the change when known, else receipt time. */
  readonly eventTime: UnixNanos;
  /** The venue's payload, for audit. */
  readonly raw?: unknown;
}

/**
 * An execution. The adapter sends it before the order report that carries the
 * new cumulative quantity, so applying fills by exec id and then the status
 * report leaves nothing to reconcile.
 */
export interface FillReport {
  readonly kind: 'fill';
  readonly fill: Fill;
  readonly raw?: unknown;
}

/** The venue's position for one instrument changed (for venues that push positions). */
export interface PositionReport {
  readonly kind: 'position';
  readonly position: PositionSnapshot;
}

/** The account's balances changed. */
export interface AccountReport {
  readonly kind: 'account';
  readonly state: AccountState;
}

/** The execution connection changed state (`channel: 'execution'`). */
export interface ConnectionReport {
  readonly kind: 'status';
  readonly status: VenueStatus;
}

/** Everything an execution client streams. Switch on `kind`. */
export type ExecutionReport = VenueOrderReport | FillReport | PositionReport | AccountReport | ConnectionReport;

/** Identifies an order for {@link ExecutionClient.orderStatus}; some venues need the instrument to look it up. */
export interface OrderQuery {
  readonly clientOrderId: string;
  readonly instrument: InstrumentId;
}

/**
 * The execution half of a venue adapter, for one account.
 *
 * **Requests and outcomes.** `submit`, `cancel`, `modify` and `cancelAll`
 * resolve when the adapter has handed the request to the venue (or the venue
 * acknowledged the request, for request/response protocols). They do not wait
 * for the outcome: outcomes arrive as {@link ExecutionReport}s. In particular a
 * venue that refuses an order produces a `REJECTED` report carrying the venue's
 * reason; `submit` itself rejects only when the request could not be made:
 *
 * - `NotSupportedError`: the order uses a capability the venue lacks;
 * - `UnknownInstrumentError`: the instrument is unknown to the adapter (the
 *   venue never sees the order, so there is nothing to mark REJECTED — risk
 *   should have denied it);
 * - `DuplicateOrderError`: the venue already has this client order id; the
 *   original order is untouched and no report is emitted for the duplicate;
 * - a `NetworkError` (`DisconnectedError`, `RequestTimeoutError`...): the
 *   outcome is unknown; the order stays in flight until reconciliation settles
 *   it, and is never marked REJECTED for it.
 *
 * While the connection is down every request rejects with `DisconnectedError`
 * at once: adapters never queue orders for later, since an order sent minutes
 * after the strategy decided is not the order it wanted. Adapters reconnect by
 * themselves and report each state change as a `status` report.
 *
 * `cancel` and `modify` reject with `OrderNotFoundError` when the venue does not
 * know the order or it is no longer working, and with `InvalidOrderError` when
 * the venue refuses the new parameters (the order is then unchanged).
 *
 * **Reports.** For each order: an `order` report for every status change with
 * the cumulative filled quantity, each `fill` before the `order` report that
 * counts it. A venue that resends a report is fine: the order state machine
 * treats a repeated identical report as a no-op.
 *
 * **After a (re)connect** the gateway runs {@link reconcileExecution} (open
 * orders, status of its in-flight orders, executions since the last one it
 * knows, positions, balances) before it sends new orders.
 */
export interface ExecutionClient {
  /** The venue this client trades on. */
  readonly venue: string;
  /** The account this client trades for. */
  readonly account: string;
  /** What this client can do. */
  readonly capabilities: ExecutionCapabilities;
  /** Current state of the execution connection. */
  readonly connectionState: ConnectionState;

  /** Opens the connection and logs in; resolves once orders can be sent. */
  connect(): Promise<void>;
  /** Closes the connection; working orders stay at the venue. */
  disconnect(): Promise<void>;

  /** Sends a new order (see the interface comment for what resolving and rejecting mean). */
  submit(spec: OrderSpec): Promise<void>;
  /** Asks the venue to cancel a working order. */
  cancel(command: CancelOrderCommand): Promise<void>;
  /**
   * Asks the venue to amend a working order.
   * @throws NotSupportedError when `capabilities.modify` is false.
   */
  modify(command: ModifyOrderCommand): Promise<void>;
  /**
   * Cancels every working order of the account (optionally of one instrument or strategy).
   * Adapters without a native cancel-all cancel order by order.
   */
  cancelAll(command: CancelAllOrdersCommand): Promise<void>;

  /** Every order the venue has working for the account, including ones placed outside TTQuant. */
  openOrders(): Promise<VenueOrderReport[]>;
  /** The venue's current view of one order, working or finished; `undefined` when the venue has no record of it. */
  orderStatus(query: OrderQuery): Promise<VenueOrderReport | undefined>;
  /** The account's positions as the venue sees them. */
  positions(): Promise<PositionSnapshot[]>;
  /** The account's balances as the venue sees them. */
  accountState(): Promise<AccountState>;
  /**
   * Executions with `eventTime >= since` (all the venue still has when omitted),
   * oldest first. May repeat executions already seen: consumers dedupe by `execId`.
   */
  executionsSince(since?: UnixNanos): Promise<Fill[]>;

  /** Registers a handler for every report: orders, fills, positions, balances, connection status. */
  onReport(handler: (report: ExecutionReport) => void): Unsubscribe;
}
