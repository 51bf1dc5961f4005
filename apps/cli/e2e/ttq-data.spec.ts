import { Decimal, type Fill, type OrderEvent, type OrderSpec, type OrderStatus, type TradeTick } from '@ttquant/domain';
import {
  accountSnapshotRows,
  alertRow,
  barRow,
  BatchWriter,
  fillRow,
  migrate,
  orderEventRow,
  positionRow,
  quoteTickRow,
  recordRunEnd,
  recordRunStart,
  tradeTickRow,
  upsertOrders,
  type StreamMeta,
  type TableName,
  type TableRow,
} from '@ttquant/storage';
import { assertBuilt } from '@ttquant/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { withDatabase } from '../src/database-url';
import { runTtq } from './run-ttq';

jest.setTimeout(90_000);

const SERVER_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const d = (text: string): Decimal => Decimal.parse(text);
const DAY0 = 1_709_251_200_000_000_000n; // 2024-03-01T00:00:00Z
const SECOND = 1_000_000_000n;
const MINUTE = 60n * SECOND;
const ACME = { venue: 'SIM', symbol: 'ACME' };
const WIDGET = { venue: 'SIM', symbol: 'WIDGET' };

function streamMeta(sequence: number, topic: string): StreamMeta {
  return { sourceInstance: 'e2e-1', epoch: 1_709_000_000_000_000_001n, topic, sequence };
}

function tradeAt(time: bigint, price: string, size: string, id: string): TradeTick {
  return { kind: 'trade', instrument: ACME, quality: 'SIMULATED', eventTime: time, initTime: time + 10n, price: d(price), size: d(size), aggressor: 'BUYER', tradeId: id };
}

function spec(clientOrderId: string, account: string, strategyId: string, side: 'BUY' | 'SELL'): OrderSpec {
  return {
    clientOrderId,
    account,
    instrument: ACME,
    side,
    type: 'LIMIT',
    quantity: d('10'),
    limitPrice: d('100.25'),
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId,
    tags: {},
  };
}

function event(orderSpec: OrderSpec, sequence: number, status: OrderStatus, filled: string, at: bigint, reason = ''): OrderEvent {
  return {
    order: {
      spec: orderSpec,
      status,
      filledQuantity: d(filled),
      ...(filled !== '0' && { avgFillPrice: d('100.25') }),
      createdTime: DAY0 + MINUTE,
      updatedTime: at,
    },
    reason,
    eventSequence: sequence,
  };
}

function fillOf(execId: string, clientOrderId: string, account: string, strategyId: string, quantity: string, at: bigint): Fill {
  return {
    account,
    clientOrderId,
    venueOrderId: `v-${clientOrderId}`,
    execId,
    instrument: ACME,
    side: 'BUY',
    quantity: d(quantity),
    price: d('100.25'),
    commission: d('0.05'),
    commissionCurrency: 'USD',
    liquidity: 'TAKER',
    strategyId,
    eventTime: at,
  };
}

/**
 * `ttq data …` as a process against the real PostgreSQL: a fresh database
 * migrated and filled with known rows, then every listing's printed table and
 * JSON checked against them.
 */
