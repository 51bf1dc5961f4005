import { ORDER_STATUSES, type OrderStatus } from './orders';

/**
 * The only valid order transitions (ARCHITECTURE.md, "Orders"). Keyed by the
 * current status; the value lists every status it may move to.
 * `PARTIALLY_FILLED → PARTIALLY_FILLED` is valid only with more filled, which
 * {@link Order} enforces; the table itself only knows statuses.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  INITIALIZED: ['DENIED', 'SUBMITTED'],
  DENIED: [],
  SUBMITTED: ['ACCEPTED', 'REJECTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  ACCEPTED: ['PENDING_CANCEL', 'PENDING_REPLACE', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  REJECTED: [],
  PENDING_CANCEL: ['CANCELED', 'PARTIALLY_FILLED', 'FILLED', 'ACCEPTED'],
  PENDING_REPLACE: ['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED'],
  PARTIALLY_FILLED: ['PARTIALLY_FILLED', 'PENDING_CANCEL', 'PENDING_REPLACE', 'FILLED', 'CANCELED', 'EXPIRED'],
  FILLED: [],
  CANCELED: [],
  EXPIRED: [],
};

/** Statuses an order never leaves. */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['DENIED', 'REJECTED', 'FILLED', 'CANCELED', 'EXPIRED'];

/**
 * Statuses of a working order: sent to the venue and not yet finished, so it
 * may still fill. `INITIALIZED` is neither open nor terminal: it has not left
 * the gateway yet.
 */
export const OPEN_STATUSES: readonly OrderStatus[] = [
  'SUBMITTED',
  'ACCEPTED',
  'PENDING_CANCEL',
  'PENDING_REPLACE',
  'PARTIALLY_FILLED',
];

// Sets built once so the checks on every order event are a hash lookup.
const ALLOWED = new Map<OrderStatus, ReadonlySet<OrderStatus>>(
  ORDER_STATUSES.map((status) => [status, new Set(ORDER_TRANSITIONS[status])]),
);
const TERMINAL: ReadonlySet<OrderStatus> = new Set(TERMINAL_STATUSES);
const OPEN: ReadonlySet<OrderStatus> = new Set(OPEN_STATUSES);

/** True when the transition table allows moving from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED.get(from)?.has(to) ?? false;
}

/** True for DENIED, REJECTED, FILLED, CANCELED and EXPIRED. */
export function isTerminalStatus(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

/** True for the statuses of {@link OPEN_STATUSES}. */
export function isOpenStatus(status: OrderStatus): boolean {
  return OPEN.has(status);
}

/**
 * An order report asked for a transition outside the table. The gateway logs
 * and counts it; the order keeps its previous state.
 *
 * @example
 * new InvalidOrderTransitionError('S1abc', 'FILLED', 'ACCEPTED').message
 * // 'order S1abc: invalid transition FILLED -> ACCEPTED'
 */
export class InvalidOrderTransitionError extends Error {
  override readonly name = 'InvalidOrderTransitionError';

  constructor(
    readonly clientOrderId: string,
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`order ${clientOrderId}: invalid transition ${from} -> ${to}`);
  }
}
