import { EnvelopeStamper, Publisher, Subscriber, topics, type BusMessage } from '@ttquant/bus';
import type { Heartbeat } from '@ttquant/domain';
import { encodePayload } from '@ttquant/protocol';
import { decodeInbound } from '@ttquant/service-bus';
import { allocateEndpoints, ServiceProcess, stackEnv, waitFor, type StackEndpoints } from '@ttquant/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import * as zmq from 'zeromq';
import {
  ACCOUNT,
  ACME,
  accountState,
  acmeInstrument,
  alert,
  DAY0,
  fill,
  orderEvent,
  position,
  quote,
  trade,
  venueStatus,
} from '../src/testing/fixtures';

const ADMIN_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const INSTANCE = 'persistence-e2e';
/** The gateway and market data the test plays: one source, one fixed epoch, so a second run is a replay. */
const SOURCE = { service: 'gateway', instance: 'e2e-gw' };
const EPOCH = 1_709_251_200_000_000_001n;
const TICK = topics.tick(ACME.venue, ACME.symbol);
const INSTRUMENT = topics.instrument(ACME.venue, ACME.symbol);

/** Rows one scenario stores, by table. */
const EXPECTED = {
  quote_ticks: 500,
  trade_ticks: 100,
  order_events: 8,
  orders: 3,
  fills: 3,
  positions: 1,
  account_snapshots: 2,
  venue_status: 1,
  // The scenario's alert, and persistence's own storage.rows-parked alert for the quote the codec refuses (parked once).
  alerts: 2,
} as const;
const ROWS_WRITTEN = Object.entries(EXPECTED)
  .filter(([table]) => table !== 'orders')
  .reduce((sum, [, rows]) => sum + rows, 0);

/**
 * Publishes the same messages in the same order on every call: an undecodable
 * quote first, then ticks, order events, fills, a position, an account state,
 * a venue status, and an alert last (one connection keeps the order, so once
 * the alert has arrived everything has).
 */
function publishScenario(pub: Publisher): void {
  // Valid protobuf the quote codec refuses: no prices.
  pub.publish(TICK, { quote: { instrument: { venue: ACME.venue, symbol: ACME.symbol } } });
  for (let i = 0; i < EXPECTED.quote_ticks; i++) {
    const q = quote(i);
    pub.publish(TICK, encodePayload({ kind: 'quote', value: q }), { eventTimeNs: q.eventTime, initTimeNs: q.initTime });
    if (i % 5 === 0) {
      const t = trade(i);
      pub.publish(TICK, encodePayload({ kind: 'trade', value: t }), { eventTimeNs: t.eventTime, initTimeNs: t.initTime });
    }
  }
  const events = [
    orderEvent('e2eo1', 1, 'SUBMITTED'),
    orderEvent('e2eo2', 1, 'SUBMITTED'),
    orderEvent('e2eo3', 1, 'SUBMITTED'),
    orderEvent('e2eo1', 2, 'ACCEPTED'),
    orderEvent('e2eo2', 2, 'ACCEPTED'),
    orderEvent('e2eo3', 2, 'REJECTED'),
    orderEvent('e2eo1', 3, 'FILLED', '10'),
    orderEvent('e2eo2', 3, 'PARTIALLY_FILLED', '4'),
  ];
  for (const event of events) pub.publish(topics.order(ACCOUNT), encodePayload({ kind: 'orderEvent', value: event }));
  for (const f of [fill('x1', 'e2eo1', '6'), fill('x2', 'e2eo1', '4'), fill('x3', 'e2eo2', '4')]) {
    pub.publish(topics.fill(ACCOUNT), encodePayload({ kind: 'fill', value: f }), { eventTimeNs: f.eventTime });
  }
  // Snapshots are keyed by stream position and time: fixed times, as a replay from a journal would carry.
  const at = { eventTimeNs: DAY0 + 9_000n };
  pub.publish(topics.position(ACCOUNT), encodePayload({ kind: 'position', value: position }), at);
  pub.publish(topics.account(ACCOUNT), encodePayload({ kind: 'accountState', value: accountState }), at);
  pub.publish(topics.venueStatus(ACME.venue), encodePayload({ kind: 'venueStatus', value: venueStatus }), at);
  pub.publish(topics.alert(), encodePayload({ kind: 'alert', value: alert }), at);
}

