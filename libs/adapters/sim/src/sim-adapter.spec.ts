import { join } from 'node:path';
import { Decimal, type MarketData, type OrderSpec, type QuoteTick } from '@ttquant/domain';
import { DisconnectedError, NotSupportedError, VenueAdapterRegistry, type ExecutionReport } from '@ttquant/gateway-api';
import { ManualScheduler } from './scheduler';
import { createSimAdapter, simAdapterFactory, type SimAdapter } from './sim-adapter';

const START = 1_709_303_400_000_000_000n;

function acmeWith(tickSize: string, replayFile: string): Record<string, string> {
  return { symbol: 'ACME', assetClass: 'EQUITY', currency: 'USD', tickSize, lotSize: '1', initialPrice: '100', replayFile };
}
const adapters: SimAdapter[] = [];

function build(config: Record<string, unknown>): { sim: SimAdapter; scheduler: ManualScheduler } {
  const scheduler = new ManualScheduler(START);
  const sim = createSimAdapter(config, { clock: scheduler }, { scheduler });
  adapters.push(sim);
  return { sim, scheduler };
}

afterEach(async () => {
  for (const sim of adapters.splice(0)) await sim.dispose();
});

function marketBuy(sim: SimAdapter, quantity: string): OrderSpec {
  return {
    clientOrderId: `B${Math.random().toString(36).slice(2, 10)}`,
    account: sim.execution.account,
    instrument: { venue: 'SIM', symbol: 'ACME' },
    side: 'BUY',
    type: 'MARKET',
    quantity: Decimal.parse(quantity),
    timeInForce: 'GTC',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'test',
    tags: {},
  };
}

describe('createSimAdapter: random-walk market', () => {
  async function quotes(seed: number): Promise<string[]> {
    const { sim, scheduler } = build({ seed, market: { ticksPerSecond: 10 } });
    const seen: MarketData[] = [];
    sim.data.onData((item) => seen.push(item));
    await sim.data.connect();
    await sim.data.subscribe({ kind: 'quotes', instrument: { venue: 'SIM', symbol: 'ACME' } });
    scheduler.advanceBy(1_000);
    return seen.map((q) => (q.kind === 'quote' ? `${q.eventTime} ${q.bidPrice.toString()}/${q.askPrice.toString()} ${q.quality}` : q.kind));
  }

  it('publishes a seeded walk at the configured rate: the same seed gives the same market', async () => {
    const first = await quotes(11);
    // The current quote on subscribe, then ten steps in one virtual second.
    expect(first).toHaveLength(11);
    expect(first.every((line) => line.endsWith('SIMULATED'))).toBe(true);
    expect(first[10].startsWith(`${START + 1_000_000_000n} `)).toBe(true);
    expect(await quotes(11)).toEqual(first);
    expect(await quotes(12)).not.toEqual(first);
  });

  it('delivers trades only to trade subscribers and nothing after unsubscribing', async () => {
    const { sim, scheduler } = build({ market: { ticksPerSecond: 100, tradeProbability: 1 } });
    const seen: MarketData[] = [];
    sim.data.onData((item) => seen.push(item));
    await sim.data.connect();
    const trades = { kind: 'trades', instrument: { venue: 'SIM', symbol: 'BTC-USD' } } as const;
    await sim.data.subscribe(trades);
    scheduler.advanceBy(100);
    expect(seen.length).toBe(10);
    expect(seen.every((item) => item.kind === 'trade' && item.instrument.symbol === 'BTC-USD')).toBe(true);
    await sim.data.unsubscribe(trades);
    scheduler.advanceBy(100);
    expect(seen.length).toBe(10);
  });

  it('fills resting orders as the walk moves through them', async () => {
    const { sim, scheduler } = build({ seed: 3, market: { ticksPerSecond: 50, volatilityTicks: 5 } });
    const reports: ExecutionReport[] = [];
    sim.execution.onReport((r) => reports.push(r));
    await sim.data.connect();
    await sim.execution.connect();
    const quote = sim.simulator.quote({ venue: 'SIM', symbol: 'ACME' }) as QuoteTick;
    const limit = quote.bidPrice.sub(Decimal.parse('0.05'));
    const order = { ...marketBuy(sim, '1'), type: 'LIMIT' as const, limitPrice: limit };
    await sim.execution.submit(order);
    for (let i = 0; i < 600 && sim.simulator.orderStatus(sim.execution.account, order.clientOrderId)?.status !== 'FILLED'; i++) {
      scheduler.advanceBy(20);
    }
    expect(sim.simulator.orderStatus(sim.execution.account, order.clientOrderId)?.status).toBe('FILLED');
    const fill = reports.find((r) => r.kind === 'fill');
    expect(fill?.kind === 'fill' && fill.fill.price.lte(limit)).toBe(true);
  });
});

