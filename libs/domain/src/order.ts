import { Decimal } from './decimal';
import { instrumentKey, sameInstrument } from './instrument';
import { InvalidOrderError, InvalidOrderUpdateError } from './order-errors';
import { canTransition, InvalidOrderTransitionError, isOpenStatus, isTerminalStatus } from './order-state';
import { findOrderSpecProblem } from './order-validation';
import type { Fill, OrderEvent, OrderSnapshot, OrderSpec, OrderStatus } from './orders';
import type { UnixNanos } from './time';

/** Places the volume-weighted average fill price is rounded to (half-even). */
export const AVG_FILL_PRICE_SCALE = 10;

/** New quantity and prices confirmed by the venue when a replace completes. */
export interface OrderAmendment {
  readonly quantity?: Decimal;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
}

/** A status report about one order, as an execution adapter parsed it. */
export interface OrderUpdate {
  readonly status: OrderStatus;
  /** Venue time of the report when known, else receipt time. */
  readonly time: UnixNanos;
  /** Why, for rejects, denials, cancels and expiries. */
  readonly reason?: string;
  readonly venueOrderId?: string;
  /**
   * Cumulative filled quantity. Absent means unchanged, except for FILLED,
   * where absent means the whole quantity.
   */
  readonly filledQuantity?: Decimal;
  /** Average price of all fills so far, when the venue reports it. */
  readonly avgFillPrice?: Decimal;
  /** Only on a confirmed replace: a PENDING_REPLACE order moving to ACCEPTED, PARTIALLY_FILLED or FILLED. */
  readonly amended?: OrderAmendment;
}

const AMEND_TARGETS: ReadonlySet<OrderStatus> = new Set(['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED']);

/**
 * One order and its state machine (ARCHITECTURE.md, "Orders").
 *
 * Every change goes through {@link apply} or {@link applyFill}, which either
 * return the event to publish or throw and leave the order as it was:
 * transitions outside the table throw {@link InvalidOrderTransitionError};
 * fills that decrease, overshoot or contradict the status throw
 * {@link InvalidOrderUpdateError}. A repeated report of the same status and
 * filled quantity returns `undefined`, since venues resend.
 *
 * @example
 * const order = Order.create(spec, clock.nowNanos());
 * const submitted = order.apply({ status: 'SUBMITTED', time: clock.nowNanos() });
 * publish(submitted); // eventSequence 1
 */
export class Order {
  private currentSpec: OrderSpec;
  private currentStatus: OrderStatus;
  private filled: Decimal;
  private avgPrice: Decimal | undefined;
  /** Exact Σ price × quantity of the fills when known, so averages do not drift. */
  private fillCost: Decimal | undefined;
  private venueId: string | undefined;
  private readonly created: UnixNanos;
  private updated: UnixNanos;
  private sequence: number;

  private constructor(snapshot: OrderSnapshot, eventSequence: number) {
    this.currentSpec = snapshot.spec;
    this.currentStatus = snapshot.status;
    this.filled = snapshot.filledQuantity;
    this.avgPrice = snapshot.avgFillPrice;
    const nothingFilled = snapshot.filledQuantity.isZero();
    this.fillCost = snapshot.avgFillPrice?.mul(snapshot.filledQuantity) ?? (nothingFilled ? Decimal.ZERO : undefined);
    this.venueId = snapshot.venueOrderId;
    this.created = snapshot.createdTime;
    this.updated = snapshot.updatedTime;
    this.sequence = eventSequence;
  }

  /**
   * A new order in INITIALIZED with nothing filled and no events yet.
   * @throws InvalidOrderError naming the first invalid field of the spec.
   */
  static create(spec: OrderSpec, createdTime: UnixNanos): Order {
    assertValidSpec(spec);
    return new Order(
      { spec, status: 'INITIALIZED', filledQuantity: Decimal.ZERO, createdTime, updatedTime: createdTime },
      0,
    );
  }

  /**
   * Rebuilds an order from its last published snapshot (journal replay, bus
   * consumers) and the sequence number of the event that carried it.
   * @throws InvalidOrderError when the spec is invalid or the filled quantity impossible
   * @throws RangeError when the event sequence is not a non-negative integer
   */
  static fromSnapshot(snapshot: OrderSnapshot, eventSequence: number): Order {
    assertValidSpec(snapshot.spec);
    const id = snapshot.spec.clientOrderId;
    if (snapshot.filledQuantity.isNegative() || snapshot.filledQuantity.gt(snapshot.spec.quantity)) {
      throw new InvalidOrderError(
        id,
        'quantity',
        `expected filled quantity within 0..${snapshot.spec.quantity.toString()}, was ${snapshot.filledQuantity.toString()}`,
      );
    }
    if (!Number.isSafeInteger(eventSequence) || eventSequence < 0) {
      throw new RangeError(`order ${id}: expected an event sequence >= 0, was ${eventSequence}`);
    }
    return new Order(snapshot, eventSequence);
  }

