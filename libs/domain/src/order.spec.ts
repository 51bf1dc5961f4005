import { Decimal } from './decimal';
import { AVG_FILL_PRICE_SCALE, Order } from './order';
import { InvalidOrderError, InvalidOrderUpdateError } from './order-errors';
import { InvalidOrderTransitionError } from './order-state';
import type { Fill, OrderSpec } from './orders';

const d = Decimal.parse;

function spec(overrides: Partial<OrderSpec> = {}): OrderSpec {
  return {
    clientOrderId: 'S1abc',
    account: 'DU123',
    instrument: { venue: 'SIM', symbol: 'AAPL' },
    side: 'BUY',
    type: 'LIMIT',
    quantity: d('10'),
    limitPrice: d('100.00'),
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'S1',
    tags: {},
    ...overrides,
  };
}

function fill(quantity: string, price: string, overrides: Partial<Fill> = {}): Fill {
  return {
    account: 'DU123',
    clientOrderId: 'S1abc',
    venueOrderId: 'V42',
    execId: `E-${quantity}-${price}`,
    instrument: { venue: 'SIM', symbol: 'AAPL' },
    side: 'BUY',
    quantity: d(quantity),
    price: d(price),
    commission: Decimal.ZERO,
    commissionCurrency: 'USD',
    liquidity: 'MAKER',
    strategyId: 'S1',
    eventTime: 50n,
    ...overrides,
  };
}

