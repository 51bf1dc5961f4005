import { createSimAdapter, type SimAdapter } from '@ttquant/adapter-sim';
import {
  ClientOrderIdGenerator,
  Decimal,
  systemClock,
  type AccountState,
  type Alert,
  type Fill,
  type InstrumentId,
  type OrderEvent,
  type OrderSpec,
  type OrderStatus,
  type PositionSnapshot,
  type RiskDenial,
  type VenueStatus,
} from '@ttquant/domain';
import { createPreTradeRisk } from '@ttquant/risk';
import { ExecutionEngine } from './execution-engine';
import type { ExecutionSink } from './execution-sink';

const d = Decimal.parse;
const ACME: InstrumentId = { venue: 'SIM', symbol: 'ACME' };
const ACCOUNT = 'SIM001';

/** Collects what the engine publishes, and lets a test wait for an order state. */
class RecordingSink implements ExecutionSink {
  readonly events: { event: OrderEvent; durable: boolean }[] = [];
  readonly fills: Fill[] = [];
  readonly positions: PositionSnapshot[] = [];
  readonly denials: RiskDenial[] = [];
  readonly alerts: Alert[] = [];
  readonly statuses: VenueStatus[] = [];
  readonly accounts: AccountState[] = [];
  private waiters: (() => void)[] = [];

  orderEvent(event: OrderEvent, durable: boolean): void {
    this.events.push({ event, durable });
    this.notify();
  }
  fill(fill: Fill): void {
    this.fills.push(fill);
  }
  position(position: PositionSnapshot): void {
    this.positions.push(position);
  }
  account(state: AccountState): void {
    this.accounts.push(state);
  }
  denial(denial: RiskDenial): void {
    this.denials.push(denial);
    this.notify();
  }
  alert(alert: Alert): void {
    this.alerts.push(alert);
  }
  venueStatus(status: VenueStatus): void {
    this.statuses.push(status);
  }
  /** Durable once the test says so: routing must wait for it. */
  persisted(): Promise<void> {
    return this.diskGate;
  }
  diskGate: Promise<void> = Promise.resolve();

  statusesOf(clientOrderId: string): OrderStatus[] {
    return this.events.filter((e) => e.event.order.spec.clientOrderId === clientOrderId).map((e) => e.event.order.status);
  }

