import { Decimal, type OrderSpec } from '@ttquant/domain';
import { systemClock } from '@ttquant/domain';
import { DisconnectedError, reconcileExecution, type ExecutionReport } from '@ttquant/gateway-api';
import { createIbAdapter } from '../src';
import { FAST_RECONNECT, expectCleanSession, type IbHarness } from './fake-tws-venue';
import { ES, esOrder, orderReportsOf, startEsExecutionRun, type ExecutionRun } from './execution-run';
import { disposeAfterEach } from './harness-lifecycle';

function spec(h: IbHarness, overrides: Partial<OrderSpec> & Pick<OrderSpec, 'side' | 'type'>): OrderSpec {
  return esOrder(h, 'recovery', { timeInForce: 'GTC', ...overrides });
}

function fillsOf(run: ExecutionRun, clientOrderId: string): ExecutionReport[] {
  return run.reports.events.filter((r) => r.kind === 'fill' && r.fill.clientOrderId === clientOrderId);
}

function lastStatus(run: ExecutionRun, clientOrderId: string): string | undefined {
  return orderReportsOf(run, clientOrderId).at(-1)?.status;
}

/** One PLACE_ORDER per client order id: never sent twice, whatever happened to the link. */
function expectOnePlaceOrderPerOrderRef(h: IbHarness): void {
  const counts = new Map<string, number>();
  for (const order of h.fake.placeOrderLog) counts.set(order.orderRef, (counts.get(order.orderRef) ?? 0) + 1);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}

