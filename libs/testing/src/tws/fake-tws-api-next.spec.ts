import { ConnectionState, IBApiNext, type Contract, type IBApiNextError } from '@stoqey/ib';
import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { startFakeTws } from './fake-tws-server';
import type { FakeTws } from './fake-tws-types';
import { IB_DECODE_ERROR } from './ib-test-client';

const aapl: Contract = { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' };

describe('fake TWS with IBApiNext', () => {
  let tws: FakeTws;
  let api: IBApiNext;
  const errors: IBApiNextError[] = [];
  let errorSubscription: Subscription;

  beforeEach(async () => {
    tws = await startFakeTws({ quoteIntervalMs: 5, firstOrderId: 500 });
    api = new IBApiNext({ host: tws.host, port: tws.port });
    errorSubscription = api.error.subscribe((e) => errors.push(e));
    api.connect(21);
    await firstValueFrom(api.connectionState.pipe(filter((s) => s === ConnectionState.Connected)));
  });

  afterEach(async () => {
    errorSubscription.unsubscribe();
    api.disconnect();
    await tws.close();
    expect(errors.filter((e) => e.code === IB_DECODE_ERROR)).toEqual([]);
    errors.length = 0;
  });

  it('answers the promise-style requests', async () => {
    expect(await api.getManagedAccounts()).toEqual(['DU1234567']);
    expect(Math.abs((await api.getCurrentTime()) - Date.now() / 1000)).toBeLessThan(5);
    const [details] = await api.getContractDetails(aapl);
    expect(details?.contract.conId).toBe(265598);
    tws.setQuote('AAPL', 150, 150.02, 150.01);
    const snapshot = await api.getMarketDataSnapshot(aapl, '', false);
    expect(snapshot.get(1)?.value).toBe(150); // BID
    expect(snapshot.get(2)?.value).toBe(150.02); // ASK
    const bars = await api.getHistoricalData(aapl, '20250103 16:00:00 US/Eastern', '1 D', '1 hour' as never, 'TRADES' as never, 1, 1);
    expect(bars.length).toBeGreaterThan(5);
    expect(bars.every((b) => (b.high ?? 0) >= (b.low ?? Infinity))).toBe(true);
  });

  it('streams market data, places an order and reports its execution, position and account summary', async () => {
    const update = await firstValueFrom(api.getMarketData(aapl, '', false, false).pipe(filter((u) => u.all.size >= 3)));
    expect(update.all.size).toBeGreaterThanOrEqual(3);
    const orderId = await api.placeNewOrder({ ...aapl, conId: 265598 }, { action: 'BUY' as never, orderType: 'MKT' as never, totalQuantity: 3, orderRef: 'next-1', transmit: true });
    expect(orderId).toBeGreaterThanOrEqual(500);
    await firstValueFrom(api.getPositions().pipe(filter((p) => (p.all.get('DU1234567') ?? []).some((pos) => pos.pos === 3))));
    const executions = await api.getExecutionDetails({});
    expect(executions.map((e) => [e.execution.orderRef, e.execution.shares])).toEqual([['next-1', 3]]);
    const summary = await firstValueFrom(api.getAccountSummary('All', 'NetLiquidation').pipe(filter((s) => s.all.size > 0)));
    expect(summary.all.get('DU1234567')?.get('NetLiquidation')?.get('USD')?.value).toMatch(/^\d+\.\d\d$/);
    expect(tws.placeOrderLog.map((o) => o.orderRef)).toEqual(['next-1']);
  });
});
