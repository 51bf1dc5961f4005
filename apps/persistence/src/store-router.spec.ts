import { topics } from '@ttquant/bus';
import type { Heartbeat, Instrument, OrderEvent } from '@ttquant/domain';
import type { FillInstrument, TableRow } from '@ttquant/storage';
import { ROUTED_TABLES, StoreRouter, type DropReason, type RoutedTable, type RowSink, type TableSinks } from './store-router';
import {
  ACCOUNT,
  ACME,
  accountState,
  acmeInstrument,
  alert,
  BusMessages,
  d,
  DAY0,
  fill,
  orderEvent,
  position,
  quote,
  trade,
  venueStatus,
} from './testing/fixtures';

/** Records rows by table; `hold` makes writes wait until released, like a full writer. */
class RecordingSink<N extends RoutedTable> implements RowSink<N> {
  readonly rows: TableRow<N>[] = [];
  private held: (() => void)[] | undefined;

  write(row: TableRow<N>): Promise<void> {
    this.rows.push(row);
    if (this.held === undefined) return Promise.resolve();
    const held = this.held;
    return new Promise((resolve) => held.push(resolve));
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const resolve of held) resolve();
  }
}

type Recording = { [N in RoutedTable]: RecordingSink<N> };

function recordingSinks(): Recording {
  return Object.fromEntries(ROUTED_TABLES.map((table) => [table, new RecordingSink()])) as unknown as Recording;
}

