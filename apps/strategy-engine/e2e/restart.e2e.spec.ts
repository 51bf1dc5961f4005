import { fetchGatewayState, type GatewayState } from '@ttquant/service-bus';
import { allocateEndpoints, ServiceProcess, stackEnv, waitFor, type StackEndpoints } from '@ttquant/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The default config runs one EMA-crossover strategy with this id. */
const STRATEGY = 'ema1';

function ordersOf(state: GatewayState) {
  return state.orders.filter((e) => e.order.spec.strategyId === STRATEGY);
}

/** The strategy's net filled quantity, from its orders as the gateway knows them. */
function netFilled(state: GatewayState): string {
  let net = 0;
  for (const { order } of ordersOf(state)) net += (order.spec.side === 'BUY' ? 1 : -1) * Number(order.filledQuantity.toString());
  return String(net);
}

/** JSON log lines of a service with the given message. */
function logLines(service: ServiceProcess, msg: string): Record<string, unknown>[] {
  return service.logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['msg'] === msg);
}

describe('strategy engine restart', () => {
  let dir: string;
  let endpoints: StackEndpoints;
  let env: Record<string, string>;
  const running: ServiceProcess[] = [];

  const start = async (app: 'hub' | 'gateway' | 'market-data' | 'strategy-engine', waitReady = true) => {
    const service = await ServiceProcess.start({ app, cwd: dir, httpPort: endpoints.httpPorts[app], env, waitReady, logFile: join(dir, `${app}-${running.length}.log`) });
    running.push(service);
    return service;
  };
  const state = () => fetchGatewayState(endpoints.gatewayControl, '', 5_000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ttq-strategy-e2e-'));
    endpoints = await allocateEndpoints();
    env = { ...stackEnv(endpoints), TTQ_SIM_MARKET_TICKS_PER_SECOND: '400', TTQ_GATEWAY_JOURNAL_DIR: join(dir, 'journal-gateway') };
  });

  afterAll(async () => {
    for (const service of running.reverse()) await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the gateway, then takes up the orders and position of its earlier run', async () => {
    await start('hub');
    let gateway = await start('gateway');
    let engine = await start('strategy-engine');
    const marketData = await start('market-data');
    await waitFor(async () => {
      const s = await state();
      return ordersOf(s).length >= 3 && ordersOf(s).every((e) => e.order.status === 'FILLED') && netFilled(s) !== '0';
    }, 'the strategy to hold a position with all its orders filled', 60_000, 200);

    // Stop trading, then the gateway too: the new engine must wait for it rather than start flat.
    expect(await engine.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    // An order sent just before the stop may still be on its way: take the state once every order is final.
    const before = await waitFor(async () => {
      const s = await state();
      return ordersOf(s).every((e) => e.order.status === 'FILLED') ? s : undefined;
    }, 'every order of the stopped strategy filled', 10_000, 100);
    expect(await gateway.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    engine = await start('strategy-engine', false);
    await waitFor(() => logLines(engine, 'no answer from the gateway yet: strategies wait for its state before trading').length > 0, 'the engine to wait');
    expect((await fetch(`http://127.0.0.1:${endpoints.httpPorts['strategy-engine']}/readyz`)).status).toBe(503);

    gateway = await start('gateway');
    await engine.waitReady(30_000);
    const [taken] = logLines(engine, 'took up orders and position of an earlier run');
    const heldBefore = netFilled(before);
    expect(taken).toMatchObject({ strategy: STRATEGY, orders: ordersOf(before).length, working: 0, positions: { 'SIM:ACME': heldBefore } });
    // Long-only: holding a position, its next order can only be a sell that closes it; flat, a buy.
    await waitFor(async () => ordersOf(await state()).length > ordersOf(before).length, 'the restarted strategy to trade again', 60_000, 200);
    const after = await state();
    const next = ordersOf(after)[ordersOf(before).length];
    expect(next?.order.spec.side).toBe(heldBefore === '0' ? 'BUY' : 'SELL');
    if (heldBefore !== '0') expect(next?.order.spec.quantity.toString()).toBe(heldBefore);
    await marketData.stop();
  }, 180_000);
});