describe('ttq data', () => {
  const database = `ttq_e2e_data_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(SERVER_URL, database);
  let cwd: string;
  const ttq = (...args: string[]) => runTtq(['data', ...args], { cwd, env: { DATABASE_URL: url } });

  async function write<N extends TableName>(pool: Pool, table: N, rows: readonly TableRow<N>[]): Promise<void> {
    const writer = new BatchWriter(pool, table);
    for (const row of rows) await writer.write(row);
    await writer.close();
  }

  beforeAll(async () => {
    assertBuilt(['cli']);
    cwd = mkdtempSync(join(tmpdir(), 'ttq-data-'));
    const admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE DATABASE ${database}_empty`);
    await admin.end();

    const pool = new Pool({ connectionString: url, max: 2 });
    try {
      await migrate(pool, { now: new Date(Number(DAY0 / 1_000_000n)), partitionDaysAhead: 1 });
      // ACME trades: minute 0 has three (one in the same nanosecond as another), minute 2 one.
      const trades = [
        tradeAt(DAY0 + 5n * SECOND, '100.00', '3', 'a1'),
        tradeAt(DAY0 + 20n * SECOND + 7n, '101.50', '2', 'a2'),
        tradeAt(DAY0 + 20n * SECOND + 7n, '99.75', '1', 'a3'),
        tradeAt(DAY0 + 2n * MINUTE + 1n, '102.25', '4', 'a4'),
      ];
      await write(pool, 'trade_ticks', trades.map((t, i) => tradeTickRow(t, streamMeta(i + 1, 'md.tick.SIM.ACME'))));
      await write(pool, 'quote_ticks', [
        quoteTickRow(
          { kind: 'quote', instrument: ACME, quality: 'SIMULATED', eventTime: DAY0 + SECOND, initTime: DAY0 + SECOND, bidPrice: d('99.99'), bidSize: d('5'), askPrice: d('100.01'), askSize: d('7') },
          streamMeta(1, 'md.quote.SIM.ACME'),
        ),
      ]);
      // WIDGET: stored 1-minute bars for 10 minutes.
      await write(
        pool,
        'bars',
        Array.from({ length: 10 }, (_, i) =>
          barRow({
            kind: 'bar',
            instrument: WIDGET,
            quality: 'DELAYED',
            eventTime: DAY0 + BigInt(i + 1) * MINUTE,
            initTime: DAY0 + BigInt(i + 1) * MINUTE,
            intervalSeconds: 60,
            startTime: DAY0 + BigInt(i) * MINUTE,
            open: d(`${10 + i}.0`),
            high: d(`${12 + i}.0`),
            low: d(`${9 + i}.0`),
            close: d(`${11 + i}.0`),
            volume: d('100'),
            tradeCount: 5,
          }),
        ),
      );

      const filled = spec('emaR1c1', 'SIM001', 'ema', 'BUY');
      const canceled = spec('emaR1c2', 'SIM001', 'ema', 'SELL');
      const other = spec('mrR1c1', 'SIM002', 'meanrev', 'BUY');
      const events = [
        event(filled, 1, 'SUBMITTED', '0', DAY0 + MINUTE),
        event(filled, 2, 'PARTIALLY_FILLED', '4', DAY0 + MINUTE + SECOND),
        event(filled, 3, 'FILLED', '10', DAY0 + MINUTE + 2n * SECOND),
        event(canceled, 1, 'SUBMITTED', '0', DAY0 + 3n * MINUTE),
        event(canceled, 2, 'CANCELED', '0', DAY0 + 4n * MINUTE, 'canceled by strategy'),
        event(other, 1, 'SUBMITTED', '0', DAY0 + 5n * MINUTE),
      ];
      await write(pool, 'order_events', events.map((e, i) => orderEventRow(e, streamMeta(i + 1, `ex.order.${e.order.spec.account}`))));
      await upsertOrders(pool, events);
      await write(pool, 'fills', [
        fillRow(fillOf('x1', 'emaR1c1', 'SIM001', 'ema', '4', DAY0 + MINUTE + SECOND)),
        fillRow(fillOf('x2', 'emaR1c1', 'SIM001', 'ema', '6', DAY0 + MINUTE + 2n * SECOND)),
        fillRow(fillOf('y1', 'mrR1c1', 'SIM002', 'meanrev', '1', DAY0 + 6n * MINUTE)),
      ]);
      const position = (quantity: string) => ({
        account: 'SIM001',
        instrument: ACME,
        quantity: d(quantity),
        avgPrice: d('100.25'),
        realizedPnl: d('-0.10'),
        unrealizedPnl: d('2.5'),
        currency: 'USD',
      });
      await write(pool, 'positions', [
        positionRow(position('4'), DAY0 + MINUTE + SECOND, streamMeta(1, 'ex.position.SIM001')),
        positionRow(position('10'), DAY0 + MINUTE + 2n * SECOND, streamMeta(2, 'ex.position.SIM001')),
      ]);
      const account = (cash: string) => ({
        account: 'SIM001',
        venue: 'SIM',
        balances: [
          { currency: 'EUR', cash: d('50.00'), equity: d('50.00'), marginUsed: d('0'), buyingPower: d('50.00') },
          { currency: 'USD', cash: d(cash), equity: d('100000.00'), marginUsed: d('0'), buyingPower: d(cash) },
        ],
      });
      await write(pool, 'account_snapshots', [
        ...accountSnapshotRows(account('100000.00'), DAY0, streamMeta(1, 'ex.account.SIM001')),
        ...accountSnapshotRows(account('98997.40'), DAY0 + MINUTE + 2n * SECOND, streamMeta(2, 'ex.account.SIM001')),
      ]);
      await write(pool, 'alerts', [
        alertRow({ severity: 'WARNING', source: 'gateway', code: 'risk.denied', message: 'order denied: max notional', context: { clientOrderId: 'emaR1c9' } }, DAY0 + 7n * MINUTE),
        alertRow({ severity: 'CRITICAL', source: 'persistence', code: 'rows.parked', message: 'rows parked', context: {} }, DAY0 + 8n * MINUTE),
      ]);
      await recordRunStart(pool, { runId: 'emaR1', strategyId: 'ema', mode: 'paper', instance: 'se-1', accounts: ['SIM001'], startedAt: DAY0, config: { fast: 5 }, codeVersion: 'abc1234' });
      await recordRunEnd(pool, 'emaR1', { status: 'stopped', stoppedAt: DAY0 + 10n * MINUTE });
      await recordRunStart(pool, { runId: 'mrR1', strategyId: 'meanrev', mode: 'backtest', instance: 'se-2', accounts: ['SIM002'], startedAt: DAY0 + MINUTE, config: {}, codeVersion: 'abc1234' });
    } finally {
      await pool.end();
    }
  });

  afterAll(async () => {
    const admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${database}_empty WITH (FORCE)`);
    await admin.end();
    rmSync(cwd, { recursive: true, force: true });
  });

  const DAY = ['--from', '2024-03-01', '--to', '2024-03-02'];

  it('bars: computed from trades when no bars are stored, printed as a table', async () => {
    const result = await ttq('bars', '--symbol', 'SIM:ACME', '--interval', '1m', ...DAY);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('bars of 60s computed from stored trades\n');
    expect(result.stdout.split('\n').map((line) => line.split(/\s+/))).toEqual([
      ['START', 'OPEN', 'HIGH', 'LOW', 'CLOSE', 'VOLUME', 'TRADES'],
      ['2024-03-01T00:00:00Z', '100.00', '101.50', '99.75', '99.75', '6', '3'],
      ['2024-03-01T00:02:00Z', '102.25', '102.25', '102.25', '102.25', '4', '1'],
      [''],
    ]);
  });

  it('bars: stored 1-minute bars rolled up to 5 minutes, as JSON with their source', async () => {
    const result = await ttq('bars', '--symbol', 'SIM:WIDGET', '--interval', '5m', ...DAY, '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { source: unknown; intervalSeconds: number; bars: { startTime: string; open: string; high: string; low: string; close: string; volume: string; tradeCount: number }[] };
    expect(json.source).toEqual({ kind: 'rolled-up', sourceIntervalSeconds: 60 });
    expect(json.bars.map((b) => [b.startTime, b.open, b.high, b.low, b.close, b.volume, b.tradeCount])).toEqual([
      [DAY0.toString(), '10.0', '16.0', '9.0', '15.0', '500', 25],
      [(DAY0 + 5n * MINUTE).toString(), '15.0', '21.0', '14.0', '20.0', '500', 25],
    ]);
  });

  it('ticks: trades with nanosecond times, a limit that says there is more, and quotes', async () => {
    const trades = await ttq('ticks', '--symbol', 'SIM:ACME', ...DAY, '--limit', '3');
    expect(trades.code).toBe(0);
    expect(trades.stderr).toBe('showing the first 3 trades; narrow --from/--to or raise --limit for more\n');
    const lines = trades.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+KIND\s+PRICE\s+SIZE\s+SIDE\s+BID\s+BID SIZE\s+ASK\s+ASK SIZE\s+TRADE ID$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/))).toEqual([
      ['2024-03-01T00:00:05Z', 'trade', '100.00', '3', 'BUYER', 'a1'],
      ['2024-03-01T00:00:20.000000007Z', 'trade', '101.50', '2', 'BUYER', 'a2'],
      ['2024-03-01T00:00:20.000000007Z', 'trade', '99.75', '1', 'BUYER', 'a3'],
    ]);
    const quotes = await ttq('ticks', '--symbol', 'SIM:ACME', '--kind', 'quotes', ...DAY, '--json');
    expect(JSON.parse(quotes.stdout)).toEqual([
      expect.objectContaining({ kind: 'quote', eventTime: (DAY0 + SECOND).toString(), bidPrice: '99.99', askPrice: '100.01', askSize: '7' }),
    ]);
  });

  it('orders: current state by account and status; --events gives the audit trail of one order', async () => {
    const current = await ttq('orders', '--account', 'SIM001');
    expect(current.code).toBe(0);
    const rows = current.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^2024-03-01T00:01:02Z\s+SIM001\s+emaR1c1\s+3\s+ema\s+SIM:ACME\s+BUY\s+10\s+LIMIT\s+100.25\s+FILLED\s+10\s+100.25$/);
    expect(rows[2]).toMatch(/^2024-03-01T00:04:00Z\s+SIM001\s+emaR1c2\s+2\s+ema\s+SIM:ACME\s+SELL\s+10\s+LIMIT\s+100.25\s+CANCELED\s+0\s+canceled by strategy$/);

    const canceled = await ttq('orders', '--status', 'canceled', '--json');
    expect((JSON.parse(canceled.stdout) as { order: { spec: { clientOrderId: string } } }[]).map((r) => r.order.spec.clientOrderId)).toEqual(['emaR1c2']);
    const byStrategy = await ttq('orders', '--strategy', 'meanrev', '--json');
    expect((JSON.parse(byStrategy.stdout) as { order: { spec: { account: string } } }[]).map((r) => r.order.spec.account)).toEqual(['SIM002']);

    const trail = await ttq('orders', '--events', '--client-order-id', 'emaR1c1', '--json');
    expect((JSON.parse(trail.stdout) as { eventSequence: number; order: { status: string; filledQuantity: string } }[]).map((e) => [e.eventSequence, e.order.status, e.order.filledQuantity])).toEqual([
      [1, 'SUBMITTED', '0'],
      [2, 'PARTIALLY_FILLED', '4'],
      [3, 'FILLED', '10'],
    ]);
    const window = await ttq('orders', '--from', '2024-03-01T00:03:30Z', '--to', '2024-03-01T00:06:00Z', '--json');
    expect((JSON.parse(window.stdout) as { order: { spec: { clientOrderId: string } } }[]).map((r) => r.order.spec.clientOrderId)).toEqual(['emaR1c2', 'mrR1c1']);
  });

  it('fills: by account, order and time, in execution order', async () => {
    const table = await ttq('fills', '--account', 'SIM001');
    expect(table.code).toBe(0);
    expect(table.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/))).toEqual([
      ['2024-03-01T00:01:01Z', 'SIM001', 'x1', 'emaR1c1', 'ema', 'SIM:ACME', 'BUY', '4', '100.25', '0.05', 'USD', 'TAKER'],
      ['2024-03-01T00:01:02Z', 'SIM001', 'x2', 'emaR1c1', 'ema', 'SIM:ACME', 'BUY', '6', '100.25', '0.05', 'USD', 'TAKER'],
    ]);
    const late = await ttq('fills', '--from', '2024-03-01T00:01:02Z', '--json');
    expect((JSON.parse(late.stdout) as { execId: string }[]).map((f) => f.execId)).toEqual(['x2', 'y1']);
    expect((await ttq('fills', '--symbol', 'SIM:OTHER')).stdout).toBe('no fills\n');
  });

  it('positions: as of now, as of a time, and their history', async () => {
    const now = await ttq('positions', '--account', 'SIM001');
    expect(now.stdout.trimEnd().split('\n')[1]?.split(/\s+/)).toEqual(['2024-03-01T00:01:02Z', 'SIM001', 'SIM:ACME', '10', '100.2500', '-0.1000', '2.5000', 'USD']);
    const earlier = await ttq('positions', '--account', 'SIM001', '--at', '2024-03-01T00:01:02Z', '--json');
    expect(JSON.parse(earlier.stdout)).toEqual([{ time: (DAY0 + MINUTE + SECOND).toString(), value: expect.objectContaining({ quantity: '4' }) }]);
    const history = await ttq('positions', '--account', 'SIM001', '--history', ...DAY, '--json');
    expect((JSON.parse(history.stdout) as { value: { quantity: string } }[]).map((p) => p.value.quantity)).toEqual(['4', '10']);
  });

  it('account: the latest state with every currency, and its history', async () => {
    const latest = await ttq('account', '--account', 'SIM001');
    expect(latest.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/))).toEqual([
      ['2024-03-01T00:01:02Z', 'SIM001', 'SIM', 'EUR', '50.00', '50.00', '0', '50.00'],
      ['2024-03-01T00:01:02Z', 'SIM001', 'SIM', 'USD', '98997.40', '100000.00', '0', '98997.40'],
    ]);
    const history = await ttq('account', '--account', 'SIM001', '--history', ...DAY, '--json');
    expect((JSON.parse(history.stdout) as { value: { balances: { currency: string; cash: string }[] } }[]).map((s) => s.value.balances.map((b) => b.cash))).toEqual([
      ['50.00', '100000.00'],
      ['50.00', '98997.40'],
    ]);
    expect((await ttq('account', '--account', 'NOBODY')).stdout).toBe('no account state stored\n');
  });

  it('runs: newest first, filtered by strategy', async () => {
    const runs = await ttq('runs');
    expect(runs.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/))).toEqual([
      ['mrR1', 'meanrev', 'backtest', 'running', '2024-03-01T00:01:00Z', 'SIM002', 'se-2', 'abc1234'],
      ['emaR1', 'ema', 'paper', 'stopped', '2024-03-01T00:00:00Z', '2024-03-01T00:10:00Z', 'SIM001', 'se-1', 'abc1234'],
    ]);
    const ema = await ttq('runs', '--strategy', 'ema', '--json');
    expect(JSON.parse(ema.stdout)).toEqual([expect.objectContaining({ runId: 'emaR1', config: { fast: 5 }, stoppedAt: (DAY0 + 10n * MINUTE).toString() })]);
  });

  it('alerts: the audit log by severity and time', async () => {
    const all = await ttq('alerts', ...DAY);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+SEVERITY\s+SOURCE\s+CODE\s+MESSAGE\s+CONTEXT$/);
    expect(lines[1]).toMatch(/^2024-03-01T00:07:00Z\s+WARNING\s+gateway\s+risk\.denied\s+order denied: max notional\s+clientOrderId=emaR1c9$/);
    expect(lines[2]).toMatch(/^2024-03-01T00:08:00Z\s+CRITICAL\s+persistence\s+rows\.parked\s+rows parked$/);
    const critical = await ttq('alerts', '--severity', 'critical', ...DAY, '--json');
    expect(JSON.parse(critical.stdout)).toEqual([{ time: (DAY0 + 8n * MINUTE).toString(), value: { severity: 'CRITICAL', source: 'persistence', code: 'rows.parked', message: 'rows parked', context: {} } }]);
  });

  it('says what is wrong: a bad flag (exit 2), a database without the schema or none at all (exit 1), an unreachable one (exit 69)', async () => {
    const usage = await ttq('bars', '--symbol', 'ACME', '--interval', '1m');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('ttq: --symbol: expected VENUE:SYMBOL such as SIM:ACME or BINANCE:BTCUSDT, was "ACME"\n');

    const empty = withDatabase(SERVER_URL, `${database}_empty`);
    const unmigrated = await runTtq(['data', 'runs'], { cwd, env: { DATABASE_URL: empty } });
    expect(unmigrated.code).toBe(1);
    expect(unmigrated.stderr).toBe(`ttq: database ${empty} has no TTQuant schema: run ttq db migrate (or start persistence) first\n`);

    const nothing = await runTtq(['data', 'runs'], { cwd, env: { DATABASE_URL: '' } });
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toBe(`ttq: no DATABASE_URL and no embedded database in ${join(cwd, '.data/postgres')}: set DATABASE_URL, or run ttq db migrate or ttq sim here first\n`);

    const unreachable = await runTtq(['data', 'runs'], { cwd, env: { DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/none' } });
    expect(unreachable.code).toBe(69);
    expect(unreachable.stderr).toContain('ttq: database postgres://postgres:****@127.0.0.1:1/none:');
    expect(unreachable.stderr).not.toContain('secret');
  });
});