  /** The spec as it stands now: amended quantity and prices after a confirmed replace. */
  get spec(): OrderSpec {
    return this.currentSpec;
  }

  /** The idempotency key chosen by the sender. */
  get clientOrderId(): string {
    return this.currentSpec.clientOrderId;
  }

  /** Current state in the transition table. */
  get status(): OrderStatus {
    return this.currentStatus;
  }

  /** Cumulative filled quantity. */
  get filledQuantity(): Decimal {
    return this.filled;
  }

  /**
   * Order quantity minus filled quantity, never negative. Not zeroed for a
   * canceled or expired order: check {@link isOpen} for whether it can still fill.
   */
  get leavesQuantity(): Decimal {
    const leaves = this.currentSpec.quantity.sub(this.filled);
    return leaves.isNegative() ? Decimal.ZERO : leaves;
  }

  /**
   * Volume-weighted average fill price, as computed from fills or last reported
   * by the venue; absent until the first fill.
   */
  get avgFillPrice(): Decimal | undefined {
    return this.avgPrice;
  }

  /** The venue's id for the order, once the venue or a fill has named it. */
  get venueOrderId(): string | undefined {
    return this.venueId;
  }

  /** When the order was created in TTQuant. */
  get createdTime(): UnixNanos {
    return this.created;
  }

  /** Time of the last applied report or fill. */
  get updatedTime(): UnixNanos {
    return this.updated;
  }

  /** DENIED, REJECTED, FILLED, CANCELED or EXPIRED: nothing will change any more. */
  get isTerminal(): boolean {
    return isTerminalStatus(this.currentStatus);
  }

  /** Working at or in flight to the venue (see `OPEN_STATUSES`). */
  get isOpen(): boolean {
    return isOpenStatus(this.currentStatus);
  }

  /** Number of events emitted so far; the last event carried this number. */
  get eventSequence(): number {
    return this.sequence;
  }

  /**
   * Applies a status report.
   * @returns the event to publish, or `undefined` for a repeat of the current state
   * @throws InvalidOrderTransitionError for a transition outside the table
   * @throws InvalidOrderUpdateError for an inconsistent fill quantity or amendment
   */
  apply(update: OrderUpdate): OrderEvent | undefined {
    const from = this.currentStatus;
    const to = update.status;
    const amended = update.amended;

    if (to === from && this.isRepeat(update)) return undefined;
    if (!canTransition(from, to)) throw new InvalidOrderTransitionError(this.clientOrderId, from, to);

    let spec = this.currentSpec;
    if (amended) {
      if (from !== 'PENDING_REPLACE' || !AMEND_TARGETS.has(to)) {
        throw this.updateError(
          'INVALID_AMENDMENT',
          `expected an amendment only when a replace is confirmed, was ${from} -> ${to}`,
        );
      }
      spec = {
        ...spec,
        quantity: amended.quantity ?? spec.quantity,
        limitPrice: amended.limitPrice ?? spec.limitPrice,
        stopPrice: amended.stopPrice ?? spec.stopPrice,
      };
      const problem = findOrderSpecProblem(spec);
      if (problem) throw this.updateError('INVALID_AMENDMENT', `invalid amendment: ${problem.reason}`);
    }

    const filled = update.filledQuantity ?? (to === 'FILLED' ? spec.quantity : this.filled);
    this.checkFilled(filled, spec.quantity, to);

    if (!filled.eq(this.filled) || update.avgFillPrice !== undefined) {
      // A new average from the venue resets the exact cost; more filled without one leaves it unknown.
      this.fillCost = update.avgFillPrice?.mul(filled);
      if (update.avgFillPrice !== undefined) this.avgPrice = update.avgFillPrice;
    }
    return this.commit(spec, to, filled, update.time, update.reason ?? '', update.venueOrderId);
  }