/** Sum of a metric's samples whose labels include `labels`. */
async function metric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample || sample[1] !== name) continue;
    const found = Object.fromEntries([...(sample[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(sample[3]);
  }
  return sum;
}

/** What the test sees on the bus: who published instruments, and persistence's heartbeats. */
class Watcher {
  readonly heartbeats: Heartbeat[] = [];
  readonly instrumentSources = new Set<string>();
  private readonly subscriber = new Subscriber();
  private readonly loop: Promise<void>;

  constructor(xpub: string) {
    this.subscriber.connect(xpub);
    this.subscriber.subscribe(INSTRUMENT);
    this.subscriber.subscribe(topics.status('persistence', INSTANCE));
    this.loop = this.subscriber.consume((message: BusMessage) => {
      const inbound = decodeInbound(message);
      if (!inbound.ok) return;
      if (inbound.message.kind === 'heartbeat') this.heartbeats.push(inbound.message.value);
      if (inbound.message.kind === 'instrument') this.instrumentSources.add(message.source.instance);
    });
  }

  async close(): Promise<void> {
    this.subscriber.close();
    await this.loop;
  }
}

describe('persistence process', () => {
  const database = `ttq_persistence_e2e_${randomBytes(4).toString('hex')}`;
  let dir: string;
  let endpoints: StackEndpoints;
  let env: Record<string, string>;
  let hub: ServiceProcess;
  let persistence: ServiceProcess | undefined;
  let watcher: Watcher;
  let db: Client;

  const startPersistence = () =>
    ServiceProcess.start({
      app: 'persistence',
      cwd: dir,
      httpPort: endpoints.httpPorts.persistence,
      env: {
        ...env,
        DATABASE_URL: `${ADMIN_URL.replace(/\/[^/]*$/, '')}/${database}`,
        TTQ_SERVICE_INSTANCE: INSTANCE,
        // Nothing is written before shutdown unless shutdown writes it.
        TTQ_PERSISTENCE_FLUSH_INTERVAL: '60s',
        TTQ_PERSISTENCE_BATCH_ROWS: '100000',
        // No journal serves these streams here: missed messages are not fetched again.
        TTQ_PERSISTENCE_REPLAY_MARKET_DATA: '',
        TTQ_PERSISTENCE_REPLAY_GATEWAY: '',
      },
    });

  /** A publisher whose connection carries every subscription of the hub: its instruments reach the watcher. */
  async function connectedPublisher(): Promise<Publisher> {
    const pub = new Publisher({ source: SOURCE, epoch: EPOCH });
    pub.connect(endpoints.xsub);
    watcher.instrumentSources.clear();
    await waitFor(
      () => {
        pub.publish(INSTRUMENT, encodePayload({ kind: 'instrument', value: acmeInstrument() }));
        return watcher.instrumentSources.has(SOURCE.instance);
      },
      'the test publisher to be connected',
      10_000,
    );
    return pub;
  }

  async function count(table: string): Promise<number> {
    return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
  }

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of Object.keys(EXPECTED)) result[table] = await count(table);
    return result;
  }

  /** Stops persistence and returns its exit and how long it took. */
  async function stopPersistence() {
    const started = Date.now();
    const exit = await (persistence as ServiceProcess).stop('SIGTERM', 15_000);
    return { exit, ms: Date.now() - started };
  }

  beforeAll(async () => {
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    dir = mkdtempSync(join(tmpdir(), 'ttq-persistence-e2e-'));
    endpoints = await allocateEndpoints();
    env = stackEnv(endpoints);
    hub = await ServiceProcess.start({ app: 'hub', cwd: dir, httpPort: endpoints.httpPorts.hub, env });
    watcher = new Watcher(endpoints.xpub);
  }, 30_000);

  afterAll(async () => {
    await persistence?.stop('SIGKILL');
    await watcher?.close();
    await hub?.stop();
    await db?.end();
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('stores every message once, drops garbage without stopping, and writes everything on SIGTERM', async () => {
    persistence = await startPersistence();
    db = new Client({ connectionString: `${ADMIN_URL.replace(/\/[^/]*$/, '')}/${database}` });
    await db.connect();
    const port = endpoints.httpPorts.persistence;

    // A garbage frame from a raw socket, once that socket provably reaches subscribers.
    const raw = new zmq.Publisher();
    raw.connect(endpoints.xsub);
    const rawStamper = new EnvelopeStamper({ source: { service: 'raw', instance: 'raw-probe' } });
    const rawStream = rawStamper.stream(INSTRUMENT);
    await waitFor(
      async () => {
        const envelope = rawStamper.encodeMessage(++rawStream.sequence, encodePayload({ kind: 'instrument', value: acmeInstrument() }), undefined);
        await raw.send([rawStream.topicFrame, Buffer.from(envelope)]);
        return watcher.instrumentSources.has('raw-probe');
      },
      'the raw socket to be connected',
      10_000,
    );
    await raw.send([TICK, Buffer.from('not a protobuf envelope')]);
    await waitFor(async () => (await metric(port, 'ttq_persistence_malformed_total', { reason: 'undecodable' })) === 1, 'the garbage frame to be counted');
    raw.close();

    const pub = await connectedPublisher();
    publishScenario(pub);
    await waitFor(
      async () => (await metric(port, 'ttq_bus_messages_received_total', { socket: 'persistence-in', topic_family: 'sys.alert' })) >= 1,
      'the last message to reach persistence',
    );
    expect(await metric(port, 'ttq_persistence_malformed_total')).toBe(2);
    expect(await metric(port, 'ttq_persistence_malformed_total', { reason: 'payload' })).toBe(1);
    // Batches wait for 100 000 rows or 60 s: the ticks are still in memory.
    expect(await count('quote_ticks')).toBe(0);

    const { exit } = await stopPersistence();
    await pub.close();
    expect(exit).toEqual({ code: 0, signal: null });

    expect(await counts()).toEqual(EXPECTED);
    const orders = await db.query<{ client_order_id: string; status: string; filled_quantity: string; event_sequence: string }>(
      'SELECT client_order_id, status, filled_quantity, event_sequence FROM orders ORDER BY client_order_id',
    );
    expect(orders.rows).toEqual([
      { client_order_id: 'e2eo1', status: 'FILLED', filled_quantity: '10', event_sequence: '3' },
      { client_order_id: 'e2eo2', status: 'PARTIALLY_FILLED', filled_quantity: '4', event_sequence: '3' },
      { client_order_id: 'e2eo3', status: 'REJECTED', filled_quantity: '0', event_sequence: '2' },
    ]);
    // The instrument arrived before the fills: each fill carries its currency and multiplier.
    const fills = await db.query<{ currency: string; multiplier: string }>('SELECT DISTINCT currency, multiplier FROM fills');
    expect(fills.rows).toEqual([{ currency: 'USD', multiplier: '1' }]);
    expect(await count('instruments')).toBe(1);
    // The quote the codec refused, kept whole.
    const parked = await db.query<{ table_name: string; reason: string }>('SELECT table_name, reason FROM ttq_parked_rows');
    expect(parked.rows).toEqual([{ table_name: 'bus_messages', reason: expect.stringMatching(/^payload: /) }]);

    // The last heartbeat says STOPPED, with the final counts.
    await waitFor(() => watcher.heartbeats.at(-1)?.state === 'STOPPED', 'the STOPPED heartbeat');
    expect(watcher.heartbeats.at(-1)?.info).toEqual({
      rowsWritten: String(ROWS_WRITTEN),
      gaps: '0',
      replayRequests: '0',
      replayRecovered: '0',
      parked: '0',
      // Stopped: its shard locks are released.
      shards: '',
    });
  }, 60_000);

  it('stores nothing twice when the same streams are replayed to a restarted persistence', async () => {
    const beatsBefore = watcher.heartbeats.length;
    persistence = await startPersistence();
    const port = endpoints.httpPorts.persistence;
    const pub = await connectedPublisher();
    publishScenario(pub);
    await waitFor(
      async () => (await metric(port, 'ttq_bus_messages_received_total', { socket: 'persistence-in', topic_family: 'sys.alert' })) >= 1,
      'the replayed messages to reach persistence',
    );
    const { exit } = await stopPersistence();
    await pub.close();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await counts()).toEqual(EXPECTED);
    expect(await count('ttq_parked_rows')).toBe(1); // the refused quote, replayed, is not kept twice
    const beats = () => watcher.heartbeats.slice(beatsBefore);
    await waitFor(() => beats().at(-1)?.state === 'STOPPED', 'the STOPPED heartbeat');
    expect(beats().at(-1)?.info['rowsWritten']).toBe('0');
  }, 60_000);
});