/** A created, submitted and accepted order: two events so far. */
function acceptedOrder(overrides: Partial<OrderSpec> = {}): Order {
  const order = Order.create(spec(overrides), 10n);
  order.apply({ status: 'SUBMITTED', time: 11n });
  order.apply({ status: 'ACCEPTED', time: 12n, venueOrderId: 'V42' });
  return order;
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('Order.create', () => {
  it('starts INITIALIZED with nothing filled and no events', () => {
    const order = Order.create(spec(), 10n);
    expect(order.status).toBe('INITIALIZED');
    expect(order.filledQuantity.isZero()).toBe(true);
    expect(order.leavesQuantity.eq(d('10'))).toBe(true);
    expect(order.avgFillPrice).toBeUndefined();
    expect(order.venueOrderId).toBeUndefined();
    expect(order.eventSequence).toBe(0);
    expect(order.isOpen).toBe(false);
    expect(order.isTerminal).toBe(false);
    expect(order.snapshot()).toMatchObject({ status: 'INITIALIZED', createdTime: 10n, updatedTime: 10n });
  });

  it('refuses an invalid spec with an error naming the field', () => {
    const error = catchError(() => Order.create(spec({ quantity: d('-5') }), 10n));
    expect(error).toBeInstanceOf(InvalidOrderError);
    expect(error).toMatchObject({
      name: 'InvalidOrderError',
      clientOrderId: 'S1abc',
      field: 'quantity',
      message: 'order S1abc: invalid quantity: expected quantity > 0, was -5',
    });
    expect(() => Order.create(spec({ type: 'MARKET' }), 10n)).toThrow('invalid limitPrice');
  });
});

describe('Order.apply', () => {
  it('walks a full life cycle, numbering events from 1', () => {
    const order = Order.create(spec(), 10n);
    const submitted = order.apply({ status: 'SUBMITTED', time: 11n });
    const accepted = order.apply({ status: 'ACCEPTED', time: 12n, venueOrderId: 'V42' });
    const partial = order.apply({ status: 'PARTIALLY_FILLED', time: 13n, filledQuantity: d('4'), avgFillPrice: d('99.5') });
    const filled = order.apply({ status: 'FILLED', time: 14n, avgFillPrice: d('99.8') });

    expect([submitted, accepted, partial, filled].map((event) => event?.eventSequence)).toEqual([1, 2, 3, 4]);
    expect(accepted?.order.venueOrderId).toBe('V42');
    expect(partial?.order.filledQuantity.toString()).toBe('4');
    expect(partial?.order.avgFillPrice?.toString()).toBe('99.5');
    // FILLED without a quantity means all of it.
    expect(filled?.order.filledQuantity.toString()).toBe('10');
    expect(order.leavesQuantity.isZero()).toBe(true);
    expect(order.isTerminal).toBe(true);
    expect(order.isOpen).toBe(false);
    expect(order.updatedTime).toBe(14n);
    expect(order.venueOrderId).toBe('V42');
  });

  it('carries the reason into the event, empty when none is given', () => {
    const order = Order.create(spec(), 10n);
    expect(order.apply({ status: 'DENIED', time: 11n, reason: 'max-notional exceeded' })?.reason).toBe(
      'max-notional exceeded',
    );
    const other = Order.create(spec(), 10n);
    expect(other.apply({ status: 'SUBMITTED', time: 11n })?.reason).toBe('');
  });

  it('treats a repeated report of the same status and filled quantity as a no-op', () => {
    const order = acceptedOrder();
    expect(order.apply({ status: 'ACCEPTED', time: 20n })).toBeUndefined();
    expect(order.apply({ status: 'ACCEPTED', time: 21n, venueOrderId: 'V42', reason: 'resent' })).toBeUndefined();
    order.apply({ status: 'PARTIALLY_FILLED', time: 22n, filledQuantity: d('3') });
    const before = order.snapshot();
    expect(order.apply({ status: 'PARTIALLY_FILLED', time: 23n, filledQuantity: d('3.000') })).toBeUndefined();
    order.apply({ status: 'FILLED', time: 24n });
    expect(order.apply({ status: 'FILLED', time: 25n })).toBeUndefined();
    expect(order.apply({ status: 'FILLED', time: 26n, filledQuantity: d('10') })).toBeUndefined();
    expect(order.eventSequence).toBe(4);
    expect(before.updatedTime).toBe(22n);
    expect(order.updatedTime).toBe(24n);
  });

  it('treats a resent terminal report as a no-op rather than an error', () => {
    const order = acceptedOrder();
    order.apply({ status: 'CANCELED', time: 20n, reason: 'user' });
    expect(order.apply({ status: 'CANCELED', time: 21n, reason: 'user' })).toBeUndefined();
    expect(order.eventSequence).toBe(3);
  });

  it('moves PARTIALLY_FILLED to PARTIALLY_FILLED only with more filled', () => {
    const order = acceptedOrder();
    order.apply({ status: 'PARTIALLY_FILLED', time: 20n, filledQuantity: d('3') });
    const more = order.apply({ status: 'PARTIALLY_FILLED', time: 21n, filledQuantity: d('7') });
    expect(more?.order.filledQuantity.toString()).toBe('7');
    expect(more?.eventSequence).toBe(4);
  });

  it('never lets the filled quantity decrease, leaving the order unchanged', () => {
    const order = acceptedOrder();
    order.apply({ status: 'PARTIALLY_FILLED', time: 20n, filledQuantity: d('5') });
    const before = order.snapshot();
    for (const status of ['PARTIALLY_FILLED', 'CANCELED', 'PENDING_CANCEL'] as const) {
      const error = catchError(() => order.apply({ status, time: 21n, filledQuantity: d('4') }));
      expect(error).toBeInstanceOf(InvalidOrderUpdateError);
      expect(error).toMatchObject({
        name: 'InvalidOrderUpdateError',
        problem: 'FILL_DECREASED',
        message: 'order S1abc: expected filled quantity >= 5 (it never decreases), was 4',
      });
    }
    expect(order.snapshot()).toEqual(before);
    expect(order.eventSequence).toBe(3);
  });

  it('refuses more filled than the order quantity', () => {
    const order = acceptedOrder();
    const error = catchError(() => order.apply({ status: 'PARTIALLY_FILLED', time: 20n, filledQuantity: d('10.5') }));
    expect(error).toMatchObject({ problem: 'OVERFILL', message: 'order S1abc: expected filled quantity <= 10, was 10.5' });
    expect(() => order.apply({ status: 'FILLED', time: 20n, filledQuantity: d('11') })).toThrow(InvalidOrderUpdateError);
    expect(order.status).toBe('ACCEPTED');
    expect(order.filledQuantity.isZero()).toBe(true);
  });

  it('requires FILLED to be fully filled and PARTIALLY_FILLED to be partly filled', () => {
    const order = acceptedOrder();
    expect(catchError(() => order.apply({ status: 'FILLED', time: 20n, filledQuantity: d('8') }))).toMatchObject({
      problem: 'FILL_STATUS_MISMATCH',
      message: 'order S1abc: expected filled quantity 10 for FILLED, was 8',
    });
    expect(catchError(() => order.apply({ status: 'PARTIALLY_FILLED', time: 20n }))).toMatchObject({
      problem: 'FILL_STATUS_MISMATCH',
    });
    expect(catchError(() => order.apply({ status: 'PARTIALLY_FILLED', time: 20n, filledQuantity: d('10') }))).toMatchObject(
      { problem: 'FILL_STATUS_MISMATCH' },
    );
    expect(order.status).toBe('ACCEPTED');
  });

  it('keeps the fills reported with a final cancel', () => {
    const order = acceptedOrder();
    const event = order.apply({ status: 'CANCELED', time: 20n, filledQuantity: d('6'), avgFillPrice: d('100') });
    expect(event?.order).toMatchObject({ status: 'CANCELED' });
    expect(order.filledQuantity.toString()).toBe('6');
    expect(order.leavesQuantity.toString()).toBe('4');
  });

  it('applies an amendment when a replace is confirmed', () => {
    const order = acceptedOrder();
    order.apply({ status: 'PENDING_REPLACE', time: 20n });
    const replaced = order.apply({
      status: 'ACCEPTED',
      time: 21n,
      reason: 'replaced',
      amended: { quantity: d('15'), limitPrice: d('101.00') },
    });
    expect(replaced?.order.spec.quantity.toString()).toBe('15');
    expect(replaced?.order.spec.limitPrice?.toString()).toBe('101.00');
    expect(order.spec.quantity.toString()).toBe('15');
    expect(order.leavesQuantity.toString()).toBe('15');
    // The venue resending the same confirmation changes nothing.
    expect(order.apply({ status: 'ACCEPTED', time: 22n, amended: { quantity: d('15') } })).toBeUndefined();
  });

  it('refuses an amendment outside a replace or one that breaks the order', () => {
    const order = acceptedOrder();
    order.apply({ status: 'PARTIALLY_FILLED', time: 20n, filledQuantity: d('4') });
    expect(
      catchError(() => order.apply({ status: 'PARTIALLY_FILLED', time: 21n, filledQuantity: d('5'), amended: { quantity: d('20') } })),
    ).toMatchObject({ problem: 'INVALID_AMENDMENT' });
    order.apply({ status: 'PENDING_REPLACE', time: 22n });
    expect(catchError(() => order.apply({ status: 'ACCEPTED', time: 23n, amended: { stopPrice: d('90') } }))).toMatchObject({
      problem: 'INVALID_AMENDMENT',
      message: 'order S1abc: invalid amendment: expected no stopPrice for a LIMIT order, was 90',
    });
    // Below what is already filled.
    expect(catchError(() => order.apply({ status: 'ACCEPTED', time: 23n, amended: { quantity: d('3') } }))).toMatchObject({
      problem: 'OVERFILL',
    });
    expect(order.status).toBe('PENDING_REPLACE');
    expect(order.spec.quantity.toString()).toBe('10');
  });

  it('refuses any move out of a terminal state', () => {
    const order = acceptedOrder();
    order.apply({ status: 'FILLED', time: 20n });
    expect(() => order.apply({ status: 'ACCEPTED', time: 21n })).toThrow('order S1abc: invalid transition FILLED -> ACCEPTED');
  });
});

describe('Order.applyFill', () => {
  it('accumulates fills with an exact volume-weighted average price', () => {
    const order = acceptedOrder();
    const first = order.applyFill(fill('3', '100.10'));
    expect(first.order.status).toBe('PARTIALLY_FILLED');
    expect(first.order.avgFillPrice?.toString()).toBe('100.1');
    const second = order.applyFill(fill('4', '100.20', { execId: 'E2' }));
    // (3 × 100.10 + 4 × 100.20) / 7 = 701.10 / 7 = 100.157142857142…
    expect(second.order.avgFillPrice?.toString()).toBe('100.1571428571');
    const last = order.applyFill(fill('3', '99.90', { execId: 'E3' }));
    // (701.10 + 299.70) / 10 = 100.08, exact: the earlier rounding did not leak.
    expect(last.order.status).toBe('FILLED');
    expect(last.order.avgFillPrice?.toString()).toBe('100.08');
    expect(last.eventSequence).toBe(5);
    expect(last.order.updatedTime).toBe(50n);
    expect(order.isTerminal).toBe(true);
  });

  it('rounds the average half-even to the fixed scale', () => {
    const order = acceptedOrder({ quantity: d('3') });
    order.applyFill(fill('2', '1'));
    const event = order.applyFill(fill('1', '0.0000000002', { execId: 'E2' }));
    // 2.0000000002 / 3 = 0.66666666673333… → 10 places
    expect(event.order.avgFillPrice?.toString()).toBe('0.6666666667');
    expect(AVG_FILL_PRICE_SCALE).toBe(10);
  });

  it('refuses an over-fill and leaves the order unchanged', () => {
    const order = acceptedOrder();
    order.applyFill(fill('8', '100'));
    const before = order.snapshot();
    expect(catchError(() => order.applyFill(fill('3', '100', { execId: 'E9' })))).toMatchObject({
      name: 'InvalidOrderUpdateError',
      problem: 'OVERFILL',
      message: 'order S1abc: expected filled quantity <= 10, was 11 after exec E9',
    });
    expect(order.snapshot()).toEqual(before);
    expect(order.eventSequence).toBe(3);
  });

  it('refuses fills of another order, side or instrument, and non-positive ones', () => {
    const order = acceptedOrder();
    expect(() => order.applyFill(fill('1', '100', { clientOrderId: 'Other1' }))).toThrow(
      'expected a fill for S1abc, was one for Other1',
    );
    expect(() => order.applyFill(fill('1', '100', { side: 'SELL' }))).toThrow('expected a BUY fill, was SELL');
    expect(() => order.applyFill(fill('1', '100', { instrument: { venue: 'SIM', symbol: 'MSFT' } }))).toThrow(
      'expected a fill of SIM:AAPL, was SIM:MSFT',
    );
    expect(() => order.applyFill(fill('0', '100'))).toThrow('expected fill quantity > 0, was 0');
    expect(order.eventSequence).toBe(2);
  });

  it('refuses a fill before the order was sent', () => {
    const order = Order.create(spec(), 10n);
    expect(() => order.applyFill(fill('1', '100'))).toThrow(InvalidOrderTransitionError);
  });

  it('fills while a cancel is pending', () => {
    const order = acceptedOrder();
    order.apply({ status: 'PENDING_CANCEL', time: 20n });
    expect(order.applyFill(fill('2', '100')).order.status).toBe('PARTIALLY_FILLED');
  });

  it('learns the venue order id from a fill', () => {
    const order = Order.create(spec(), 10n);
    order.apply({ status: 'SUBMITTED', time: 11n });
    expect(order.applyFill(fill('10', '100', { venueOrderId: 'V7' })).order.venueOrderId).toBe('V7');
  });
});

describe('Order.fromSnapshot', () => {
  it('rebuilds an order that continues its event sequence and average', () => {
    const original = acceptedOrder();
    original.applyFill(fill('4', '100.25'));
    const copy = Order.fromSnapshot(original.snapshot(), original.eventSequence);
    expect(copy.snapshot()).toEqual(original.snapshot());
    const next = copy.applyFill(fill('6', '100.50', { execId: 'E2' }));
    // (401.00 + 603.00) / 10
    expect(next.order.avgFillPrice?.toString()).toBe('100.4');
    expect(next.eventSequence).toBe(4);
  });

  it('refuses impossible fill states and sequences', () => {
    const snapshot = acceptedOrder().snapshot();
    expect(() => Order.fromSnapshot({ ...snapshot, filledQuantity: d('11') }, 2)).toThrow(InvalidOrderError);
    expect(() => Order.fromSnapshot(snapshot, -1)).toThrow('expected an event sequence >= 0, was -1');
  });
});
