import { Decimal } from '@ttquant/domain';
import { IbOrderTracker, orderKey, reportOf, statusOf, type TrackedOrder } from './order-tracker';
import { trackedEsOrder } from './tracked-order.fixture';

function order(overrides: Partial<TrackedOrder> & Pick<TrackedOrder, 'orderId' | 'clientOrderId'>): TrackedOrder {
  return trackedEsOrder(overrides.orderId, { limitPrice: Decimal.parse('4000'), placedSeq: 1, ...overrides });
}

describe('IbOrderTracker', () => {
  it('keys orders by client and order id (ids are per API client) and by permId for orders placed by hand', () => {
    expect(orderKey(7, 12, 99)).toBe('7/12');
    expect(orderKey(0, 0, 99)).toBe('perm/99');
    const tracker = new IbOrderTracker();
    const mine = order({ orderId: 12, clientOrderId: 'a1' });
    const other = order({ orderId: 12, clientId: 8, clientOrderId: 'a1' });
    tracker.track(mine);
    tracker.track(other);
    expect(tracker.size).toBe(2);
    expect(tracker.get('8/12')).toBe(other);
    // Another system's orderRef never takes a TTQuant order's name.
    expect(tracker.find('a1')).toBe(mine);
    expect(tracker.has('zz')).toBe(false);
  });

  it('reports IB statuses as TTQuant ones, a rejection first, and nothing before IB said anything', () => {
    const o = order({ orderId: 1, clientOrderId: 'b1' });
    expect(reportOf(o, 1n, 'PAPER')).toBeUndefined();
    o.ibStatus = 'Submitted';
    o.filled = Decimal.ONE;
    expect(reportOf(o, 5n, 'PAPER')).toMatchObject({ status: 'PARTIALLY_FILLED', venueOrderId: '1', eventTime: 5n });
    o.ibStatus = 'Filled';
    // Filled is all of it, whatever quantity the last message carried.
    expect(reportOf(o, 6n, 'PAPER')?.filledQuantity.toString()).toBe('2');
    o.rejectReason = 'IB 201: no margin';
    expect(statusOf(o)).toBe('REJECTED');
    expect(reportOf(o, 7n, 'PAPER')?.reason).toBe('IB 201: no margin');
  });

  it("reports an order under the account's TTQuant name, never IB's id of it", () => {
    const o = order({ orderId: 2, clientOrderId: 'c1', ibStatus: 'Submitted' });
    expect(reportOf(o, 1n, 'PAPER')?.account).toBe('PAPER');
  });
});