describe('createSimAdapter: replay', () => {
  it('replays a CSV file at its recorded pace, stamping quotes with the emission time', async () => {
    const replayFile = join(__dirname, '..', 'test-data', 'acme-quotes.csv');
    const { sim, scheduler } = build({
      instruments: [acmeWith('0.01', replayFile)],
      market: { replaySpeed: 2 },
    });
    const seen: QuoteTick[] = [];
    sim.data.onData((item) => item.kind === 'quote' && seen.push(item));
    await sim.data.subscribe({ kind: 'quotes', instrument: { venue: 'SIM', symbol: 'ACME' } });
    await sim.data.connect();
    // The file spans 1.5 s; at twice the pace that is 750 virtual ms.
    scheduler.advanceBy(749);
    expect(seen.map((q) => q.bidPrice.toString())).toEqual(['100.01', '100.02', '100.02', '99.98']);
    scheduler.advanceBy(1);
    expect(seen.map((q) => q.bidPrice.toString())).toEqual(['100.01', '100.02', '100.02', '99.98', '99.97']);
    expect(seen.map((q) => q.eventTime - START)).toEqual([0n, 125_000_000n, 250_000_000n, 500_000_000n, 750_000_000n]);
    scheduler.advanceBy(10_000);
    expect(seen).toHaveLength(5);
  });

  it('fails at start-up naming a replay file that breaks the format', () => {
    const replayFile = join(__dirname, '..', 'test-data', 'acme-trades.csv');
    expect(() =>
      build({
        instruments: [acmeWith('0.05', replayFile)],
      }),
    ).toThrow(`${replayFile}: line 3: price price 100.03 is not a multiple of tick size 0.05`);
  });
});

describe('SimExecutionClient', () => {
  it('delays every report by the configured latency, keeping their order', async () => {
    const { sim, scheduler } = build({ market: { source: 'external' }, execution: { latencyMs: 50 } });
    const reports: string[] = [];
    sim.execution.onReport((r) => reports.push(r.kind === 'order' ? r.status : r.kind));
    await sim.execution.connect();
    sim.simulator.setMarket({ venue: 'SIM', symbol: 'ACME' }, {
      bid: Decimal.parse('99.99'),
      bidSize: Decimal.of(100),
      ask: Decimal.parse('100.01'),
      askSize: Decimal.of(100),
    });
    const before = reports.length;
    await sim.execution.submit(marketBuy(sim, '5'));
    scheduler.advanceBy(49);
    expect(reports.length).toBe(before);
    scheduler.advanceBy(1);
    expect(reports.slice(before)).toEqual(['ACCEPTED', 'fill', 'FILLED', 'position', 'account']);
  });

  it('reports the link going down and up, refusing requests in between', async () => {
    const { sim } = build({ market: { source: 'external' } });
    const states: string[] = [];
    sim.execution.onReport((r) => r.kind === 'status' && states.push(r.status.state));
    await sim.execution.connect();
    sim.simulator.dropConnection();
    await expect(sim.execution.openOrders()).rejects.toBeInstanceOf(DisconnectedError);
    await expect(sim.execution.submit(marketBuy(sim, '1'))).rejects.toBeInstanceOf(DisconnectedError);
    sim.simulator.restoreConnection();
    await expect(sim.execution.openOrders()).resolves.toEqual([]);
    await sim.execution.disconnect();
    sim.simulator.dropConnection();
    sim.simulator.restoreConnection();
    expect(states).toEqual(['CONNECTED', 'RECONNECTING', 'CONNECTED', 'DISCONNECTED']);
  });

  it('refuses bracket orders as not supported before they reach the venue', async () => {
    const { sim } = build({ market: { source: 'external' } });
    await sim.execution.connect();
    const child = { ...marketBuy(sim, '1'), parentClientOrderId: 'PARENT1' };
    await expect(sim.execution.submit(child)).rejects.toBeInstanceOf(NotSupportedError);
    expect(sim.simulator.receivedCount(child.clientOrderId)).toBe(0);
  });
});

describe('simAdapterFactory', () => {
  it('builds the sim adapter by kind from raw config through a registry', async () => {
    const registry = new VenueAdapterRegistry().register(simAdapterFactory);
    const scheduler = new ManualScheduler(START);
    const adapter = registry.createVenueAdapter('sim', { venue: 'PAPER', market: { source: 'external' } }, { clock: scheduler });
    expect(adapter.kind).toBe('sim');
    expect(adapter.venue).toBe('PAPER');
    expect(adapter.instruments.all().map((i) => i.id.venue)).toEqual(['PAPER', 'PAPER']);
    expect(adapter.execution?.account).toBe('SIM001');
    await adapter.dispose();
  });
});
