import type { Fill, OrderSpec } from '@ttquant/domain';
import type { IbHarness } from './fake-tws-venue';
import { esOrder, orderReportsOf, startEsExecutionRun, type ExecutionRun } from './execution-run';
import { disposeAfterEach } from './harness-lifecycle';

// A fill reaches the rest of the system with its real commission, whenever TWS sends it, and the realised PnL
// the adapter reports equals the one computed from its fills (what the gateway stores).

// ES: $50 a point, the fake charges $0.85 a contract.
const MULTIPLIER = 50;
const COMMISSION_PER_CONTRACT = 0.85;

function market(h: IbHarness, side: 'BUY' | 'SELL'): OrderSpec {
  return esOrder(h, 'commissions', { side, type: 'MARKET', timeInForce: 'DAY' });
}

function fills(run: ExecutionRun): Fill[] {
  return run.reports.events.flatMap((r) => (r.kind === 'fill' ? [r.fill] : []));
}

function statusOf(run: ExecutionRun, clientOrderId: string): string | undefined {
  return orderReportsOf(run, clientOrderId).at(-1)?.status;
}

/** Buys with the fake holding back the fill's commission report; returns once the order has reached the fake. */
async function buyWithCommissionWithheld(r: ExecutionRun): Promise<OrderSpec> {
  r.h.fake.withholdCommissions(1);
  const order = market(r.h, 'BUY');
  await r.h.execution.submit(order);
  await r.reports.waitFor(() => r.h.fake.placeOrderLog.some((o) => o.orderRef === order.clientOrderId), 'the order at the fake');
  return order;
}

/** Realised PnL from fills alone (average cost, commissions on both legs), as the gateway computes it from stored fills. */
function realizedFromFills(list: readonly Fill[]): number {
  let position = 0;
  let cost = 0;
  let realized = 0;
  for (const f of list) {
    const qty = f.side === 'BUY' ? f.quantity.toNumber() : -f.quantity.toNumber();
    const price = f.price.toNumber();
    realized -= f.commission.toNumber();
    if (position !== 0 && Math.sign(qty) !== Math.sign(position)) {
      const closing = Math.min(Math.abs(qty), Math.abs(position));
      realized += (price - cost) * closing * Math.sign(position) * MULTIPLIER;
      position += Math.sign(qty) * closing;
      continue;
    }
    cost = (cost * Math.abs(position) + price * Math.abs(qty)) / (Math.abs(position) + Math.abs(qty));
    position += qty;
  }
  return Math.round(realized * 100) / 100;
}

describe('IB commissions against a fake TWS', () => {
  const track = disposeAfterEach((run: ExecutionRun) => run.h);

  it('holds a fill whose commission report is late and emits it with the real commission, before its FILLED report', async () => {
    const r = track(await startEsExecutionRun({ quoted: true }));
    r.h.fake.withholdCommissions(1);
    const order = market(r.h, 'BUY');
    await r.h.execution.submit(order);
    await r.reports.waitFor(() => statusOf(r, order.clientOrderId) === 'FILLED', 'the order FILLED', 15_000);
    const mine = fills(r).filter((f) => f.clientOrderId === order.clientOrderId);
    expect(mine).toHaveLength(1);
    expect(mine[0].commission.toNumber()).toBeCloseTo(2 * COMMISSION_PER_CONTRACT, 6);
    const fillAt = r.reports.events.findIndex((e) => e.kind === 'fill' && e.fill.clientOrderId === order.clientOrderId);
    const filledAt = r.reports.events.findIndex((e) => e.kind === 'order' && e.clientOrderId === order.clientOrderId && e.status === 'FILLED');
    expect(filledAt).toBeGreaterThan(fillAt);
  }, 20_000);

  it('takes a commission that arrives late on its own', async () => {
    const r = track(await startEsExecutionRun({ quoted: true }));
    await buyWithCommissionWithheld(r);
    await r.reports.waitFor(() => r.h.fake.releaseCommissions() === 1, 'the withheld commission released');
    await r.reports.waitFor(() => fills(r).length === 1, 'the fill');
    expect(fills(r)[0].commission.toNumber()).toBeCloseTo(2 * COMMISSION_PER_CONTRACT, 6);
  }, 20_000);

  it('keeps a fill waiting for its commission across a dropped link and emits it once, complete, after reconnecting', async () => {
    const r = track(await startEsExecutionRun({ quoted: true }));
    const order = await buyWithCommissionWithheld(r);
    r.h.venue.dropConnection();
    await r.reports.waitFor(() => r.h.execution.connectionState !== 'CONNECTED', 'the link reported down');
    // Longer than the commission wait (1 s in the harness) while the link is down.
    await r.reports.waitFor(() => false, 'nothing', 1_500).catch(() => undefined);
    expect(fills(r)).toHaveLength(0);
    r.h.venue.restoreConnection();
    await r.reports.waitFor(() => statusOf(r, order.clientOrderId) === 'FILLED', 'the order FILLED after reconnecting', 15_000);
    expect(fills(r)).toHaveLength(1);
    expect(fills(r)[0].commission.toNumber()).toBeCloseTo(2 * COMMISSION_PER_CONTRACT, 6);
  }, 20_000);

  it('reports the realised PnL its fills give when the closing commission is late', async () => {
    const r = track(await startEsExecutionRun({ quoted: true }));
    const open = market(r.h, 'BUY');
    await r.h.execution.submit(open);
    await r.reports.waitFor(() => statusOf(r, open.clientOrderId) === 'FILLED', 'the opening order FILLED');
    r.h.fake.withholdCommissions(1);
    const close = market(r.h, 'SELL');
    await r.h.execution.submit(close);
    await r.reports.waitFor(() => statusOf(r, close.clientOrderId) === 'FILLED', 'the closing order FILLED', 15_000);
    const fromFills = realizedFromFills(fills(r));
    // Bought 2 at 5000.25, sold 2 at 5000: -0.25 x 50 x 2 = -25, commissions 4 x 0.85.
    expect(fromFills).toBeCloseTo(-28.4, 6);
    const position = (await r.h.execution.positions()).find((p) => p.instrument.symbol === 'ESZ7');
    expect(position?.quantity.isZero()).toBe(true);
    expect(position?.realizedPnl.toNumber()).toBeCloseTo(fromFills, 6);
  }, 20_000);
});
