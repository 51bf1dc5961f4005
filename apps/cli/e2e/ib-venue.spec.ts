import { allocateEndpoints, assertBuilt, freePorts, ServiceProcess, stackEnv, startFakeTws, waitFor, type FakeTws } from '@ttquant/testing';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../src/database-url';
import { createRunDatabase, dropRunDatabase } from '../src/sim/sim-database';
import { newRunId } from '../src/sim/sim-run-folder';
import type { SimSummary } from '../src/sim/sim-summary';
import { IB_SIM_DEFAULTS, profileConfigFiles, type SimVenueProfile } from '../src/sim/sim-venue-profile';
import { runTtq, type TtqResult } from './run-ttq';

// Each test drives processes and waits for them (up to 20 s per step): far beyond jest's default 5 s.
jest.setTimeout(90_000);

const SERVER_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
/** IB's id of the paper account the fake TWS manages: a secret, used on the wire only. */
const IB_ACCOUNT = 'DU1234567';
/** TTQuant's name for that account: orders, topics, storage and `ttq` use it. */
const ACCOUNT = IB_SIM_DEFAULTS.account;
const SERVICES = ['hub', 'persistence', 'gateway', 'strategy-engine', 'market-data'] as const;

/** The fake must not have refused a message of the pinned client: the adapter speaks the wire protocol exactly. */
function expectNoRefusedMessages(fake: FakeTws): void {
  expect(fake.clientErrors).toEqual([]);
}

/** The `.log` files under `dir` (any depth) whose text contains `secret`. */
function logFilesContaining(dir: string, secret: string): string[] {
  const found: string[] = [];
  const logs: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.log')) logs.push(path);
    }
  };
  walk(dir);
  // A run without logs would prove nothing.
  expect(logs.length).toBeGreaterThan(0);
  for (const path of logs) if (readFileSync(path, 'utf8').includes(secret)) found.push(path);
  return found;
}

/** Tables of the database at `url` with a row whose text (every column) contains `secret`, with the count. */
async function rowsContaining(url: string, secret: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    const found: Record<string, number> = {};
    for (const { name } of tables) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${name}" t WHERE strpos(t::text, $1) > 0`, [secret]);
      if (Number(rows[0]?.n) > 0) found[name] = Number(rows[0]?.n);
    }
    return found;
  } finally {
    await client.end();
  }
}

