import { allocateEndpoints, assertBuilt, ServiceProcess, stackEnv, type StackEndpoints } from '@ttquant/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTtq } from './run-ttq';

jest.setTimeout(90_000);

interface OrderJson {
  order: { spec: { clientOrderId: string; side: string; quantity: string; type: string }; status: string; filledQuantity: string; avgFillPrice?: string };
  reason: string;
}
interface PositionJson {
  account: string;
  instrument: { venue: string; symbol: string };
  quantity: string;
  realizedPnl: string;
  currency: string;
}

/**
 * `ttq` against real services: hub, gateway and market-data (the sim venue),
 * each its own process on free ports, working in a temporary directory.
 */
describe('ttq against running services', () => {
  let cwd: string;
  let endpoints: StackEndpoints;
  let env: Record<string, string>;
  const services: ServiceProcess[] = [];
  const ttq = (...args: string[]) => runTtq(args, { cwd, env });

  beforeAll(async () => {
    assertBuilt(['hub', 'gateway', 'market-data', 'cli']);
    cwd = mkdtempSync(join(tmpdir(), 'ttq-e2e-'));
    endpoints = await allocateEndpoints();
    const stack = stackEnv(endpoints);
    env = {
      TTQ_BUS_XSUB_ENDPOINT: endpoints.xsub,
      TTQ_BUS_XPUB_ENDPOINT: endpoints.xpub,
      TTQ_CLI_GATEWAY_ORDERS: endpoints.gatewayOrders,
      TTQ_CLI_GATEWAY_CONTROL: endpoints.gatewayControl,
    };
    for (const app of ['hub', 'gateway', 'market-data'] as const) {
      services.push(await ServiceProcess.start({ app, cwd, httpPort: endpoints.httpPorts[app], env: stack }));
    }
  });

  afterAll(async () => {
    for (const service of [...services].reverse()) await service.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('submits a market order that fills, then lists it FILLED and the position it opened', async () => {
    const submitted = await ttq('order', 'submit', '--account', 'SIM001', '--symbol', 'ACME', '--side', 'buy', '--qty', '10', '--json');
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const last = JSON.parse(submitted.stdout) as OrderJson;
    expect(last.order.status).toBe('FILLED');
    expect(last.order.filledQuantity).toBe('10');
    expect(last.order.spec.clientOrderId).toMatch(/^manual[0-9a-z]+$/);

    const orders = await ttq('orders', '--json');
    expect(orders.code).toBe(0);
    const listed = (JSON.parse(orders.stdout) as OrderJson[]).find((o) => o.order.spec.clientOrderId === last.order.spec.clientOrderId);
    expect(listed).toMatchObject({ order: { status: 'FILLED', filledQuantity: '10', avgFillPrice: last.order.avgFillPrice } });

    const positions = await ttq('positions', '--account', 'SIM001', '--json');
    expect(positions.code).toBe(0);
    expect(JSON.parse(positions.stdout) as PositionJson[]).toEqual([
      expect.objectContaining({ account: 'SIM001', instrument: { venue: 'SIM', symbol: 'ACME' }, quantity: '10', currency: 'USD' }),
    ]);

    const table = await ttq('positions');
    expect(table.stdout).toMatch(/^ACCOUNT\s+INSTRUMENT\s+QTY/);
    expect(table.stdout).toMatch(/SIM001\s+SIM:ACME\s+10\s/);
  });

  it('leaves a limit order resting, then cancels it', async () => {
    const resting = await ttq(
      ...['order', 'submit', '--account', 'SIM001', '--symbol', 'ACME', '--side', 'buy', '--qty', '1'],
      ...['--type', 'limit', '--price', '95', '--tif', 'gtc', '--id', 'e2erest1', '--json'],
    );
    expect(resting.code).toBe(0);
    expect((JSON.parse(resting.stdout) as OrderJson).order.status).toBe('ACCEPTED');

    const canceled = await ttq('order', 'cancel', 'e2erest1', '--account', 'SIM001');
    expect(canceled.code).toBe(0);
    expect(canceled.stdout).toMatch(/e2erest1\s+SIM001\s+SIM:ACME\s+BUY\s+1\s+LIMIT\s+95\s+CANCELED/);

    const again = await ttq('order', 'cancel', 'e2erest1', '--account', 'SIM001');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('order e2erest1 is CANCELED, not working');
  });

  it('exits 1 with the reason when risk denies an order', async () => {
    const denied = await ttq('order', 'submit', '--account', 'SIM001', '--symbol', 'ACME', '--side', 'sell', '--qty', '5000000', '--json');
    expect(denied.code).toBe(1);
    const last = JSON.parse(denied.stdout) as OrderJson;
    expect(last.order.status).toBe('DENIED');
    expect(last.reason).toMatch(/^max-order-quantity: /);
  });

  it('lists the running services from their heartbeats', async () => {
    const status = await ttq('status', '--seconds', '1.5', '--json');
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { services: { service: string; state: string; info: Record<string, string> }[] };
    expect(report.services.map((s) => s.service)).toEqual(['gateway', 'market-data']);
    expect(report.services[0]).toMatchObject({ state: 'READY', info: { account: 'SIM001', ready: 'true' } });
  });

  it.each([
    [['order', 'submit', '--account', 'SIM001', '--symbol', 'ACME', '--side', 'buy'], 'ttq: --qty is required, e.g. --qty 10\n'],
    [['order', 'submit', '--account', 'SIM001', '--symbol', 'ACME', '--side', 'short', '--qty', '1'], 'ttq: --side: expected one of buy, sell, was "short"\n'],
    [['order', 'submit', '--account', 'SIM001', '--symbol', 'ACME', '--side', 'buy', '--qty', '1', '--type', 'stop'], 'ttq: invalid order: expected stopPrice for a STOP order, was absent (--stop-price)\n'],
    [['positons'], 'ttq: unknown command "positons"; expected one of status, orders, positions, order submit, order cancel, db migrate, db serve, data bars, data ticks, data orders, data fills, data positions, data account, data runs, data alerts, backfill, sim (see ttq --help)\n'],
    [['orders', '--acount', 'SIM001'], "ttq: orders: Unknown option '--acount' (see ttq orders --help)\n"],
  ])('exits 2 for %j with a clear message', async (args, message) => {
    const result = await ttq(...args);
    expect(result).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it('exits 69 naming the endpoint when no gateway answers there', async () => {
    const result = await runTtq(['orders'], { cwd, env: { ...env, TTQ_CLI_GATEWAY_CONTROL: endpoints.marketDataReplay.replace(/\d+$/, '1'), TTQ_CLI_REQUEST_TIMEOUT: '300ms' } });
    expect(result.code).toBe(69);
    expect(result.stderr).toBe(
      'ttq: gateway control endpoint tcp://127.0.0.1:1: no answer within 300 ms (is the gateway running? set cli.gatewayControl or TTQ_CLI_GATEWAY_CONTROL)\n',
    );
  });
});
