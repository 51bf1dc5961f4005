import { Pusher, Requester, Subscriber, topics, type BusMessage } from '@ttquant/bus';
import { ClientOrderIdGenerator, Decimal, type OrderEvent, type OrderSpec, type RiskDenial } from '@ttquant/domain';
import { bigIntToInt64, decodePayloadAt, encodePayload, wire } from '@ttquant/protocol';
import { decodeInbound } from '@ttquant/service-bus';
import { allocateEndpoints, ServiceProcess, stackEnv, waitFor, type StackEndpoints } from '@ttquant/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zmq from 'zeromq';

const ACCOUNT = 'SIM001';
const ids = new ClientOrderIdGenerator('e2e', Date.now());

/** Everything the gateway publishes for the account, decoded. */
class Observer {
  readonly events: OrderEvent[] = [];
  readonly denials: RiskDenial[] = [];
  private readonly subscriber: Subscriber;
  private readonly loop: Promise<void>;

  constructor(xpub: string) {
    this.subscriber = new Subscriber();
    this.subscriber.connect(xpub);
    this.subscriber.subscribe(topics.order(ACCOUNT));
    this.subscriber.subscribe(topics.riskDenial(ACCOUNT));
    this.loop = this.subscriber.consume((message: BusMessage) => {
      const inbound = decodeInbound(message);
      if (!inbound.ok) return;
      if (inbound.message.kind === 'orderEvent') this.events.push(inbound.message.value);
      if (inbound.message.kind === 'riskDenial') this.denials.push(inbound.message.value);
    });
  }

  statuses(clientOrderId: string): string[] {
    return this.events.filter((e) => e.order.spec.clientOrderId === clientOrderId).map((e) => e.order.status);
  }

  async close(): Promise<void> {
    this.subscriber.close();
    await this.loop;
  }
}

function order(overrides: Partial<OrderSpec> = {}): OrderSpec {
  return {
    clientOrderId: ids.next(),
    account: ACCOUNT,
    instrument: { venue: 'SIM', symbol: 'ACME' },
    side: 'BUY',
    type: 'MARKET',
    quantity: Decimal.of(5),
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'e2e',
    tags: {},
    ...overrides,
  };
}