/** Stored fills of `account`. */
async function fillCount(url: string, account: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM fills WHERE account = $1', [account]);
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

/**
 * The simulation on the IB profile: every service as its own process, the
 * gateway and market-data logged in to a fake TWS (the real wire protocol,
 * here in the test process) with their own client ids; the EMA example trades
 * AAPL for 15 s and what was made and stored must agree.
 */
describe('ttq sim --venue ib against a fake TWS', () => {
  let cwd: string;
  let fake: FakeTws;
  let result: TtqResult;
  let summary: SimSummary | undefined;

  beforeAll(async () => {
    assertBuilt([...SERVICES, 'cli']);
    cwd = mkdtempSync(join(tmpdir(), 'ttq-ib-sim-'));
    fake = await startFakeTws({ managedAccounts: [IB_ACCOUNT] });
    const summaryFile = join(cwd, 'summary.json');
    result = await runTtq(
      ['sim', '--venue', 'ib', '--ib-port', String(fake.port), '--duration', '15', '--summary', summaryFile],
      { cwd, env: { DATABASE_URL: SERVER_URL, IB_ACCOUNT }, timeoutMs: 170_000 },
    );
    if (existsSync(summaryFile)) summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as SimSummary;
  }, 180_000);

  afterAll(async () => {
    await fake?.close();
    if (summary?.database) await dropRunDatabase(SERVER_URL, summary.database);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('runs and stops every service cleanly, each IB service with its own client id', () => {
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    for (const service of SERVICES) expect(result.stderr).toContain(`ttq sim: ${service} stopped`);
    const runDir = summary?.runDir ?? '';
    expect(readFileSync(join(runDir, 'gateway.log'), 'utf8')).toMatch(/"clientId":11,/);
    expect(readFileSync(join(runDir, 'market-data.log'), 'utf8')).toMatch(/"clientId":12,/);
    expectNoRefusedMessages(fake);
  });

  it('traded AAPL on IB under the account name: fills, closing fills, every order placed once with its client order id and the IB id', () => {
    expect(summary?.account).toBe(ACCOUNT);
    expect(summary?.fills).toBeGreaterThan(0);
    expect(summary?.closingFills).toBeGreaterThan(0);
    const refs = fake.placeOrderLog.map((order) => order.orderRef);
    expect(new Set(refs).size).toBe(refs.length);
    expect(refs.length).toBe(summary?.ordersSubmitted);
    expect(fake.placeOrderLog.every((order) => order.contract.symbol === 'AAPL' && order.clientId === 11 && order.account === IB_ACCOUNT)).toBe(true);
  });

  it('kept the IB account id a secret: in no log file of the run and in no stored row, the fills stored under the name', async () => {
    expect(logFilesContaining(summary?.runDir ?? '', IB_ACCOUNT)).toEqual([]);
    expect(result.stdout).not.toContain(IB_ACCOUNT);
    expect(result.stderr).not.toContain(IB_ACCOUNT);
    const url = withDatabase(SERVER_URL, summary?.database ?? '');
    expect(await fillCount(url, IB_ACCOUNT)).toBe(0);
    expect(await fillCount(url, ACCOUNT)).toBe(summary?.fills);
    expect(await rowsContaining(url, IB_ACCOUNT)).toEqual({});
  });

  it('stored everything it published and made, with no gaps, and the PnL agrees', () => {
    expect(summary?.ticksPublished).toBeGreaterThan(0);
    expect(summary?.ticksStored).toBe(summary?.ticksPublished);
    expect(summary?.fillsStored).toBe(summary?.fills);
    expect(summary?.ordersStored).toBe(summary?.ordersSubmitted);
    expect(summary?.gaps).toBe(0);
    expect(summary?.problems).toEqual([]);
    expect(summary?.realizedPnl).toMatch(/^-?\d+\.\d{4}$/);
    expect(summary?.realizedPnlFromStoredFills).toBe(summary?.realizedPnl);
  });
});

interface OrderJson {
  order: { spec: { clientOrderId: string; side: string; quantity: string; account: string }; status: string; filledQuantity: string };
  reason: string;
}
interface PositionJson {
  account: string;
  instrument: { venue: string; symbol: string };
  quantity: string;
}
interface FillJson {
  clientOrderId: string;
  account: string;
  instrument: { venue: string; symbol: string };
  quantity: string;
}

/**
 * `ttq order submit` to an IB paper account: hub, persistence, gateway and
 * market-data as processes, the gateway and market-data on the IB adapter
 * against a fake TWS in this process.
 */
describe('ttq order submit to an IB account', () => {
  let cwd: string;
  let fake: FakeTws;
  let database = '';
  let databaseUrl = '';
  let env: Record<string, string>;
  let stackEnvironment: Record<string, string>;
  const services: ServiceProcess[] = [];
  const ttq = (...args: string[]) => runTtq(args, { cwd, env });
  /** The client order id of the first order, bought in the first test. */
  let firstId = '';

  beforeAll(async () => {
    assertBuilt(['hub', 'persistence', 'gateway', 'market-data', 'cli']);
    cwd = mkdtempSync(join(tmpdir(), 'ttq-ib-order-'));
    fake = await startFakeTws({ managedAccounts: [IB_ACCOUNT] });
    const profile: SimVenueProfile = { kind: 'ib', host: '127.0.0.1', port: fake.port, account: ACCOUNT, ibAccount: IB_ACCOUNT, symbol: 'AAPL' };
    mkdirSync(join(cwd, 'config'));
    for (const [service, text] of Object.entries(profileConfigFiles('ib-order-e2e', profile))) writeFileSync(join(cwd, 'config', `${service}.toml`), text);
    const created = await createRunDatabase(SERVER_URL, newRunId(), Number.MAX_SAFE_INTEGER);
    database = created.name;
    databaseUrl = created.url;
    const endpoints = await allocateEndpoints();
    stackEnvironment = { ...stackEnv(endpoints), TTQ_GATEWAY_ACCOUNT: ACCOUNT, IB_ACCOUNT, DATABASE_URL: created.url };
    env = {
      TTQ_BUS_XSUB_ENDPOINT: endpoints.xsub,
      TTQ_BUS_XPUB_ENDPOINT: endpoints.xpub,
      TTQ_CLI_GATEWAY_ORDERS: endpoints.gatewayOrders,
      TTQ_CLI_GATEWAY_CONTROL: endpoints.gatewayControl,
      DATABASE_URL: created.url,
    };
    for (const app of ['hub', 'persistence', 'gateway', 'market-data'] as const) {
      services.push(await ServiceProcess.start({ app, cwd, httpPort: endpoints.httpPorts[app], env: stackEnvironment, readyTimeoutMs: 30_000 }));
    }
  }, 90_000);

  afterAll(async () => {
    for (const service of [...services].reverse()) await service.stop();
    await fake?.close();
    if (database) await dropRunDatabase(SERVER_URL, database);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('fills a market order at IB, lists it FILLED with its position, stores the fill, and reached TWS once with orderRef = client order id', async () => {
    const submitted = await ttq('order', 'submit', '--account', ACCOUNT, '--venue', 'IB', '--symbol', 'AAPL', '--side', 'buy', '--qty', '10', '--json');
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const last = JSON.parse(submitted.stdout) as OrderJson;
    expect(last.order.status).toBe('FILLED');
    expect(last.order.filledQuantity).toBe('10');
    const id = last.order.spec.clientOrderId;
    firstId = id;

    const orders = await ttq('orders', '--json');
    expect(orders.code).toBe(0);
    expect((JSON.parse(orders.stdout) as OrderJson[]).find((o) => o.order.spec.clientOrderId === id)).toMatchObject({
      order: { status: 'FILLED', filledQuantity: '10' },
    });

    const positions = await ttq('positions', '--account', ACCOUNT, '--json');
    expect(positions.code).toBe(0);
    expect(JSON.parse(positions.stdout) as PositionJson[]).toEqual([
      expect.objectContaining({ account: ACCOUNT, instrument: { venue: 'IB', symbol: 'AAPL' }, quantity: '10' }),
    ]);

    const placed = fake.placeOrderLog.filter((order) => order.orderRef === id);
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ action: 'BUY', totalQuantity: 10, orderType: 'MKT', account: IB_ACCOUNT, clientId: 11, contract: { symbol: 'AAPL' } });
    expect(fake.positions().get(`${IB_ACCOUNT}:265598`)).toBe(10);

    // Persistence stores the fill from the bus: wait for it rather than for a fixed time.
    const stored = await waitFor(async () => {
      const fills = await ttq('data', 'fills', '--client-order-id', id, '--json');
      const rows = fills.code === 0 ? (JSON.parse(fills.stdout) as FillJson[]) : [];
      return rows.length > 0 ? rows : undefined;
    }, `the fill of ${id} stored`, 20_000, 250);
    expect(stored).toEqual([expect.objectContaining({ clientOrderId: id, account: ACCOUNT, instrument: { venue: 'IB', symbol: 'AAPL' }, quantity: '10' })]);
    expectNoRefusedMessages(fake);
  });

  it("keeps IB's contract details in storage's instrument cache (conId as the venue id)", async () => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ symbol: string; venue_instrument_id: string; exchange: string; currency: string; tick_size: string }>(
        "SELECT symbol, venue_instrument_id, exchange, currency, tick_size::text FROM instruments WHERE venue = 'IB'",
      );
      expect(rows).toEqual([{ symbol: 'AAPL', venue_instrument_id: '265598', exchange: 'SMART', currency: 'USD', tick_size: '0.01' }]);
    } finally {
      await client.end();
    }
  });

  it('after TWS drops every connection, both services log in again and the next order fills once', async () => {
    const before = fake.placeOrderLog.length;
    const gateway = services.find((s) => s.app === 'gateway');
    const readyz = async () => (await fetch(`http://127.0.0.1:${gateway?.httpPort ?? 0}/readyz`)).ok;
    fake.dropConnections('reset');
    // The gateway notices (readiness is refreshed every 250 ms; the first reconnection waits at least 0.4 s).
    await waitFor(async () => !(await readyz()) || undefined, 'the gateway to report the lost session', 10_000, 20);
    // Both sessions come back on their own (backoff from 0.5 s): the gateway reconciles, market-data resubscribes.
    await fake.waitForConnections(2, 20_000);
    const since = String(BigInt(Date.now()) * 1_000_000n);
    await waitFor(async () => (await readyz()) || undefined, 'the gateway ready again', 20_000, 100);

    const sold = await ttq('order', 'submit', '--account', ACCOUNT, '--venue', 'IB', '--symbol', 'AAPL', '--side', 'sell', '--qty', '10', '--json');
    expect(sold.code).toBe(0);
    const last = JSON.parse(sold.stdout) as OrderJson;
    expect(last.order.status).toBe('FILLED');
    const placed = fake.placeOrderLog.slice(before);
    expect(placed.map((order) => order.orderRef)).toEqual([last.order.spec.clientOrderId]);
    expect(fake.positions().get(`${IB_ACCOUNT}:265598`)).toBe(0);
    const positions = await ttq('positions', '--account', ACCOUNT, '--json');
    expect(JSON.parse(positions.stdout) as PositionJson[]).toEqual([expect.objectContaining({ instrument: { venue: 'IB', symbol: 'AAPL' }, quantity: '0' })]);

    // Market-data re-requested its lines: quotes published after the reconnect reach storage.
    await waitFor(async () => {
      const ticks = await ttq('data', 'ticks', '--symbol', 'IB:AAPL', '--kind', 'quotes', '--from', since, '--json');
      return ticks.code === 0 && (JSON.parse(ticks.stdout) as unknown[]).length > 0 ? true : undefined;
    }, 'AAPL quotes stored after the reconnect', 20_000, 250);
    expectNoRefusedMessages(fake);
  });

  it('a restarted IB gateway rebuilds its orders, reconciles with TWS and never sends a known client order id again', async () => {
    const index = services.findIndex((s) => s.app === 'gateway');
    const old = services[index];
    if (!old || firstId === '') throw new Error('expected the gateway running and the first order placed');
    expect((await old.stop()).code).toBe(0);
    const placedBefore = fake.placeOrderLog.length;
    services[index] = await ServiceProcess.start({ app: 'gateway', cwd, httpPort: old.httpPort, env: stackEnvironment, readyTimeoutMs: 30_000 });

    const orders = await ttq('orders', '--json');
    expect((JSON.parse(orders.stdout) as OrderJson[]).find((o) => o.order.spec.clientOrderId === firstId)).toMatchObject({
      order: { status: 'FILLED', filledQuantity: '10' },
    });
    const again = await ttq('order', 'submit', '--account', ACCOUNT, '--venue', 'IB', '--symbol', 'AAPL', '--side', 'buy', '--qty', '10', '--id', firstId, '--json');
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as OrderJson).order).toMatchObject({ status: 'FILLED', spec: { clientOrderId: firstId } });
    expect(fake.placeOrderLog.length).toBe(placedBefore);
    expect(fake.placeOrderLog.filter((order) => order.orderRef === firstId)).toHaveLength(1);
    expectNoRefusedMessages(fake);
  });

  it('kept the IB account id a secret: in no service log and in no stored row; the fills are stored under the name', async () => {
    const fills = await waitFor(async () => ((await fillCount(databaseUrl, ACCOUNT)) >= 2 ? fillCount(databaseUrl, ACCOUNT) : undefined), 'both fills stored', 20_000, 250);
    expect(fills).toBeGreaterThanOrEqual(2);
    expect(await fillCount(databaseUrl, IB_ACCOUNT)).toBe(0);
    expect(await rowsContaining(databaseUrl, IB_ACCOUNT)).toEqual({});
    for (const service of services) {
      expect(service.logs.length).toBeGreaterThan(0);
      expect({ app: service.app, leaks: service.logs.includes(IB_ACCOUNT) }).toEqual({ app: service.app, leaks: false });
    }
  });

  it('a gateway whose IB account TWS does not manage refuses to start: exit 78 with the masked account', async () => {
    const [orders, control, http] = await freePorts(3);
    const wrong = await ServiceProcess.start({
      app: 'gateway',
      cwd: join(cwd, 'wrong-account'),
      httpPort: http ?? 0,
      waitReady: false,
      env: {
        ...stackEnvironment,
        TTQ_CONFIG: join(cwd, 'config', 'gateway.toml'),
        TTQ_GATEWAY_ACCOUNT: 'DU7654321',
        IB_ACCOUNT: 'DU7654321',
        TTQ_IB_CLIENT_ID: '21',
        TTQ_GATEWAY_ORDERS_ENDPOINT: `tcp://127.0.0.1:${orders}`,
        TTQ_GATEWAY_CONTROL_ENDPOINT: `tcp://127.0.0.1:${control}`,
      },
    });
    const exit = await wrong.exited;
    expect(exit.code).toBe(78);
    expect(wrong.logs).toContain('expected account DU****21 among the accounts TWS manages (DU****67), it is not');
  });
});
