import { Decimal, type OrderSpec } from '@ttquant/domain';
import type { VenueOrderReport } from '@ttquant/gateway-api';
import type { IbHarness } from './fake-tws-venue';
import { ES, esOrder, orderReportsOf, startEsExecutionRun, type ExecutionRun } from './execution-run';
import { disposeAfterEach } from './harness-lifecycle';

// Orders, cancels and modifies caught between a socket dying and the client noticing, and orders placed while a
// 1101/1102 verification runs: each must end in the state the fake broker holds, never guessed.

function restingBuy(h: IbHarness, overrides: Partial<OrderSpec> = {}): OrderSpec {
  return esOrder(h, 'races', { side: 'BUY', type: 'LIMIT', limitPrice: Decimal.parse('4000'), timeInForce: 'GTC', ...overrides });
}

function lastOrder(run: ExecutionRun, clientOrderId: string): VenueOrderReport | undefined {
  return orderReportsOf(run, clientOrderId).at(-1);
}

/** Kills the sockets and waits until the client has noticed; `during` runs before the client can notice. */
async function dropWhile(run: ExecutionRun, during: () => Promise<void>): Promise<void> {
  run.h.venue.dropConnection();
  await during();
  await run.reports.waitFor(() => run.h.execution.connectionState !== 'CONNECTED', 'the link reported down');
}

async function reconnect(run: ExecutionRun): Promise<void> {
  run.h.venue.restoreConnection();
  await run.reports.waitFor(() => run.h.execution.connectionState === 'CONNECTED', 'CONNECTED after reconciliation', 15_000);
}