describe('StoreRouter', () => {
  let sinks: Recording;
  let added: OrderEvent[];
  let seen: Instrument[];
  let known: FillInstrument | undefined;
  let dropped: { reason: DropReason; detail: string; topic: string }[];
  let heartbeats: Heartbeat[];
  let router: StoreRouter;
  const bus = new BusMessages({ service: 'gateway', instance: 'gw-1' }, 42n);

  beforeEach(() => {
    sinks = recordingSinks();
    added = [];
    seen = [];
    known = undefined;
    dropped = [];
    heartbeats = [];
    router = new StoreRouter({
      sinks: sinks as TableSinks,
      orders: { add: (event) => void added.push(event) },
      instruments: { seen: (instrument) => void seen.push(instrument), fillInstrument: () => known },
      onDropped: (reason, detail, message) => dropped.push({ reason, detail, topic: message.topic }),
      onHeartbeat: (beat) => heartbeats.push(beat),
    });
  });

  /** Stream columns are the last four of a bus row: source instance, epoch, topic, sequence. */
  const streamOf = (row: readonly unknown[] | undefined) => row?.slice(-4);

  it('stores quotes and trades of a tick stream with their stream position', async () => {
    const tickTopic = topics.tick(ACME.venue, ACME.symbol);
    await router.route(bus.of(tickTopic, { kind: 'quote', value: quote(1) }));
    await router.route(bus.of(tickTopic, { kind: 'trade', value: trade(2) }));
    expect(sinks.quote_ticks.rows).toHaveLength(1);
    expect(sinks.trade_ticks.rows).toHaveLength(1);
    expect(streamOf(sinks.quote_ticks.rows[0])).toEqual(['gw-1', 42n, tickTopic, 1n]);
    expect(streamOf(sinks.trade_ticks.rows[0])).toEqual(['gw-1', 42n, tickTopic, 2n]);
    // Event time and prices exactly as published.
    expect(sinks.quote_ticks.rows[0]?.[1]).toBe(quote(1).eventTime);
    expect(sinks.quote_ticks.rows[0]?.[6]).toEqual(d('101.10'));
    expect(router.counts).toEqual({ stored: 2, ignored: 0, dropped: 0 });
  });

  it('stores an order event, then hands it on for the current-orders table', async () => {
    sinks.order_events.hold();
    const event = orderEvent('ema1r1c1', 2, 'ACCEPTED');
    const routed = router.route(bus.of(topics.order(ACCOUNT), { kind: 'orderEvent', value: event }));
    // The writer is full: the bus loop waits, and the order is not yet handed on.
    await new Promise((resolve) => setImmediate(resolve));
    expect(added).toEqual([]);
    sinks.order_events.release();
    await routed;
    expect(added).toHaveLength(1);
    expect(added[0]?.order.spec.clientOrderId).toBe('ema1r1c1');
    expect(sinks.order_events.rows[0]?.slice(0, 3)).toEqual([ACCOUNT, 'ema1r1c1', 2n]);
  });

  it('stores the instrument currency and multiplier with a fill when the instrument is known', async () => {
    await router.route(bus.of(topics.fill(ACCOUNT), { kind: 'fill', value: fill('x1', 'c1') }));
    known = { currency: 'USD', multiplier: d('1') };
    await router.route(bus.of(topics.fill(ACCOUNT), { kind: 'fill', value: fill('x2', 'c1') }));
    expect(sinks.fills.rows.map((row) => row.slice(-2))).toEqual([
      [null, null],
      ['USD', d('1')],
    ]);
  });

  it('stores positions, account states (a row per currency), venue status and alerts at the envelope time', async () => {
    const at = DAY0 + 77n;
    await router.route(bus.of(topics.position(ACCOUNT), { kind: 'position', value: position }, at));
    await router.route(bus.of(topics.account(ACCOUNT), { kind: 'accountState', value: accountState }, at));
    await router.route(bus.of(topics.venueStatus('SIM'), { kind: 'venueStatus', value: venueStatus }, at));
    await router.route(bus.of(topics.alert(), { kind: 'alert', value: alert }, at));
    expect(sinks.positions.rows).toHaveLength(1);
    expect(sinks.account_snapshots.rows.map((row) => row[4])).toEqual(['USD', 'EUR']);
    expect(sinks.venue_status.rows).toHaveLength(1);
    expect(sinks.alerts.rows).toHaveLength(1);
    for (const row of [sinks.positions.rows[0], sinks.account_snapshots.rows[1], sinks.venue_status.rows[0], sinks.alerts.rows[0]]) {
      expect(row?.[0]).toBe(at);
    }
  });

  it('hands instrument definitions to the instrument registry', async () => {
    await router.route(bus.of(topics.instrument(ACME.venue, ACME.symbol), { kind: 'instrument', value: acmeInstrument() }));
    expect(seen.map((i) => i.id)).toEqual([ACME]);
  });

  it('counts and drops a payload the codecs refuse, and stores the next message', async () => {
    const tickTopic = topics.tick(ACME.venue, ACME.symbol);
    // A quote without prices: valid protobuf, refused by the quote codec.
    await router.route(bus.raw(tickTopic, { quote: { instrument: { venue: 'SIM', symbol: 'ACME' } } }));
    await router.route(bus.of(tickTopic, { kind: 'quote', value: quote(3) }));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ reason: 'payload', topic: tickTopic });
    expect(dropped[0]?.detail).toMatch(/quote\./);
    expect(sinks.quote_ticks.rows).toHaveLength(1);
    expect(router.counts).toEqual({ stored: 1, ignored: 0, dropped: 1 });
  });

  it('drops a message whose row cannot be built instead of stopping', async () => {
    router = new StoreRouter({
      sinks: sinks as TableSinks,
      orders: { add: () => undefined },
      instruments: {
        seen: () => {
          throw new Error('expected a known venue, was SIM');
        },
        fillInstrument: () => undefined,
      },
      onDropped: (reason, detail, message) => dropped.push({ reason, detail, topic: message.topic }),
    });
    await router.route(bus.of(topics.instrument(ACME.venue, ACME.symbol), { kind: 'instrument', value: acmeInstrument() }));
    expect(dropped.map((drop) => [drop.reason, drop.detail])).toEqual([['unstorable', 'expected a known venue, was SIM']]);
  });

  it('shows heartbeats to the caller and stores neither them nor book deltas', async () => {
    const beat: Heartbeat = { service: 'persistence', instance: 'p1', state: 'STARTING', uptimeMs: 5, info: {} };
    expect(router.route(bus.of(topics.status('persistence', 'p1'), { kind: 'heartbeat', value: beat }))).toBeUndefined();
    const delta = {
      kind: 'book-delta' as const,
      instrument: ACME,
      quality: 'SIMULATED' as const,
      eventTime: DAY0,
      initTime: DAY0,
      changes: [{ side: 'BID' as const, price: d('100.10'), size: d('0') }],
    };
    router.route(bus.of(topics.book(ACME.venue, ACME.symbol), { kind: 'bookDelta', value: delta }));
    expect(heartbeats).toEqual([beat]);
    expect(router.counts).toEqual({ stored: 0, ignored: 2, dropped: 0 });
    for (const table of ROUTED_TABLES) expect(sinks[table].rows).toEqual([]);
  });
});