  async waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the engine');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ids = new ClientOrderIdGenerator('exec', Date.now());

function spec(overrides: Partial<OrderSpec> = {}): OrderSpec {
  return {
    clientOrderId: ids.next(),
    account: ACCOUNT,
    instrument: ACME,
    side: 'BUY',
    type: 'MARKET',
    quantity: d('10'),
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'exec',
    tags: {},
    ...overrides,
  };
}

function buildEngine(sim: SimAdapter, sink: RecordingSink): ExecutionEngine {
  return new ExecutionEngine({
    account: ACCOUNT,
    client: sim.execution,
    risk: createPreTradeRisk({ maxOrderQuantity: d('1000'), maxPosition: d('500'), priceBandBps: 500 }),
    instrument: (id) => sim.instruments.find(id.symbol),
    sink,
    clock: systemClock,
    logger,
    source: 'gateway/test',
  });
}

describe('ExecutionEngine against the sim venue', () => {
  let sim: SimAdapter;
  let sink: RecordingSink;
  let engine: ExecutionEngine;

  beforeEach(async () => {
    sim = createSimAdapter({ market: { source: 'external' } });
    sim.simulator.setMarket(ACME, { bid: d('99.99'), bidSize: d('500'), ask: d('100.01'), askSize: d('500') });
    sink = new RecordingSink();
    engine = buildEngine(sim, sink);
    await engine.start();
    engine.onQuote({
      kind: 'quote',
      instrument: ACME,
      bidPrice: d('99.99'),
      bidSize: d('500'),
      askPrice: d('100.01'),
      askSize: d('500'),
      quality: 'SIMULATED',
      eventTime: 0n,
      initTime: 0n,
    });
  });

  afterEach(async () => {
    await engine.stop();
    sim.simulator.dispose();
  });

  it('journals the order durably before routing, then tracks it to FILLED with a fill and a position', async () => {
    const order = spec();
    await engine.submit(order);
    await sink.waitFor(() => sink.statusesOf(order.clientOrderId).includes('FILLED'));
    const first = sink.events.find((e) => e.event.order.spec.clientOrderId === order.clientOrderId);
    expect(first?.event.order.status).toBe('SUBMITTED');
    expect(first?.durable).toBe(true);
    expect(sink.fills.map((f) => f.quantity.toString())).toEqual(['10']);
    expect(sink.positions.at(-1)?.quantity.toString()).toBe('10');
    expect(sim.simulator.receivedCount(order.clientOrderId)).toBe(1);
    expect(sink.accounts.length).toBeGreaterThan(0); // from reconciliation at connect
  });

  it('routes an accepted order only once its SUBMITTED event is on disk', async () => {
    let release!: () => void;
    sink.diskGate = new Promise<void>((resolve) => (release = resolve));
    const order = spec();
    await engine.submit(order);
    expect(sink.statusesOf(order.clientOrderId)).toEqual(['SUBMITTED']);
    expect(sim.simulator.receivedCount(order.clientOrderId)).toBe(0);
    release();
    await sink.waitFor(() => sink.statusesOf(order.clientOrderId).includes('FILLED'));
    expect(sim.simulator.receivedCount(order.clientOrderId)).toBe(1);
  });

  it('never routes an order whose event could not be made durable, and halts trading', async () => {
    sink.diskGate = Promise.reject(new Error('disk full'));
    sink.diskGate.catch(() => undefined);
    const order = spec();
    await engine.submit(order);
    await engine.drain();
    expect(sim.simulator.receivedCount(order.clientOrderId)).toBe(0);
    expect(sink.statusesOf(order.clientOrderId)).toEqual(['SUBMITTED', 'CANCELED']);
    expect(sink.alerts.at(-1)?.code).toBe('journal-failed');
    sink.diskGate = Promise.resolve();
    const next = spec();
    await engine.submit(next);
    expect(sink.events.at(-1)?.event.reason).toMatch(/^trading-state: account SIM001 is HALTED/);
  });

  it('answers a repeated client order id with the current state and never sends it twice', async () => {
    const order = spec();
    await engine.submit(order);
    await sink.waitFor(() => sink.statusesOf(order.clientOrderId).includes('FILLED'));
    const before = sink.events.length;
    await engine.submit(order);
    expect(sim.simulator.receivedCount(order.clientOrderId)).toBe(1);
    expect(engine.stats.duplicateCommands).toBe(1);
    expect(sink.events[before]?.event.order.status).toBe('FILLED');
  });

  it('still refuses the repeat after a restart rebuilt from its journal', async () => {
    const order = spec();
    await engine.submit(order);
    await sink.waitFor(() => sink.statusesOf(order.clientOrderId).includes('FILLED'));
    await engine.stop();

    const restartedSink = new RecordingSink();
    const restarted = buildEngine(sim, restartedSink);
    restarted.restore({ orderEvents: sink.events.map((e) => e.event), fills: sink.fills });
    await restarted.start();
    await restarted.submit(order);
    expect(sim.simulator.receivedCount(order.clientOrderId)).toBe(1);
    expect(restartedSink.statusesOf(order.clientOrderId)).toEqual(['FILLED']);
    expect(restarted.positionSnapshots()[0]?.quantity.toString()).toBe('10');
    engine = restarted; // afterEach stops it
  });

  it('denies what risk refuses, with the check and reason, and sends nothing', async () => {
    const fat = spec({ type: 'LIMIT', limitPrice: d('150.00') });
    await engine.submit(fat);
    expect(sink.statusesOf(fat.clientOrderId)).toEqual(['DENIED']);
    expect(sink.events.at(-1)?.event.reason).toMatch(/^price-band: price 150\.00 is \d+ bps from the mid/);
    expect(sink.denials.at(-1)).toMatchObject({ clientOrderId: fat.clientOrderId, check: 'price-band' });
    expect(sink.alerts.at(-1)?.code).toBe('order-denied');
    expect(sim.simulator.receivedCount(fat.clientOrderId)).toBe(0);
  });

  it('denies an invalid order with the field at fault, and a repeat gets the same answer', async () => {
    const postOnlyMarket = spec({ postOnly: true });
    await engine.submit(postOnlyMarket);
    await engine.submit(postOnlyMarket);
    expect(sink.statusesOf(postOnlyMarket.clientOrderId)).toEqual(['DENIED', 'DENIED']);
    expect(sink.events.at(-1)?.event.reason).toMatch(/^validation: postOnly/);
    expect(sim.simulator.receivedCount(postOnlyMarket.clientOrderId)).toBe(0);
  });

  it('keeps an order in flight across a disconnect and settles it by reconciliation, sent once', async () => {
    const order = spec();
    expect(engine.stats.reconciliations).toBe(1); // once at start
    sim.simulator.dropConnectionOnNextOrder();
    await engine.submit(order);
    await engine.drain();
    expect(sink.statusesOf(order.clientOrderId)).toEqual(['SUBMITTED']);
    sim.simulator.restoreConnection();
    await sink.waitFor(() => sink.statusesOf(order.clientOrderId).includes('FILLED'));
    expect(engine.stats.reconciliations).toBe(2);
    expect(sink.fills.filter((f) => f.clientOrderId === order.clientOrderId)).toHaveLength(1);
    expect(sim.simulator.receivedCount(order.clientOrderId)).toBe(1);
    expect(sink.events.some((e) => e.event.order.status === 'REJECTED')).toBe(false);
  });

  it('cancels a resting limit through PENDING_CANCEL', async () => {
    const resting = spec({ type: 'LIMIT', limitPrice: d('99.00'), timeInForce: 'GTC' });
    await engine.submit(resting);
    await sink.waitFor(() => sink.statusesOf(resting.clientOrderId).includes('ACCEPTED'));
    await engine.cancel({ clientOrderId: resting.clientOrderId, account: ACCOUNT });
    await sink.waitFor(() => sink.statusesOf(resting.clientOrderId).includes('CANCELED'));
    expect(sink.statusesOf(resting.clientOrderId)).toEqual(['SUBMITTED', 'ACCEPTED', 'PENDING_CANCEL', 'CANCELED']);
  });

  it('checks an amendment against the limit with its new quantity in place of its old leaves', async () => {
    const resting = spec({ type: 'LIMIT', limitPrice: d('99.00'), timeInForce: 'GTC', quantity: d('300') });
    await engine.submit(resting);
    await sink.waitFor(() => sink.statusesOf(resting.clientOrderId).includes('ACCEPTED'));
    // 350 in place of 300 stays within ±500; counted on top of its own leaves it would be 650.
    await engine.modify({ clientOrderId: resting.clientOrderId, account: ACCOUNT, quantity: d('350') });
    await sink.waitFor(() => sink.statusesOf(resting.clientOrderId).filter((s) => s === 'ACCEPTED').length === 2);
    // A new buy is counted with the working one: 350 + 200 = 550.
    const another = spec({ type: 'LIMIT', limitPrice: d('99.00'), timeInForce: 'GTC', quantity: d('200') });
    await engine.submit(another);
    await sink.waitFor(() => sink.statusesOf(another.clientOrderId).includes('DENIED'));
    const denied = sink.events.find((e) => e.event.order.spec.clientOrderId === another.clientOrderId)?.event;
    expect(denied?.reason).toBe('position-limit: position would reach 550, beyond the limit of ±500 for SIM:ACME');
  });

  it('cancels an order that was still waiting for its disk flush only after it reached the venue', async () => {
    let release!: () => void;
    sink.diskGate = new Promise<void>((resolve) => (release = resolve));
    const resting = spec({ type: 'LIMIT', limitPrice: d('99.00'), timeInForce: 'GTC' });
    await engine.submit(resting);
    const cancelled = engine.cancelAll({ account: ACCOUNT });
    expect(sim.simulator.receivedCount(resting.clientOrderId)).toBe(0);
    release();
    await cancelled;
    await sink.waitFor(() => sink.statusesOf(resting.clientOrderId).includes('CANCELED'));
    expect(sim.simulator.receivedCount(resting.clientOrderId)).toBe(1);
  });

  it('refuses to cancel an order it does not know', async () => {
    await engine.cancel({ clientOrderId: 'nope123', account: ACCOUNT });
    expect(sink.alerts.at(-1)).toMatchObject({ code: 'unknown-order', context: { clientOrderId: 'nope123' } });
    expect(sink.alerts.at(-1)?.message).toBe('cancel refused: unknown order nope123 for account SIM001');
  });
});