describe('IB execution across reconnect races', () => {
  const track = disposeAfterEach((run: ExecutionRun) => run.h);

  it('settles nothing by absence after a 1102: orders placed while it verifies stay working', async () => {
    const r = track(await startEsExecutionRun());
    r.h.fake.sendNotice(1102);
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const order = restingBuy(r.h);
      ids.push(order.clientOrderId);
      await r.h.execution.submit(order);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await r.reports.waitFor(() => ids.every((id) => lastOrder(r, id)?.status === 'ACCEPTED'), 'all 30 orders ACCEPTED');
    // Answered after the verification's own queries (one socket, in order): its settling is over by then.
    await r.h.execution.executionsSince();
    const working = new Set(r.h.fake.openOrders().map((o) => o.orderRef));
    expect(ids.filter((id) => !working.has(id))).toEqual([]);
    expect(ids.filter((id) => orderReportsOf(r, id).some((report) => report.status !== 'ACCEPTED'))).toEqual([]);
  }, 20_000);

  it('cancels an order written to a dying socket once the next session shows no trace of it', async () => {
    const r = track(await startEsExecutionRun());
    const order = restingBuy(r.h);
    // The adapter has not seen the reset yet: it accepts and writes the order into a dead socket.
    await dropWhile(r, () => r.h.execution.submit(order));
    await reconnect(r);
    const last = lastOrder(r, order.clientOrderId);
    expect(last?.status).toBe('CANCELED');
    expect(last?.reason).toMatch(/never reached IB/);
    expect(r.h.venue.receivedCount(order.clientOrderId)).toBe(0);
    await expect(r.h.execution.orderStatus({ clientOrderId: order.clientOrderId, instrument: ES })).resolves.toMatchObject({ status: 'CANCELED' });
  }, 20_000);

  it('reports CANCELED an order IB never got when its cancel is answered 10147, not a refused cancel', async () => {
    const r = track(await startEsExecutionRun());
    r.h.fake.loseNextOrders(1);
    const order = restingBuy(r.h);
    await r.h.execution.submit(order);
    await r.h.execution.cancel({ clientOrderId: order.clientOrderId, account: order.account });
    await r.reports.waitFor(() => lastOrder(r, order.clientOrderId) !== undefined, 'a report of the lost order');
    expect(lastOrder(r, order.clientOrderId)).toMatchObject({ status: 'CANCELED', reason: expect.stringMatching(/never reached IB \(IB 10147/) });
    expect(r.h.venue.receivedCount(order.clientOrderId)).toBe(0);
  }, 20_000);

  it('reports CANCELED an order the broker cancelled while the link was down, though the client never heard of it', async () => {
    const r = track(await startEsExecutionRun());
    r.h.venue.dropConnectionOnNextOrder();
    const order = restingBuy(r.h);
    await r.h.execution.submit(order);
    await r.reports.waitFor(() => r.h.execution.connectionState !== 'CONNECTED', 'the link reported down');
    expect(orderReportsOf(r, order.clientOrderId)).toHaveLength(0);
    const placed = r.h.fake.placeOrderLog.find((o) => o.orderRef === order.clientOrderId);
    expect(placed).toBeDefined();
    r.h.fake.cancelOrder(placed?.orderId ?? -1);
    await reconnect(r);
    expect(lastOrder(r, order.clientOrderId)?.status).toBe('CANCELED');
    expect(r.h.venue.receivedCount(order.clientOrderId)).toBe(1);
  }, 20_000);

  it('sends a cancel lost in a drop again after reconnecting, and the order ends CANCELED at the broker', async () => {
    const r = track(await startEsExecutionRun());
    const order = restingBuy(r.h);
    await r.h.execution.submit(order);
    await r.reports.waitFor(() => lastOrder(r, order.clientOrderId)?.status === 'ACCEPTED', 'the order ACCEPTED');
    await dropWhile(r, () => r.h.execution.cancel({ clientOrderId: order.clientOrderId, account: order.account }));
    expect(r.h.fake.openOrders().map((o) => o.orderRef)).toContain(order.clientOrderId);
    await reconnect(r);
    await r.reports.waitFor(() => lastOrder(r, order.clientOrderId)?.status === 'CANCELED', 'the order CANCELED');
    expect(r.h.fake.openOrders().map((o) => o.orderRef)).not.toContain(order.clientOrderId);
  }, 20_000);

  it('rejects an acknowledged order when IB sends 201 for it, but keeps it working when the 201 answers a modify', async () => {
    const r = track(await startEsExecutionRun());
    const order = restingBuy(r.h);
    await r.h.execution.submit(order);
    await r.reports.waitFor(() => lastOrder(r, order.clientOrderId)?.status === 'ACCEPTED', 'the order ACCEPTED');
    const orderId = Number(lastOrder(r, order.clientOrderId)?.venueOrderId);
    r.h.fake.sendNotice(201, 'Order rejected - reason:insufficient margin', orderId);
    await r.reports.waitFor(() => lastOrder(r, order.clientOrderId)?.status === 'REJECTED', 'the order REJECTED');
    expect(lastOrder(r, order.clientOrderId)?.reason).toMatch(/IB 201: .*insufficient margin/);

    const modified = restingBuy(r.h);
    await r.h.execution.submit(modified);
    await r.reports.waitFor(() => lastOrder(r, modified.clientOrderId)?.status === 'ACCEPTED', 'the second order ACCEPTED');
    const before = orderReportsOf(r, modified.clientOrderId).length;
    r.h.venue.rejectNext('price too far from the market');
    await r.h.execution.modify({ clientOrderId: modified.clientOrderId, account: modified.account, limitPrice: Decimal.parse('3000') });
    await r.reports.waitFor(() => orderReportsOf(r, modified.clientOrderId).length > before, 'the refused modify answered');
    expect(lastOrder(r, modified.clientOrderId)).toMatchObject({ status: 'ACCEPTED', reason: expect.stringMatching(/IB 201/) });
  }, 20_000);

  it('keeps one account summary subscription when a reconciliation is retried within a session', async () => {
    const run = track(await startEsExecutionRun({ adapterConfig: { requestTimeoutMs: 300 } }));
    const h = run.h;
    expect(h.fake.accountSummarySubscriptions()).toBe(1);
    await dropWhile(run, async () => undefined);
    // The gateway goes quiet just after the handshake: the first reconciliation times out and is retried.
    const stop = h.adapter.connection.onSession(() => h.fake.stall(700));
    await reconnect(run);
    stop();
    expect(h.fake.accountSummarySubscriptions()).toBe(1);
    const state = await h.execution.accountState();
    expect(state.balances.map((b) => b.currency)).toContain('USD');
  }, 20_000);

  it('re-reports an order whose modify was lost in a drop as it stands, and a later modify is reported amended', async () => {
    const r = track(await startEsExecutionRun());
    const order = restingBuy(r.h);
    await r.h.execution.submit(order);
    await r.reports.waitFor(() => lastOrder(r, order.clientOrderId)?.status === 'ACCEPTED', 'the order ACCEPTED');
    const before = orderReportsOf(r, order.clientOrderId).length;
    await dropWhile(r, () => r.h.execution.modify({ clientOrderId: order.clientOrderId, account: order.account, quantity: Decimal.of(3) }));
    await reconnect(r);
    const again = orderReportsOf(r, order.clientOrderId).slice(before);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ status: 'ACCEPTED', reason: expect.stringMatching(/never reached IB/) });
    expect(again[0].quantity.toString()).toBe('2');
    expect(again[0].amended).toBeUndefined();

    await r.h.execution.modify({ clientOrderId: order.clientOrderId, account: order.account, quantity: Decimal.of(3) });
    await r.reports.waitFor(() => lastOrder(r, order.clientOrderId)?.amended === true, 'the amended report');
    expect(lastOrder(r, order.clientOrderId)?.quantity.toString()).toBe('3');
  }, 20_000);
});
