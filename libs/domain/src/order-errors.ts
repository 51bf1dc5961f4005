import type { OrderSpec } from './orders';

/**
 * An order spec failed validation, so no order was made.
 *
 * @example
 * err.message; // 'order S1abc: invalid quantity: expected quantity > 0, was -5'
 */
export class InvalidOrderError extends Error {
  override readonly name = 'InvalidOrderError';

  constructor(
    readonly clientOrderId: string,
    /** The spec field at fault. */
    readonly field: keyof OrderSpec,
    /** Expected versus found, without the order id. */
    readonly reason: string,
  ) {
    super(`order ${clientOrderId}: invalid ${field}: ${reason}`);
  }
}

/** What kind of inconsistency an {@link InvalidOrderUpdateError} reports; stable, for metrics labels. */
export type OrderUpdateProblem =
  /** The cumulative filled quantity went down. */
  | 'FILL_DECREASED'
  /** More was filled than the order's quantity. */
  | 'OVERFILL'
  /** The status does not match the filled quantity (FILLED but not fully filled, and so on). */
  | 'FILL_STATUS_MISMATCH'
  /** A fill that belongs to another order, side or instrument, or is not positive. */
  | 'FILL_MISMATCH'
  /** An amendment outside a replace confirmation, or one that leaves an invalid order. */
  | 'INVALID_AMENDMENT';

/**
 * A venue report or fill is inconsistent with the order; the order is left
 * unchanged. Like an invalid transition it is logged and counted, never applied.
 */
export class InvalidOrderUpdateError extends Error {
  override readonly name = 'InvalidOrderUpdateError';

  constructor(
    readonly clientOrderId: string,
    readonly problem: OrderUpdateProblem,
    /** Expected versus found, without the order id. */
    readonly reason: string,
  ) {
    super(`order ${clientOrderId}: ${reason}`);
  }
}
