import { Decimal, type OrderSpec } from '@ttquant/domain';
import { InvalidOrderError, type AdapterLogger, type ExecutionReport, type VenueOrderReport } from '@ttquant/gateway-api';
import { nextClientOrderId } from '@ttquant/gateway-api/testing';
import { EventLog } from './event-log';
import { startIbHarness, type IbHarness } from './fake-tws-venue';
import { disposeAfterEach } from './harness-lifecycle';

// TTQuant names the account (`ib-paper`); IB's id (IB_ACCOUNT, a secret) is used on the wire only.

const IB_ID = 'DU1234567';
const NAME = 'ib-paper';
const AAPL = { venue: 'IB', symbol: 'AAPL' };

/** Every record the adapter logs, as the JSON a log line would hold. */
class CapturedLog implements AdapterLogger {
  readonly lines: string[] = [];
  debug = (context: object, message?: string): void => this.keep('debug', context, message);
  info = (context: object, message?: string): void => this.keep('info', context, message);
  warn = (context: object, message?: string): void => this.keep('warn', context, message);
  error = (context: object, message?: string): void => this.keep('error', context, message);

  private keep(level: string, context: object, message: string | undefined): void {
    this.lines.push(JSON.stringify({ level, ...context, msg: message }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
  }
}

function order(account: string, side: 'BUY' | 'SELL', type: 'MARKET' | 'LIMIT' = 'MARKET'): OrderSpec {
  return {
    clientOrderId: nextClientOrderId(),
    account,
    instrument: AAPL,
    side,
    type,
    quantity: Decimal.of(5),
    ...(type === 'LIMIT' ? { limitPrice: Decimal.parse('150') } : {}),
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'names',
    tags: {},
  };
}

function accountsIn(reports: readonly ExecutionReport[]): Set<string> {
  return new Set(
    reports.map((r) => {
      switch (r.kind) {
        case 'order':
          return r.account;
        case 'fill':
          return r.fill.account;
        case 'position':
          return r.position.account;
        case 'account':
          return r.state.account;
        case 'status':
          return r.status.account;
      }
    }),
  );
}

function statusOf(reports: EventLog<ExecutionReport>, clientOrderId: string): string | undefined {
  return reports.events.filter((r): r is VenueOrderReport => r.kind === 'order' && r.clientOrderId === clientOrderId).at(-1)?.status;
}

describe('IB account name: TTQuant names the account, IB_ACCOUNT stays on the wire', () => {
  const track = disposeAfterEach((harness: IbHarness) => harness);
  let log: CapturedLog;
  let reports: EventLog<ExecutionReport>;

  async function start(env: NodeJS.ProcessEnv): Promise<IbHarness> {
    log = new CapturedLog();
    const h = track(await startIbHarness({ accountName: NAME, env, logger: log, fake: { managedAccounts: [IB_ID] } }));
    reports = new EventLog<ExecutionReport>();
    h.execution.onReport(reports.push);
    h.venue.setMarket(AAPL, { bid: Decimal.parse('189.5'), bidSize: Decimal.of(100), ask: Decimal.parse('189.6'), askSize: Decimal.of(100) });
    return h;
  }


  it('places orders naming the account with the IB id, and every report, fill, position and account state carries the name', async () => {
    const harness = await start({ IB_ACCOUNT: IB_ID });
    expect(harness.execution.account).toBe(NAME);
    expect(harness.adapter.execution.ibAccount).toBe(IB_ID);

    const buy = order(NAME, 'BUY');
    await harness.execution.submit(buy);
    await reports.waitFor(() => statusOf(reports, buy.clientOrderId) === 'FILLED', 'the buy FILLED');
    const resting = order(NAME, 'BUY', 'LIMIT');
    await harness.execution.submit(resting);
    await reports.waitFor(() => statusOf(reports, resting.clientOrderId) === 'ACCEPTED', 'the limit order ACCEPTED');

    const placed = harness.fake.placeOrderLog.filter((o) => o.orderRef === buy.clientOrderId || o.orderRef === resting.clientOrderId);
    expect(placed.map((o) => o.account)).toEqual([IB_ID, IB_ID]);

    const fill = reports.events.find((r) => r.kind === 'fill');
    expect(fill?.kind === 'fill' && fill.fill).toMatchObject({ account: NAME, clientOrderId: buy.clientOrderId });
    await reports.waitFor(() => reports.events.some((r) => r.kind === 'account'), 'an account state');
    expect(accountsIn(reports.events)).toEqual(new Set([NAME]));

    // The queries the gateway reconciles with answer under the name too.
    const open = await harness.execution.openOrders();
    expect(open.map((r) => [r.clientOrderId, r.account])).toEqual([[resting.clientOrderId, NAME]]);
    expect((await harness.execution.orderStatus({ clientOrderId: buy.clientOrderId, instrument: AAPL }))?.account).toBe(NAME);
    expect((await harness.execution.executionsSince()).map((f) => f.account)).toEqual([NAME]);
    const positions = await harness.execution.positions();
    expect(positions.map((p) => [p.account, p.instrument.symbol, p.quantity.toString()])).toEqual([[NAME, 'AAPL', '5']]);
    expect((await harness.execution.accountState()).account).toBe(NAME);
  }, 30_000);

  it('refuses an order naming the IB id instead of the name, showing the id masked', async () => {
    const harness = await start({ IB_ACCOUNT: IB_ID });
    const stray = order(IB_ID, 'BUY');
    const attempt = harness.execution.submit(stray);
    await expect(attempt).rejects.toBeInstanceOf(InvalidOrderError);
    await expect(attempt).rejects.toThrow(`expected order ${stray.clientOrderId} for account ${NAME}, it names DU****67`);
    expect(harness.fake.placeOrderLog.filter((o) => o.orderRef === stray.clientOrderId)).toEqual([]);
  }, 20_000);

  it('without IB_ACCOUNT trades the first managed account under the name, and keeps it out of every log line across a reconnect', async () => {
    const harness = await start({});
    expect(harness.adapter.execution.ibAccount).toBe(IB_ID);
    const buy = order(NAME, 'BUY');
    await harness.execution.submit(buy);
    await reports.waitFor(() => statusOf(reports, buy.clientOrderId) === 'FILLED', 'the buy FILLED');
    harness.venue.dropConnection();
    await reports.waitFor(() => harness.execution.connectionState !== 'CONNECTED', 'the link reported down');
    harness.venue.restoreConnection();
    await reports.waitFor(() => harness.execution.connectionState === 'CONNECTED', 'reconnected and reconciled', 15_000);
    const sell = order(NAME, 'SELL');
    await harness.execution.submit(sell);
    await reports.waitFor(() => statusOf(reports, sell.clientOrderId) === 'FILLED', 'the sell FILLED');

    expect(harness.fake.placeOrderLog.map((o) => o.account)).toEqual([IB_ID, IB_ID]);
    expect(accountsIn(reports.events)).toEqual(new Set([NAME]));
    // The adapter did log (configuration, sessions, reconciliations), with the account masked at most.
    expect(log.lines.length).toBeGreaterThan(3);
    expect(log.lines.some((line) => line.includes('DU****67'))).toBe(true);
    expect(log.lines.filter((line) => line.includes(IB_ID))).toEqual([]);
  }, 30_000);
});
