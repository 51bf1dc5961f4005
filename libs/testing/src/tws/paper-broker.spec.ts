import { DEFAULT_FAKE_TWS_CONTRACTS } from './contract-registry';
import { ManualClock } from './fake-clock';
import type { FakeTwsContract, FillPolicy, PlacedOrder } from './fake-tws-types';
import { commissionFor, PaperBroker, stubOrder, type BrokerListener, type Touch } from './paper-broker';

const [aapl, , es] = DEFAULT_FAKE_TWS_CONTRACTS as [FakeTwsContract, FakeTwsContract, FakeTwsContract];

/** A market buy of 10 AAPL for the day by client 1, unless `o` says otherwise. */
function placed(o: Partial<PlacedOrder> & { orderId: number }): PlacedOrder {
  return {
    ...stubOrder(o.orderId, 1),
    account: 'DU1',
    contract: { conId: aapl.conId, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' },
    totalQuantity: 10,
    orderType: 'MKT',
    tif: 'DAY',
    ...o,
  };
}

function setup(policy?: FillPolicy) {
  const touch: Touch = { bid: 100, ask: 100.02, last: 100.01 };
  const events: string[] = [];
  const listener: BrokerListener = {
    orderChanged: (o) => events.push(`${o.placed.orderId}:${o.status}:${o.filled}`),
    executed: (e) => events.push(`exec ${e.orderId} ${e.shares}@${e.price}`),
    orderError: (o, code) => events.push(`error ${o.orderId} ${code}`),
    accountChanged: () => undefined,
  };
  const broker = new PaperBroker(new ManualClock(0), () => touch, 1, ['DU1'], 100_000, policy, listener);
  return { broker, touch, events };
}

describe('paper broker', () => {
  it('keeps positions, average cost with commissions, realized P&L and cash through a flip', () => {
    const { broker, touch } = setup();
    broker.place(placed({ orderId: 1, totalQuantity: 100 }), aapl);
    touch.bid = 110;
    touch.ask = 110.02;
    broker.place(placed({ orderId: 2, action: 'SELL', totalQuantity: 150 }), aapl);
    const [pos] = broker.positions();
    expect(pos?.quantity).toBe(-50);
    // Opening at 100.02 with $1 commission on 100 shares: avg 100.03; closing 100 at 110 with 2/3 of $1 commission.
    expect(pos?.realizedPnl).toBeCloseTo((110 - 100.03) * 100 - 1 * (100 / 150), 6);
    expect(pos?.avgCost).toBeCloseTo(110 - (1 * 50) / 150 / 50, 6);
    expect(broker.cashOf('DU1')).toBeCloseTo(100_000 - 100 * 100.02 - 1 + 150 * 110 - 1, 6);
    expect(broker.executions().map((e) => e.realizedPnl === undefined)).toEqual([true, false]);
  });

  it('multiplies futures, and charges IB-like commissions', () => {
    const { broker } = setup();
    broker.place(placed({ orderId: 1, totalQuantity: 2 }), es);
    expect(broker.positions()[0]?.avgCost).toBeCloseTo(100.02 * 50 + 0.85, 6);
    expect(commissionFor(aapl, 1, 100)).toBe(1);
    expect(commissionFor(aapl, 1000, 100)).toBe(5);
    expect(commissionFor(es, 3, 5000)).toBe(2.55);
  });

  it('works bracket children only after the parent fills and cancels them with it', () => {
    const { broker, events } = setup((o) => (o.orderId === 1 ? 'rest' : 'rest'));
    broker.place(placed({ orderId: 1, orderType: 'LMT', lmtPrice: 99, transmit: false }), aapl);
    broker.place(placed({ orderId: 2, action: 'SELL', orderType: 'LMT', lmtPrice: 120, parentId: 1, transmit: false }), aapl);
    expect(events).toEqual(['1:PreSubmitted:0', '2:PreSubmitted:0']);
    broker.place(placed({ orderId: 3, action: 'SELL', orderType: 'STP', auxPrice: 90, parentId: 1, transmit: true }), aapl);
    expect(broker.order(1)?.status).toBe('Submitted');
    expect(broker.order(2)?.status).toBe('PreSubmitted');
    expect(broker.order(3)?.status).toBe('PreSubmitted');
    broker.cancel(1, 1);
    expect([1, 2, 3].map((id) => broker.order(id)?.status)).toEqual(['Cancelled', 'Cancelled', 'Cancelled']);
    expect(events.filter((e) => e.startsWith('error'))).toEqual(['error 1 202']);
  });

  it('cancels the rest of an OCA group when one member fills', () => {
    const { broker } = setup((o) => (o.orderRef === 'go' ? 'fill' : 'rest'));
    broker.place(placed({ orderId: 1, ocaGroup: 'g' }), aapl);
    broker.place(placed({ orderId: 2, ocaGroup: 'g' }), aapl);
    broker.place(placed({ orderId: 3, ocaGroup: 'other' }), aapl);
    broker.fill(2, 3);
    expect([1, 2, 3].map((id) => broker.order(id)?.status)).toEqual(['Cancelled', 'Submitted', 'Submitted']);
    expect(broker.order(2)?.filled).toBe(3);
  });

  it('refuses a reused id, a foreign cancel, a finished cancel and a modify below the filled quantity', () => {
    const { broker, events } = setup((o) => (o.orderRef === 'half' ? 'partial' : 'fill'));
    broker.place(placed({ orderId: 1 }), aapl);
    expect(broker.place(placed({ orderId: 1 }), aapl)).toBe('refused');
    broker.cancel(1, 2);
    broker.cancel(1, 1);
    broker.place(placed({ orderId: 5, orderRef: 'half' }), aapl);
    expect(broker.order(5)?.filled).toBe(5);
    expect(broker.place(placed({ orderId: 5, orderRef: 'half', totalQuantity: 4 }), aapl)).toBe('modified');
    expect(broker.order(5)?.placed.totalQuantity).toBe(10);
    expect(events.filter((e) => e.startsWith('error'))).toEqual(['error 1 103', 'error 1 10147', 'error 1 10148', 'error 5 201']);
    expect(broker.nextValidId()).toBe(6);
    expect(() => broker.fill(1, 1)).toThrow('expected order 1 to be live and transmitted, it is Filled');
  });

  it('cancels what an IOC order leaves and a FOK order it cannot fill whole, under a custom policy too', () => {
    const { broker, events } = setup((o) => (o.orderRef === 'resting' ? 'rest' : { quantity: 4, price: 100.5 }));
    broker.place(placed({ orderId: 1, tif: 'IOC', orderType: 'LMT', lmtPrice: 101 }), aapl);
    expect(broker.order(1)).toMatchObject({ status: 'Cancelled', filled: 4 });
    expect(broker.executions().map((e) => `${e.orderId} ${e.shares}@${e.price}`)).toEqual(['1 4@100.5']);
    broker.place(placed({ orderId: 2, tif: 'FOK', orderType: 'LMT', lmtPrice: 101 }), aapl);
    expect(broker.order(2)).toMatchObject({ status: 'Cancelled', filled: 0 });
    broker.place(placed({ orderId: 3, tif: 'IOC', orderType: 'LMT', lmtPrice: 99, orderRef: 'resting' }), aapl);
    expect(broker.order(3)).toMatchObject({ status: 'Cancelled', filled: 0 });
    broker.place(placed({ orderId: 4, tif: 'FOK', totalQuantity: 4 }), aapl);
    expect(broker.order(4)).toMatchObject({ status: 'Filled', filled: 4 });
    expect(events.filter((e) => e.startsWith('error'))).toEqual([]);
  });

  it('keeps order ids per API client, as TWS does', () => {
    const { broker, events } = setup(() => 'rest');
    broker.place(placed({ orderId: 7, clientId: 1, orderType: 'LMT', lmtPrice: 90 }), aapl);
    // Another client's order 7 is another order, not a modification of the first.
    expect(broker.place(placed({ orderId: 7, clientId: 2, action: 'SELL', orderType: 'LMT', lmtPrice: 120 }), aapl)).toBe('new');
    expect(broker.openOrders()).toHaveLength(2);
    expect(broker.nextValidId(1)).toBe(8);
    expect(broker.nextValidId(3)).toBe(1);
    expect(() => broker.fill(7, 1)).toThrow('expected one order with id 7, clients 1, 2 each have one: name the client id');
    broker.fill(7, 1, 120, 2);
    expect(broker.order(7, 2)?.filled).toBe(1);
    expect(broker.order(7, 1)?.filled).toBe(0);
    broker.cancel(7, 2);
    expect(broker.order(7, 2)?.status).toBe('Cancelled');
    expect(broker.order(7, 1)?.status).toBe('Submitted');
    broker.cancel(8, 1);
    expect(events.filter((e) => e.startsWith('error'))).toEqual(['error 7 202', 'error 8 10147']);
  });
});