describe('IB execution client recovery against a fake TWS', () => {
  const track = disposeAfterEach((run: ExecutionRun) => run.h);

  it(
    'emits a fill missed during an outage and settles the order before it reports CONNECTED and takes new orders',
    async () => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      const resting = spec(r.h, { side: 'BUY', type: 'LIMIT', limitPrice: Decimal.parse('4990') });
      await r.h.execution.submit(resting);
      await r.reports.waitFor(() => lastStatus(r, resting.clientOrderId) === 'ACCEPTED', 'the resting order ACCEPTED');
      const orderId = Number(orderReportsOf(r, resting.clientOrderId)[0].venueOrderId);

      r.h.venue.dropConnection();
      await r.reports.waitFor(() => r.h.execution.connectionState !== 'CONNECTED', 'the link reported down');
      await expect(r.h.execution.submit(spec(r.h, { side: 'BUY', type: 'MARKET' }))).rejects.toBeInstanceOf(DisconnectedError);
      // The broker fills the order while the client cannot hear it.
      r.h.fake.fillOrder(orderId, 2, 4990);

      const mark = r.reports.size;
      r.h.venue.restoreConnection();
      await r.reports.waitFor(() => r.h.execution.connectionState === 'CONNECTED', 'CONNECTED after reconciliation', 15_000);
      const after = r.reports.events.slice(mark);
      const connectedAt = after.findIndex((e) => e.kind === 'status' && e.status.state === 'CONNECTED');
      const fillAt = after.findIndex((e) => e.kind === 'fill' && e.fill.clientOrderId === resting.clientOrderId);
      const filledAt = after.findIndex((e) => e.kind === 'order' && e.clientOrderId === resting.clientOrderId && e.status === 'FILLED');
      expect(fillAt).toBeGreaterThanOrEqual(0);
      expect(filledAt).toBeGreaterThan(fillAt);
      expect(connectedAt).toBeGreaterThan(filledAt);
      expect(fillsOf(r, resting.clientOrderId)).toHaveLength(1);
      expectOnePlaceOrderPerOrderRef(r.h);
    },
    20_000,
  );

  it(
    'settles an order in flight when the link drops, by itself, and the fake got it exactly once',
    async () => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      r.h.venue.dropConnectionOnNextOrder();
      const order = spec(r.h, { side: 'BUY', type: 'MARKET' });
      await r.h.execution.submit(order).catch(() => undefined);
      await r.reports.waitFor(() => r.h.execution.connectionState !== 'CONNECTED', 'the link reported down');
      expect(lastStatus(r, order.clientOrderId)).not.toBe('FILLED');
      r.h.venue.restoreConnection();
      await r.reports.waitFor(() => lastStatus(r, order.clientOrderId) === 'FILLED', 'the in-flight order FILLED by reconciliation', 15_000);
      expect(fillsOf(r, order.clientOrderId)).toHaveLength(1);
      expect(r.h.fake.placeOrderLog.filter((o) => o.orderRef === order.clientOrderId)).toHaveLength(1);
      expectOnePlaceOrderPerOrderRef(r.h);
    },
    20_000,
  );

  it(
    'reports a partial fill that happened during an outage and keeps the rest working',
    async () => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      const resting = spec(r.h, { side: 'SELL', type: 'LIMIT', limitPrice: Decimal.parse('5010'), quantity: Decimal.of(4) });
      await r.h.execution.submit(resting);
      await r.reports.waitFor(() => lastStatus(r, resting.clientOrderId) === 'ACCEPTED', 'ACCEPTED');
      const orderId = Number(orderReportsOf(r, resting.clientOrderId)[0].venueOrderId);
      r.h.venue.dropConnection();
      await r.reports.waitFor(() => r.h.execution.connectionState !== 'CONNECTED', 'the link reported down');
      r.h.fake.fillOrder(orderId, 1, 5010);
      r.h.venue.restoreConnection();
      await r.reports.waitFor(() => lastStatus(r, resting.clientOrderId) === 'PARTIALLY_FILLED', 'PARTIALLY_FILLED after the reconnect', 15_000);
      expect(orderReportsOf(r, resting.clientOrderId).at(-1)?.filledQuantity.toString()).toBe('1');
      const open = await r.h.execution.openOrders();
      expect(open.map((o) => o.clientOrderId)).toContain(resting.clientOrderId);
    },
    20_000,
  );

  it(
    'sends a bracket with transmit flags, children under the parent in one OCA group; a take-profit fill cancels the stop-loss',
    async () => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      const parent = spec(r.h, { side: 'BUY', type: 'LIMIT', limitPrice: Decimal.parse('5000.25') });
      const takeProfit = spec(r.h, { side: 'SELL', type: 'LIMIT', limitPrice: Decimal.parse('5010'), parentClientOrderId: parent.clientOrderId });
      const stopLoss = spec(r.h, { side: 'SELL', type: 'STOP', stopPrice: Decimal.parse('4990'), parentClientOrderId: parent.clientOrderId });
      await r.h.adapter.execution.submitBracket(parent, takeProfit, stopLoss);

      const bracket = () => r.h.fake.placeOrderLog.filter((o) => [parent, takeProfit, stopLoss].some((s) => s.clientOrderId === o.orderRef));
      await r.reports.waitFor(() => bracket().length === 3, 'the three orders at the fake');
      const placed = bracket();
      expect(placed.map((o) => o.transmit)).toEqual([false, false, true]);
      expect(placed[1].parentId).toBe(placed[0].orderId);
      expect(placed[2].parentId).toBe(placed[0].orderId);
      expect(placed[1].ocaGroup).not.toBe('');
      expect(placed[2].ocaGroup).toBe(placed[1].ocaGroup);

      await r.reports.waitFor(() => lastStatus(r, parent.clientOrderId) === 'FILLED', 'the parent FILLED');
      await r.reports.waitFor(
        () => lastStatus(r, takeProfit.clientOrderId) === 'ACCEPTED' && lastStatus(r, stopLoss.clientOrderId) === 'ACCEPTED',
        'both children working',
      );
      r.h.venue.setMarket(ES, { bid: Decimal.parse('5010'), bidSize: Decimal.of(100), ask: Decimal.parse('5010.25'), askSize: Decimal.of(100) });
      await r.reports.waitFor(() => lastStatus(r, takeProfit.clientOrderId) === 'FILLED', 'the take-profit FILLED');
      await r.reports.waitFor(() => lastStatus(r, stopLoss.clientOrderId) === 'CANCELED', 'the stop-loss CANCELED by its OCA group');
    },
    20_000,
  );

  it(
    'sends GTD expiry in UTC and outside-RTH to IB',
    async () => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      const order = spec(r.h, {
        side: 'BUY',
        type: 'LIMIT',
        limitPrice: Decimal.parse('4980'),
        timeInForce: 'GTD',
        expireTime: 1893456000000000000n,
        outsideRth: true,
      });
      await r.h.execution.submit(order);
      await r.reports.waitFor(() => lastStatus(r, order.clientOrderId) === 'ACCEPTED', 'ACCEPTED');
      const placed = r.h.fake.placeOrderLog.find((o) => o.orderRef === order.clientOrderId);
      expect(placed).toMatchObject({ tif: 'GTD', goodTillDate: '20300101-00:00:00', outsideRth: true, orderType: 'LMT', lmtPrice: 4980 });
    },
    20_000,
  );

  it(
    'streams positions and the account summary after a fill',
    async () => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      const order = spec(r.h, { side: 'BUY', type: 'MARKET' });
      await r.h.execution.submit(order);
      await r.reports.waitFor(() => lastStatus(r, order.clientOrderId) === 'FILLED', 'FILLED');
      await r.reports.waitFor(
        () => r.reports.events.some((e) => e.kind === 'position' && e.position.instrument.symbol === 'ESZ7' && e.position.quantity.eq(Decimal.of(2))),
        'a position report of 2 ESZ7',
      );
      await r.reports.waitFor(() => r.reports.events.some((e) => e.kind === 'account'), 'an account report');
      const account = await r.h.execution.accountState();
      expect(account.account).toBe('DU1234567');
      expect(account.balances.find((b) => b.currency === 'USD')?.equity.isPositive()).toBe(true);
      const fill = fillsOf(r, order.clientOrderId)[0];
      expect(fill.kind === 'fill' && fill.fill.commission.toString()).toBe('1.7');
    },
    20_000,
  );

  it.each([1100, 2110])(
    'refuses orders while TWS has lost IB (%i, DEGRADED) and takes them again once restored (1102)',
    async (code) => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      r.h.fake.sendNotice(code);
      await r.reports.waitFor(() => r.h.execution.connectionState === 'DEGRADED', `DEGRADED on ${code}`);
      expect(r.h.adapter.connection.connectionState).toBe('DEGRADED');
      const refused = spec(r.h, { side: 'BUY', type: 'MARKET' });
      await expect(r.h.execution.submit(refused)).rejects.toBeInstanceOf(DisconnectedError);
      r.h.fake.sendNotice(1102);
      await r.reports.waitFor(() => r.h.execution.connectionState === 'CONNECTED', 'CONNECTED on 1102');
      const order = spec(r.h, { side: 'BUY', type: 'MARKET' });
      await r.h.execution.submit(order);
      await r.reports.waitFor(() => lastStatus(r, order.clientOrderId) === 'FILLED', 'an order FILLED after 1102');
      expect(r.h.fake.placeOrderLog.some((o) => o.orderRef === refused.clientOrderId)).toBe(false);
    },
    20_000,
  );

  it(
    "lists another API client's order as external and leaves it alone on cancelAll",
    async () => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      const mine = spec(r.h, { side: 'BUY', type: 'LIMIT', limitPrice: Decimal.parse('4960') });
      await r.h.execution.submit(mine);
      await r.reports.waitFor(() => lastStatus(r, mine.clientOrderId) === 'ACCEPTED', 'my order ACCEPTED');
      // Another API client of the same account (the fake hands out order ids account-wide, so it connects second).
      const other = createIbAdapter(
        { port: r.h.fake.port, clientId: 21, reconnect: FAST_RECONNECT, instruments: [{ symbol: 'ESZ7', ibSymbol: 'ES', secType: 'FUT', lastTradeDateOrContractMonth: '202712' }] },
        { clock: systemClock },
        { env: {} },
      );
      try {
        await other.instruments.load();
        await other.execution.connect();
        const foreign = spec(r.h, { side: 'BUY', type: 'LIMIT', limitPrice: Decimal.parse('4950'), clientOrderId: 'placedelsewhere1' });
        await other.execution.submit(foreign);
        await r.reports.waitFor(() => r.h.fake.openOrders().length === 2, 'both orders working at the fake');

        const result = await reconcileExecution(r.h.execution, { knownOrders: [] });
        expect(result.external.map((o) => o.clientOrderId).sort()).toEqual([mine.clientOrderId, 'placedelsewhere1'].sort());
        await r.h.execution.cancelAll({ account: r.h.execution.account });
        await r.reports.waitFor(() => lastStatus(r, mine.clientOrderId) === 'CANCELED', 'my order CANCELED');
        expect(r.h.fake.openOrders().map((o) => o.orderRef)).toEqual(['placedelsewhere1']);
        expectCleanSession({ adapter: other });
      } finally {
        await other.dispose();
      }
    },
    20_000,
  );

  it(
    'refuses an order naming another account before anything reaches IB',
    async () => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      const order = spec(r.h, { side: 'BUY', type: 'MARKET', account: 'DU7777777' });
      await expect(r.h.execution.submit(order)).rejects.toThrow(/expected order \w+ for account DU\*\*\*\*67, it names DU\*\*\*\*77/);
      expect(r.h.fake.placeOrderLog).toHaveLength(0);
    },
    20_000,
  );

  it(
    'reports IB refusing an order id (103) as REJECTED with the reason; nothing is resent',
    async () => {
      const r = track(await startEsExecutionRun({ quoted: true }));
      r.h.fake.failNextRequest('placeOrder', 103);
      const order = spec(r.h, { side: 'BUY', type: 'LIMIT', limitPrice: Decimal.parse('4980') });
      await r.h.execution.submit(order);
      await r.reports.waitFor(() => lastStatus(r, order.clientOrderId) === 'REJECTED', 'REJECTED');
      expect(orderReportsOf(r, order.clientOrderId).at(-1)?.reason).toContain('IB 103');
      expect(r.h.fake.placeOrderLog.filter((o) => o.orderRef === order.clientOrderId)).toHaveLength(1);
    },
    20_000,
  );
});