  /**
   * Adds one execution: raises the filled quantity, recomputes the exact
   * volume-weighted average price (rounded to {@link AVG_FILL_PRICE_SCALE}
   * places, half-even) and moves to PARTIALLY_FILLED or FILLED.
   * @throws InvalidOrderUpdateError when the fill is for another order, side or
   *   instrument, is not positive, or would fill more than the order quantity
   * @throws InvalidOrderTransitionError when the order cannot fill in its status
   */
  applyFill(fill: Fill): OrderEvent {
    const spec = this.currentSpec;
    if (fill.clientOrderId !== spec.clientOrderId) {
      throw this.updateError(
        'FILL_MISMATCH',
        `expected a fill for ${spec.clientOrderId}, was one for ${fill.clientOrderId}`,
      );
    }
    if (fill.side !== spec.side) {
      throw this.updateError('FILL_MISMATCH', `expected a ${spec.side} fill, was ${fill.side}`);
    }
    if (!sameInstrument(fill.instrument, spec.instrument)) {
      throw this.updateError(
        'FILL_MISMATCH',
        `expected a fill of ${instrumentKey(spec.instrument)}, was ${instrumentKey(fill.instrument)}`,
      );
    }
    if (!fill.quantity.isPositive()) {
      throw this.updateError('FILL_MISMATCH', `expected fill quantity > 0, was ${fill.quantity.toString()}`);
    }
    const filled = this.filled.add(fill.quantity);
    if (filled.gt(spec.quantity)) {
      throw this.updateError(
        'OVERFILL',
        `expected filled quantity <= ${spec.quantity.toString()}, was ${filled.toString()} after exec ${fill.execId}`,
      );
    }
    const to: OrderStatus = filled.eq(spec.quantity) ? 'FILLED' : 'PARTIALLY_FILLED';
    if (!canTransition(this.currentStatus, to)) {
      throw new InvalidOrderTransitionError(this.clientOrderId, this.currentStatus, to);
    }

    const cost = this.fillCost?.add(fill.price.mul(fill.quantity));
    this.fillCost = cost;
    this.avgPrice = cost?.div(filled, AVG_FILL_PRICE_SCALE).normalize();
    const venueOrderId = fill.venueOrderId === '' ? undefined : fill.venueOrderId;
    return this.commit(spec, to, filled, fill.eventTime, '', venueOrderId);
  }

  /** The order as it stands, for publishing and storage. */
  snapshot(): OrderSnapshot {
    return {
      spec: this.currentSpec,
      status: this.currentStatus,
      filledQuantity: this.filled,
      avgFillPrice: this.avgPrice,
      venueOrderId: this.venueId,
      createdTime: this.created,
      updatedTime: this.updated,
    };
  }

  private isRepeat(update: OrderUpdate): boolean {
    const filled = update.filledQuantity ?? (update.status === 'FILLED' ? this.currentSpec.quantity : this.filled);
    if (!filled.eq(this.filled)) return false;
    const amended = update.amended;
    if (!amended) return true;
    // A resent replace confirmation carries the values already in force.
    return (
      sameOptional(amended.quantity, this.currentSpec.quantity) &&
      sameOptional(amended.limitPrice, this.currentSpec.limitPrice) &&
      sameOptional(amended.stopPrice, this.currentSpec.stopPrice)
    );
  }

  private checkFilled(filled: Decimal, quantity: Decimal, to: OrderStatus): void {
    if (filled.lt(this.filled)) {
      throw this.updateError(
        'FILL_DECREASED',
        `expected filled quantity >= ${this.filled.toString()} (it never decreases), was ${filled.toString()}`,
      );
    }
    if (filled.gt(quantity)) {
      throw this.updateError(
        'OVERFILL',
        `expected filled quantity <= ${quantity.toString()}, was ${filled.toString()}`,
      );
    }
    if (to === 'FILLED' && !filled.eq(quantity)) {
      throw this.updateError(
        'FILL_STATUS_MISMATCH',
        `expected filled quantity ${quantity.toString()} for FILLED, was ${filled.toString()}`,
      );
    }
    if (to === 'PARTIALLY_FILLED' && (filled.isZero() || filled.eq(quantity))) {
      throw this.updateError(
        'FILL_STATUS_MISMATCH',
        `expected filled quantity between 0 and ${quantity.toString()} (exclusive) for PARTIALLY_FILLED, was ${filled.toString()}`,
      );
    }
  }

  private commit(
    spec: OrderSpec,
    status: OrderStatus,
    filled: Decimal,
    time: UnixNanos,
    reason: string,
    venueOrderId: string | undefined,
  ): OrderEvent {
    this.currentSpec = spec;
    this.currentStatus = status;
    this.filled = filled;
    if (venueOrderId !== undefined) this.venueId = venueOrderId;
    this.updated = time;
    this.sequence++;
    return { order: this.snapshot(), reason, eventSequence: this.sequence };
  }

  private updateError(problem: InvalidOrderUpdateError['problem'], reason: string): InvalidOrderUpdateError {
    return new InvalidOrderUpdateError(this.clientOrderId, problem, reason);
  }
}

function assertValidSpec(spec: OrderSpec): void {
  const problem = findOrderSpecProblem(spec);
  if (problem) throw new InvalidOrderError(spec.clientOrderId, problem.field, problem.reason);
}

function sameOptional(amended: Decimal | undefined, current: Decimal | undefined): boolean {
  if (amended === undefined) return true;
  return current !== undefined && amended.eq(current);
}