describe('gateway process', () => {
  let dir: string;
  let endpoints: StackEndpoints;
  let env: Record<string, string>;
  let hub: ServiceProcess;
  let marketData: ServiceProcess;
  let gateway: ServiceProcess;
  let observer: Observer;
  let pusher: Pusher;
  const orderLog = () => join(dir, 'venue-orders.log');

  const startGateway = () =>
    ServiceProcess.start({
      app: 'gateway',
      cwd: dir,
      httpPort: endpoints.httpPorts.gateway,
      env: { ...env, TTQ_GATEWAY_SIM_ORDER_LOG: orderLog(), TTQ_GATEWAY_JOURNAL_DIR: join(dir, 'journal-gateway') },
    });

  /** Waits until the gateway has seen a quote: market orders need one to be valued. */
  const waitForMarket = async () => {
    const probe = order({ quantity: Decimal.of(1) });
    await pusher.send(topics.orderCommand(ACCOUNT), encodePayload({ kind: 'submitOrder', value: probe }));
    await waitFor(() => observer.statuses(probe.clientOrderId).length > 0, 'the probe order to be answered');
    if (observer.statuses(probe.clientOrderId).includes('DENIED')) {
      // No quote yet: try again until market data has reached the gateway.
      await new Promise((r) => setTimeout(r, 200));
      return waitForMarket();
    }
  };

  const submit = (spec: OrderSpec) => pusher.send(topics.orderCommand(ACCOUNT), encodePayload({ kind: 'submitOrder', value: spec }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ttq-gateway-e2e-'));
    endpoints = await allocateEndpoints();
    env = { ...stackEnv(endpoints), TTQ_SIM_MARKET_TICKS_PER_SECOND: '50' };
    hub = await ServiceProcess.start({ app: 'hub', cwd: dir, httpPort: endpoints.httpPorts.hub, env });
    observer = new Observer(endpoints.xpub);
    gateway = await startGateway();
    marketData = await ServiceProcess.start({ app: 'market-data', cwd: dir, httpPort: endpoints.httpPorts['market-data'], env });
    pusher = new Pusher({ source: { service: 'e2e', instance: 'test' } });
    pusher.connect(endpoints.gatewayOrders);
    await waitForMarket();
  }, 60_000);

  afterAll(async () => {
    pusher?.close();
    await observer?.close();
    for (const service of [marketData, gateway, hub]) await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts and refuses garbage frames and invalid orders with reasons, and keeps trading', async () => {
    const raw = new zmq.Push();
    raw.connect(endpoints.gatewayOrders);
    await raw.send([topics.orderCommand(ACCOUNT), Buffer.from('not a protobuf envelope')]);
    await raw.send(Buffer.from('one frame only'));
    raw.close();

    const negative = order();
    const wirePayload = encodePayload({ kind: 'submitOrder', value: negative });
    (wirePayload.submitOrder as wire.ISubmitOrder).quantity = { mantissa: bigIntToInt64(-5n), exponent: 0 };
    await pusher.send(topics.orderCommand(ACCOUNT), wirePayload);
    const postOnlyMarket = order({ postOnly: true });
    const unknown = order({ instrument: { venue: 'SIM', symbol: 'NOPE' } });
    const fatFinger = order({ type: 'LIMIT', limitPrice: Decimal.parse('1000000') });
    for (const spec of [postOnlyMarket, unknown, fatFinger]) await submit(spec);
    const good = order();
    await submit(good);

    await waitFor(() => observer.statuses(good.clientOrderId).includes('FILLED'), 'the valid order to fill');
    await waitFor(() => observer.denials.some((d) => d.clientOrderId === negative.clientOrderId), 'the malformed order to be refused');
    expect(observer.denials.find((d) => d.clientOrderId === negative.clientOrderId)?.reason).toMatch(/submitOrder\.quantity/);
    const reasonOf = (spec: OrderSpec) => observer.events.find((e) => e.order.spec.clientOrderId === spec.clientOrderId)?.reason;
    expect(observer.statuses(postOnlyMarket.clientOrderId)).toEqual(['DENIED']);
    expect(reasonOf(postOnlyMarket)).toMatch(/^validation: postOnly/);
    expect(reasonOf(unknown)).toBe('instrument-known: unknown instrument SIM:NOPE');
    expect(reasonOf(fatFinger)).toMatch(/^price-band: /);

    const metrics = await (await fetch(`http://127.0.0.1:${endpoints.httpPorts.gateway}/metrics`)).text();
    const malformedFrames = [...metrics.matchAll(/^ttq_bus_malformed_frames_total\{[^}]*socket="gateway-orders"[^}]*\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    expect(malformedFrames).toBeGreaterThanOrEqual(2);
    const logged = readFileSync(orderLog(), 'utf8');
    for (const refused of [negative, postOnlyMarket, unknown, fatFinger]) expect(logged).not.toContain(refused.clientOrderId);
  });

  it('sends a client order id to the venue once, even repeated across a restart, and exits 0 with a final state', async () => {
    const spec = order();
    await submit(spec);
    await waitFor(() => observer.statuses(spec.clientOrderId).includes('FILLED'), 'the order to fill');
    await submit(spec);
    await waitFor(() => observer.statuses(spec.clientOrderId).filter((s) => s === 'FILLED').length >= 2, 'the repeat to be answered');

    const seenBeforeStop = observer.events.length;
    const exit = await gateway.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    // The final state of every accepted order was published on the way out.
    expect(observer.events.slice(seenBeforeStop).some((e) => e.order.spec.clientOrderId === spec.clientOrderId)).toBe(true);

    gateway = await startGateway();
    const answered = observer.statuses(spec.clientOrderId).length;
    await submit(spec);
    await waitFor(() => observer.statuses(spec.clientOrderId).length > answered, 'the restarted gateway to answer the repeat');
    expect(observer.statuses(spec.clientOrderId).at(-1)).toBe('FILLED');
    const sent = readFileSync(orderLog(), 'utf8').split('\n').filter((line) => line === spec.clientOrderId);
    expect(sent).toHaveLength(1);

    const requester = new Requester({ timeoutMs: 5_000 });
    requester.connect(endpoints.gatewayControl);
    const state = wire.StateSnapshot.decode(await requester.request('state', wire.StateRequest.encode({ account: ACCOUNT }).finish()));
    requester.close();
    const restored = state.orders.find((o) => o.order?.spec?.clientOrderId === spec.clientOrderId);
    expect(restored).toBeDefined();
    const event = decodePayloadAt(wire.Payload.create({ orderEvent: restored }), 0n, 0n);
    expect(event.kind === 'orderEvent' && event.value.order.status).toBe('FILLED');
    expect(state.stats['duplicateCommands']).toBe('1');
  });
});
