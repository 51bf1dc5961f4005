import { EventName, type Contract, type Order } from '@stoqey/ib';
import { ManualClock } from './fake-clock';
import { fakeTwsHarness } from './fake-tws-harness';
import type { FillPolicy } from './fake-tws-types';
import type { IbTestClient } from './ib-test-client';

const h = fakeTwsHarness();
afterEach(() => h.cleanup());

const aapl: Contract = { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' };
const es: Contract = { symbol: 'ES', secType: 'FUT' as never, exchange: 'CME', currency: 'USD' };
const order = (o: Partial<Order>): Order => ({ action: 'BUY' as never, orderType: 'MKT' as never, totalQuantity: 10, transmit: true, tif: 'DAY', ...o });

interface Status {
  id: number;
  status: string;
  filled: number;
  remaining: number;
  avgFillPrice: number;
}

/** Records order traffic of one client. */
function recorder(client: IbTestClient) {
  const statuses: Status[] = [];
  const executions: { reqId: number; orderId: number; execId: string; shares: number; price: number; side: string; orderRef: string; cumQty: number }[] = [];
  const commissions: { execId: string; commission: number; realizedPNL?: number }[] = [];
  const openOrders: { id: number; status: string; orderRef: string }[] = [];
  let openOrderEnds = 0;
  client.on(EventName.orderStatus, (id: number, status: string, filled: number, remaining: number, avgFillPrice: number) =>
    statuses.push({ id, status, filled, remaining, avgFillPrice }),
  );
  client.on(EventName.execDetails, (reqId: number, _c: unknown, e: { orderId: number; execId: string; shares: number; price: number; side: string; orderRef: string; cumQty: number }) =>
    executions.push({ reqId, orderId: e.orderId, execId: e.execId, shares: e.shares, price: e.price, side: e.side, orderRef: e.orderRef, cumQty: e.cumQty }),
  );
  client.on(EventName.commissionReport, (r: { execId: string; commission: number; realizedPNL?: number }) => commissions.push(r));
  client.on(EventName.openOrder, (id: number, _c: unknown, o: { orderRef: string }, state: { status: string }) => openOrders.push({ id, status: state.status, orderRef: o.orderRef }));
  client.on(EventName.openOrderEnd, () => openOrderEnds++);
  const last = (id: number): Status | undefined => [...statuses].reverse().find((s) => s.id === id);
  return { statuses, executions, commissions, openOrders, openOrderEnds: () => openOrderEnds, last };
}

describe('fake TWS orders', () => {
  it('fills a market order: openOrder, Submitted, execDetails then commissionReport by execId, Filled; logs the PLACE_ORDER', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 2, 15, 0));
    const tws = await h.start({ clock, firstOrderId: 1000 });
    const client = await h.client(2);
    const r = recorder(client);
    tws.setQuote('AAPL', 189.99, 190.01, 190);
    client.api.placeOrder(1000, aapl, order({ orderRef: 'ttq-abc', account: 'DU1234567' }));
    await client.until('Filled', () => r.last(1000)?.status === 'Filled' && r.commissions.length === 1);
    expect(r.statuses.map((s) => s.status)).toEqual(['Submitted', 'Filled']);
    expect(r.last(1000)).toEqual({ id: 1000, status: 'Filled', filled: 10, remaining: 0, avgFillPrice: 190.01 });
    expect(r.executions).toEqual([{ reqId: -1, orderId: 1000, execId: expect.any(String), shares: 10, price: 190.01, side: 'BOT', orderRef: 'ttq-abc', cumQty: 10 }]);
    expect(r.commissions[0]).toMatchObject({ execId: r.executions[0]?.execId, commission: 1, realizedPNL: undefined });
    expect(r.openOrders[0]).toMatchObject({ id: 1000, orderRef: 'ttq-abc' });
    expect(tws.placeOrderLog).toEqual([
      expect.objectContaining({ orderId: 1000, clientId: 2, orderRef: 'ttq-abc', action: 'BUY', totalQuantity: 10, orderType: 'MKT', transmit: true, receivedAtMs: clock.now(), contract: expect.objectContaining({ conId: 265598, symbol: 'AAPL' }) }),
    ]);
    expect(tws.positions().get('DU1234567:265598')).toBe(10);
    client.api.reqIds();
    const [next] = await client.next<[number]>(EventName.nextValidId);
    expect(next).toBe(1001);
  });

  it('rests a limit order, modifies it into the market to fill, and realizes P&L on the closing sell', async () => {
    const tws = await h.start();
    const client = await h.client(1);
    const r = recorder(client);
    tws.setQuote('AAPL', 100, 100.02, 100.01);
    client.api.placeOrder(1, aapl, order({ orderType: 'LMT' as never, lmtPrice: 99, orderRef: 'lmt' }));
    await client.until('resting', () => r.last(1)?.status === 'Submitted');
    expect(tws.openOrders().map((o) => o.orderId)).toEqual([1]);
    client.api.placeOrder(1, aapl, order({ orderType: 'LMT' as never, lmtPrice: 100.05, orderRef: 'lmt' }));
    await client.until('modified and filled', () => r.last(1)?.status === 'Filled');
    expect(r.executions[0]?.price).toBe(100.02);
    expect(tws.placeOrderLog.map((o) => o.lmtPrice)).toEqual([99, 100.05]);
    tws.setQuote('AAPL', 101, 101.02);
    client.api.placeOrder(2, aapl, order({ action: 'SELL' as never, orderRef: 'close' }));
    await client.until('sold', () => r.commissions.length === 2);
    // (101 - (100.02 + 1 commission / 10 shares)) * 10 - 1 commission
    expect(r.commissions[1]?.realizedPNL).toBeCloseTo(7.8, 6);
    expect(tws.positions().get('DU1234567:265598')).toBe(0);
  });

  it('fills resting orders when the moving market reaches them (default policy)', async () => {
    const tws = await h.start({ quoteIntervalMs: 5 });
    const client = await h.client(1);
    const r = recorder(client);
    tws.setQuote('AAPL', 100, 100.02);
    client.api.placeOrder(5, aapl, order({ action: 'SELL' as never, orderType: 'STP' as never, auxPrice: 99.5 }));
    client.api.placeOrder(6, aapl, order({ orderType: 'LMT' as never, lmtPrice: 99.9 }));
    await client.until('both resting', () => r.last(5)?.status === 'Submitted' && r.last(6)?.status === 'Submitted');
    tws.setQuote('AAPL', 99.4, 99.45);
    await client.until('both filled', () => r.last(5)?.status === 'Filled' && r.last(6)?.status === 'Filled');
    expect(r.executions.map((e) => [e.orderId, e.price])).toEqual([
      [5, 99.4],
      [6, 99.45],
    ]);
  });

  it('cancels with Cancelled + 202, answers 10147 for an unknown id and 103 for a reused one', async () => {
    const tws = await h.start();
    const client = await h.client(1);
    const r = recorder(client);
    tws.setQuote('AAPL', 100, 100.02);
    client.api.placeOrder(1, aapl, order({ orderType: 'LMT' as never, lmtPrice: 90 }));
    await client.until('resting', () => r.last(1)?.status === 'Submitted');
    client.api.cancelOrder(1);
    await client.until('cancelled', () => r.last(1)?.status === 'Cancelled' && client.errors.some((e) => e.code === 202));
    client.api.cancelOrder(77);
    client.api.placeOrder(1, aapl, order({}));
    await client.until('10147 and 103', () => client.errors.some((e) => e.code === 10147 && e.reqId === 77) && client.errors.some((e) => e.code === 103 && e.reqId === 1));
    expect(tws.openOrders()).toEqual([]);
  });

  it('follows the fill policy: partial fills, resting, rejection with a reason, manual fills', async () => {
    const policy: FillPolicy = (o) => (o.orderRef === 'partial' ? 'partial' : o.orderRef === 'reject' ? { reject: 'no margin' } : 'rest');
    const tws = await h.start({ fillPolicy: policy, quoteIntervalMs: 5 });
    const client = await h.client(1);
    const r = recorder(client);
    tws.setQuote('AAPL', 100, 100.02);
    client.api.placeOrder(1, aapl, order({ orderRef: 'partial' }));
    client.api.placeOrder(2, aapl, order({ orderRef: 'reject' }));
    client.api.placeOrder(3, aapl, order({ orderRef: 'rest', orderType: 'LMT' as never, lmtPrice: 200 }));
    await client.until('partial, rejected, resting', () => r.last(1)?.filled === 5 && client.errors.some((e) => e.code === 201) && r.last(3)?.status === 'Submitted');
    expect(r.last(1)).toMatchObject({ status: 'Submitted', filled: 5, remaining: 5 });
    expect(client.errors.find((e) => e.code === 201)).toMatchObject({ reqId: 2, message: 'Order rejected - reason:no margin' });
    expect(r.last(2)?.status).toBe('Cancelled');
    // A custom policy leaves resting orders to the test, even a marketable one.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(r.last(3)?.status).toBe('Submitted');
    tws.fillOrder(3, 4, 150);
    tws.fillOrder(1, 5);
    await client.until('manual fills', () => r.last(3)?.filled === 4 && r.last(1)?.status === 'Filled');
    expect(r.last(3)).toMatchObject({ status: 'Submitted', remaining: 6, avgFillPrice: 150 });
    expect(r.executions.filter((e) => e.orderId === 1).map((e) => e.cumQty)).toEqual([5, 10]);
    expect(() => tws.fillOrder(3, 7)).toThrow('expected 0 < quantity <= 6 for order 3, was 7');
    tws.failNextRequest('placeOrder', 201, 'Order rejected - reason:injected');
    client.api.placeOrder(4, aapl, order({}));
    await client.until('injected 201', () => client.errors.some((e) => e.reqId === 4 && e.message === 'Order rejected - reason:injected'));
    expect(tws.placeOrderLog.map((o) => o.orderId)).toEqual([1, 2, 3, 4]);
  });

  it('holds bracket children until the last transmits, works them after the parent fills, and OCA-cancels the sibling', async () => {
    const tws = await h.start();
    const client = await h.client(1);
    const r = recorder(client);
    tws.setQuote('ES', 5000, 5000.25);
    client.api.placeOrder(10, es, order({ orderType: 'LMT' as never, lmtPrice: 5000.25, totalQuantity: 2, transmit: false }));
    client.api.placeOrder(11, es, order({ action: 'SELL' as never, orderType: 'LMT' as never, lmtPrice: 5010, totalQuantity: 2, parentId: 10, ocaGroup: 'b10', transmit: false }));
    await client.until('held', () => r.last(11)?.status === 'PreSubmitted');
    expect(r.executions).toEqual([]);
    client.api.placeOrder(12, es, order({ action: 'SELL' as never, orderType: 'STP' as never, auxPrice: 4990, totalQuantity: 2, parentId: 10, ocaGroup: 'b10', transmit: true }));
    await client.until('parent filled, children working', () => r.last(10)?.status === 'Filled' && r.last(11)?.status === 'Submitted' && r.last(12)?.status === 'Submitted');
    tws.setQuote('ES', 5010, 5010.25);
    await client.until('take-profit filled, stop cancelled', () => r.last(11)?.status === 'Filled' && r.last(12)?.status === 'Cancelled');
    expect(tws.positions().get('DU1234567:495512563')).toBe(0);
    // ES multiplier 50: (5010 - 5000.25) * 50 * 2 minus commissions 1.70 on each side.
    expect(r.commissions[1]?.realizedPNL).toBeCloseTo((5010 - 5000.25) * 100 - 1.7 - 1.7, 6);
  });

  it('reports open orders, executions by filter, positions, account summary and account updates', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 2, 15, 0));
    const tws = await h.start({ clock });
    const a = await h.client(1);
    const b = await h.client(2);
    const ra = recorder(a);
    const rb = recorder(b);
    tws.setQuote('AAPL', 100, 100.02);
    a.api.placeOrder(1, aapl, order({ totalQuantity: 100, orderRef: 'a1' }));
    await a.until('a1 filled', () => ra.last(1)?.status === 'Filled');
    clock.advance(3_600_000);
    b.api.placeOrder(2, aapl, order({ orderType: 'LMT' as never, lmtPrice: 50, orderRef: 'b2' }));
    b.api.placeOrder(3, es, order({ totalQuantity: 1, orderRef: 'b3' }));
    await b.until('b orders', () => rb.last(2)?.status === 'Submitted' && rb.last(3)?.status === 'Filled');

    const streamed = ra.openOrders.length;
    a.api.reqOpenOrders();
    await a.until('own open orders end', () => ra.openOrderEnds() === 1);
    expect(ra.openOrders.slice(streamed)).toEqual([]);
    a.api.reqAllOpenOrders();
    await a.until('all open orders end', () => ra.openOrderEnds() === 2);
    expect(ra.openOrders.slice(streamed)).toEqual([{ id: 2, status: 'Submitted', orderRef: 'b2' }]);

    const execEnd = a.next<[number]>(EventName.execDetailsEnd, (id) => id === 9);
    a.api.reqExecutions(9, { time: '20250102-15:30:00' } as never);
    await execEnd;
    expect(ra.executions.filter((e) => e.reqId === 9).map((e) => e.orderRef)).toEqual(['b3']);
    const execEnd2 = a.next<[number]>(EventName.execDetailsEnd, (id) => id === 10);
    a.api.reqExecutions(10, { clientId: 1 } as never);
    await execEnd2;
    expect(ra.executions.filter((e) => e.reqId === 10).map((e) => e.orderRef)).toEqual(['a1']);
    expect(ra.commissions.map((c) => c.execId)).toContain(ra.executions.find((e) => e.reqId === 10)?.execId);

    const positions: [string, number, number, number][] = [];
    a.on(EventName.position, (account: string, c: { conId: number }, pos: number, avgCost: number) => positions.push([account, c.conId, pos, avgCost]));
    a.api.reqPositions();
    await a.next(EventName.positionEnd);
    expect(positions).toEqual([
      ['DU1234567', 265598, 100, 100.03],
      ['DU1234567', 495512563, 1, 5000.25 * 50 + 0.85],
    ]);

    const summary = new Map<string, string>();
    a.on(EventName.accountSummary, (_id: number, _acct: string, tag: string, value: string) => summary.set(tag, value));
    a.api.reqAccountSummary(20, 'All', 'NetLiquidation,TotalCashValue,BuyingPower,AvailableFunds');
    await a.next(EventName.accountSummaryEnd);
    expect([...summary.keys()]).toEqual(['NetLiquidation', 'TotalCashValue', 'AvailableFunds', 'BuyingPower']);
    const cash = 1_000_000 - 100 * 100.02 - 1 - 5000.25 * 50 - 0.85;
    expect(Number(summary.get('TotalCashValue'))).toBeCloseTo(cash, 2);
    // Marked at the last prices: AAPL 100.01 (the pinned quote's mid), ES at its start price.
    expect(Number(summary.get('NetLiquidation'))).toBeCloseTo(cash + 100 * 100.01 + 5000 * 50, 2);

    // A later fill streams the position and the summary to their subscribers.
    const positionUpdate = a.next<[string, { conId: number }, number]>(EventName.position, (_acct, c, pos) => c.conId === 265598 && pos === 50);
    b.api.placeOrder(4, aapl, order({ action: 'SELL' as never, totalQuantity: 50 }));
    await positionUpdate;

    const values = new Map<string, string>();
    const portfolio: [number, number][] = [];
    a.on(EventName.updateAccountValue, (key: string, value: string) => values.set(key, value));
    a.on(EventName.updatePortfolio, (c: { conId: number }, pos: number) => portfolio.push([c.conId, pos]));
    a.api.reqAccountUpdates(true, 'DU1234567');
    await a.next(EventName.accountDownloadEnd);
    expect(values.get('AccountType')).toBe('INDIVIDUAL');
    expect(portfolio).toEqual([
      [265598, 50],
      [495512563, 1],
    ]);
  });

  it('cancels everything on a global cancel', async () => {
    const tws = await h.start();
    const client = await h.client(1);
    const r = recorder(client);
    tws.setQuote('AAPL', 100, 100.02);
    client.api.placeOrder(1, aapl, order({ orderType: 'LMT' as never, lmtPrice: 90 }));
    client.api.placeOrder(2, aapl, order({ orderType: 'LMT' as never, lmtPrice: 91 }));
    await client.until('resting', () => r.last(2)?.status === 'Submitted');
    client.api.reqGlobalCancel();
    await client.until('both cancelled', () => r.last(1)?.status === 'Cancelled' && r.last(2)?.status === 'Cancelled');
    expect(tws.openOrders()).toEqual([]);
  });

  it('injects 103, 162 and any other code into the next request of a kind, serving the one after normally', async () => {
    const tws = await h.start();
    const client = await h.client(1);
    const r = recorder(client);
    tws.failNextRequest('placeOrder', 103);
    tws.failNextRequest('historical', 162);
    tws.failNextRequest('any', 326, 'custom');
    client.api.placeOrder(1, aapl, order({ orderRef: 'dup' }));
    client.api.reqHistoricalData(2, aapl, '', '1 D', '1 hour' as never, 'TRADES' as never, 1, 1, false);
    client.api.reqContractDetails(3, aapl);
    await client.until('three injected errors', () => client.errors.length >= 3);
    expect(client.errors.map((e) => [e.reqId, e.code, e.message])).toEqual([
      [1, 103, 'Duplicate order id'],
      [2, 162, 'Historical Market Data Service error message:Historical data request pacing violation'],
      [3, 326, 'custom'],
    ]);
    expect(tws.openOrders()).toEqual([]);
    expect(tws.placeOrderLog.map((o) => o.orderRef)).toEqual(['dup']);
    client.api.placeOrder(4, aapl, order({ orderRef: 'ok' }));
    await client.until('the next order fills', () => r.last(4)?.status === 'Filled');
  });

  it('cancels what an IOC or FOK order cannot fill at once, and expires GTD orders on the fake clock', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 2, 15, 0));
    const tws = await h.start({ clock, quoteIntervalMs: 5 });
    const client = await h.client(1);
    const r = recorder(client);
    tws.setQuote('AAPL', 100, 100.02);
    client.api.placeOrder(1, aapl, order({ tif: 'IOC', orderType: 'LMT' as never, lmtPrice: 99 }));
    client.api.placeOrder(2, aapl, order({ tif: 'IOC' }));
    client.api.placeOrder(3, aapl, order({ tif: 'FOK', orderType: 'LMT' as never, lmtPrice: 99 }));
    client.api.placeOrder(4, aapl, order({ tif: 'GTD', goodTillDate: '20250102 10:01:00 US/Eastern', orderType: 'LMT' as never, lmtPrice: 99 }));
    await client.until('IOC and FOK settled, GTD resting', () => r.last(1)?.status === 'Cancelled' && r.last(2)?.status === 'Filled' && r.last(3)?.status === 'Cancelled' && r.last(4)?.status === 'Submitted');
    clock.advance(59_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(r.last(4)?.status).toBe('Submitted');
    clock.advance(1_000);
    await client.until('GTD expired', () => r.last(4)?.status === 'Cancelled');
    expect(tws.openOrders()).toEqual([]);
  });

  it('rejects orders missing the prices their type needs or a readable good-till date', async () => {
    await h.start();
    const client = await h.client(1);
    client.api.placeOrder(1, aapl, order({ orderType: 'LMT' as never }));
    client.api.placeOrder(2, aapl, order({ orderType: 'STP' as never }));
    client.api.placeOrder(3, aapl, order({ tif: 'GTD', orderType: 'LMT' as never, lmtPrice: 1, goodTillDate: 'tomorrow' }));
    await client.until('three rejections', () => client.errors.filter((e) => e.code === 201).length === 3);
    expect(client.errors.map((e) => [e.reqId, e.message])).toEqual([
      [1, 'Order rejected - reason:expected lmtPrice for a LMT order, got none'],
      [2, 'Order rejected - reason:expected auxPrice for a STP order, got none'],
      [3, 'Order rejected - reason:expected goodTillDate like "20250102 16:00:00 US/Eastern", got "tomorrow"'],
    ]);
  });
});
