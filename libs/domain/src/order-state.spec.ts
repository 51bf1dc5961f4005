import { Decimal } from './decimal';
import { Order, type OrderUpdate } from './order';
import {
  canTransition,
  InvalidOrderTransitionError,
  isOpenStatus,
  isTerminalStatus,
  OPEN_STATUSES,
  ORDER_TRANSITIONS,
  TERMINAL_STATUSES,
} from './order-state';
import { ORDER_STATUSES, type OrderSpec, type OrderStatus } from './orders';

// An independent copy of ARCHITECTURE.md's table, typed in as text so a slip in
// ORDER_TRANSITIONS cannot hide behind a shared constant.
const TABLE_TEXT = `
INITIALIZED      | DENIED, SUBMITTED
SUBMITTED        | ACCEPTED, REJECTED, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED
ACCEPTED         | PENDING_CANCEL, PENDING_REPLACE, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED
PARTIALLY_FILLED | PARTIALLY_FILLED, PENDING_CANCEL, PENDING_REPLACE, FILLED, CANCELED, EXPIRED
PENDING_CANCEL   | CANCELED, PARTIALLY_FILLED, FILLED, ACCEPTED
PENDING_REPLACE  | ACCEPTED, PARTIALLY_FILLED, FILLED, CANCELED
`;
const EXPECTED = new Set<string>();
for (const line of TABLE_TEXT.trim().split('\n')) {
  const [from, targets] = line.split('|').map((part) => part.trim());
  for (const to of targets.split(',')) EXPECTED.add(`${from}>${to.trim()}`);
}
const PAIRS = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as [OrderStatus, OrderStatus]));
const ALLOWED_PAIRS = PAIRS.filter(([from, to]) => EXPECTED.has(`${from}>${to}`));
const REFUSED_PAIRS = PAIRS.filter(([from, to]) => !EXPECTED.has(`${from}>${to}`));

const QUANTITY = Decimal.parse('10');
const SPEC: OrderSpec = {
  clientOrderId: 'S1abc',
  account: 'DU123',
  instrument: { venue: 'SIM', symbol: 'AAPL' },
  side: 'BUY',
  type: 'LIMIT',
  quantity: QUANTITY,
  limitPrice: Decimal.parse('100.00'),
  timeInForce: 'DAY',
  reduceOnly: false,
  postOnly: false,
  outsideRth: false,
  strategyId: 'S1',
  tags: {},
};

/** An order sitting in `status`, with a filled quantity that status can have. */
function orderIn(status: OrderStatus): Order {
  const filled = status === 'FILLED' ? QUANTITY : status === 'PARTIALLY_FILLED' ? Decimal.parse('4') : Decimal.ZERO;
  return Order.fromSnapshot(
    {
      spec: SPEC,
      status,
      filledQuantity: filled,
      avgFillPrice: filled.isZero() ? undefined : Decimal.parse('100'),
      createdTime: 1n,
      updatedTime: 1n,
    },
    3,
  );
}

/** A report that moves to `to` with a fill quantity consistent with `to`. */
function reportOf(order: Order, to: OrderStatus): OrderUpdate {
  if (to === 'PARTIALLY_FILLED') return { status: to, time: 2n, filledQuantity: order.filledQuantity.add(Decimal.ONE) };
  return { status: to, time: 2n };
}

describe('order transition table', () => {
  it('matches ARCHITECTURE.md: 28 allowed pairs out of 121', () => {
    expect(PAIRS).toHaveLength(121);
    expect(ALLOWED_PAIRS).toHaveLength(2 + 6 + 6 + 6 + 4 + 4);
    const actual = PAIRS.filter(([from, to]) => ORDER_TRANSITIONS[from].includes(to));
    expect(actual).toEqual(ALLOWED_PAIRS);
  });

  it.each(ALLOWED_PAIRS)('canTransition allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each(REFUSED_PAIRS)('canTransition refuses %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it.each(ALLOWED_PAIRS)('Order.apply accepts %s -> %s', (from, to) => {
    const order = orderIn(from);
    const event = order.apply(reportOf(order, to));
    expect(event?.order.status).toBe(to);
    expect(event?.eventSequence).toBe(4);
    expect(order.status).toBe(to);
  });

  it.each(REFUSED_PAIRS)('Order.apply refuses %s -> %s and keeps the order unchanged', (from, to) => {
    const order = orderIn(from);
    const before = order.snapshot();
    // A same-status report must change something to be a transition at all; an exact repeat is a no-op (order.spec.ts).
    const update: OrderUpdate =
      from === to ? { status: to, time: 2n, filledQuantity: order.filledQuantity.add(Decimal.ONE) } : reportOf(order, to);
    let error: unknown;
    try {
      order.apply(update);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOrderTransitionError);
    expect(error).toMatchObject({ name: 'InvalidOrderTransitionError', clientOrderId: 'S1abc', from, to });
    expect(order.snapshot()).toEqual(before);
    expect(order.eventSequence).toBe(3);
  });

  it('names the order and both states in the error message', () => {
    const error = new InvalidOrderTransitionError('S1abc', 'FILLED', 'ACCEPTED');
    expect(error.message).toBe('order S1abc: invalid transition FILLED -> ACCEPTED');
    expect(error).toBeInstanceOf(Error);
  });

  it('classifies terminal and open statuses', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['CANCELED', 'DENIED', 'EXPIRED', 'FILLED', 'REJECTED']);
    expect([...OPEN_STATUSES].sort()).toEqual([
      'ACCEPTED',
      'PARTIALLY_FILLED',
      'PENDING_CANCEL',
      'PENDING_REPLACE',
      'SUBMITTED',
    ]);
    for (const status of ORDER_STATUSES) {
      // Terminal exactly when the table lets nothing out.
      expect(isTerminalStatus(status)).toBe(ORDER_TRANSITIONS[status].length === 0);
      expect(isOpenStatus(status)).toBe(!isTerminalStatus(status) && status !== 'INITIALIZED');
    }
  });
});
