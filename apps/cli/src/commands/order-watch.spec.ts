import { Publisher, tcpEndpoint, topics } from '@ttquant/bus';
import { Decimal, type OrderEvent, type OrderStatus } from '@ttquant/domain';
import { encodePayload, type DomainMessage } from '@ttquant/protocol';
import { loadCliConfig } from '../cli-config';
import { OrderWatch, TERMINAL_STATUSES } from './order-watch';

const ACCOUNT = 'SIM001';

function event(clientOrderId: string, status: OrderStatus, eventSequence: number): OrderEvent {
  return {
    order: {
      spec: {
        clientOrderId,
        account: ACCOUNT,
        instrument: { venue: 'SIM', symbol: 'ACME' },
        side: 'BUY',
        type: 'MARKET',
        quantity: Decimal.parse('10'),
        timeInForce: 'DAY',
        reduceOnly: false,
        postOnly: false,
        outsideRth: false,
        strategyId: 'manual',
        tags: {},
      },
      status,
      filledQuantity: status === 'FILLED' ? Decimal.parse('10') : Decimal.ZERO,
      ...(status === 'FILLED' ? { avgFillPrice: Decimal.parse('100') } : {}),
      createdTime: 1n,
      updatedTime: BigInt(eventSequence),
    },
    reason: '',
    eventSequence,
  };
}

/** Plays the gateway: publishes straight to the watch's subscriber (no hub needed). */
describe('OrderWatch', () => {
  let publisher: Publisher;
  let endpoint: string;
  let watch: OrderWatch;
  const publish = (topic: ReturnType<typeof topics.order>, message: DomainMessage) => publisher.publish(topic, encodePayload(message));
  const heartbeat = (account: string) =>
    publish(topics.status('gateway', 'g1'), { kind: 'heartbeat', value: { service: 'gateway', instance: 'g1', state: 'READY', uptimeMs: 1, info: { account } } });

  beforeEach(async () => {
    endpoint = await tcpEndpoint();
    publisher = new Publisher({ source: { service: 'gateway', instance: 'g1' }, linger: 0 });
    await publisher.bind(endpoint);
    watch = new OrderWatch(loadCliConfig({ TTQ_BUS_XPUB_ENDPOINT: endpoint }, '/nonexistent'), ACCOUNT);
    watch.track('target1');
  });
  afterEach(async () => {
    await watch.close();
    await publisher.close();
  });

  /** Heartbeats until the watch has heard the gateway of the account: from then on nothing is lost. */
  async function untilConnected(): Promise<void> {
    const timer = setInterval(() => heartbeat(ACCOUNT), 20);
    try {
      expect(await watch.waitForGateway(5_000)).toBe(true);
    } finally {
      clearInterval(timer);
    }
  }

  it('ignores heartbeats of gateways owning other accounts', async () => {
    const timer = setInterval(() => heartbeat('OTHER'), 20);
    try {
      expect(await watch.waitForGateway(300)).toBe(false);
    } finally {
      clearInterval(timer);
    }
  });

  it('settles on the tracked order only, ignoring other orders and stale repeats', async () => {
    await untilConnected();
    const settled = watch.waitFor((e) => TERMINAL_STATUSES.has(e.order.status), 5_000);
    publish(topics.order(ACCOUNT), { kind: 'orderEvent', value: event('other9', 'FILLED', 2) });
    publish(topics.order(ACCOUNT), { kind: 'orderEvent', value: event('target1', 'SUBMITTED', 1) });
    publish(topics.order(ACCOUNT), { kind: 'orderEvent', value: event('target1', 'FILLED', 2) });
    publish(topics.order(ACCOUNT), { kind: 'orderEvent', value: event('target1', 'SUBMITTED', 1) });
    const outcome = await settled;
    expect(outcome.kind).toBe('settled');
    expect(outcome.event?.order.status).toBe('FILLED');
    expect(watch.last?.order.status).toBe('FILLED');
  });

  it('reports a denial, even one whose instrument the codec refuses', async () => {
    await untilConnected();
    const settled = watch.waitFor(() => false, 5_000);
    // What the gateway sends for a cancel of an order it does not know: no instrument.
    publisher.publish(topics.riskDenial(ACCOUNT), {
      riskDenial: { account: ACCOUNT, clientOrderId: 'target1', instrument: { venue: '', symbol: '' }, check: 'cancel', reason: 'unknown order target1' },
    });
    const outcome = await settled;
    expect(outcome).toMatchObject({ kind: 'denied', denial: { check: 'cancel', reason: 'unknown order target1' } });
  });

  it('times out with the last state heard', async () => {
    await untilConnected();
    publish(topics.order(ACCOUNT), { kind: 'orderEvent', value: event('target1', 'SUBMITTED', 1) });
    const outcome = await watch.waitFor((e) => TERMINAL_STATUSES.has(e.order.status), 300);
    expect(outcome.kind).toBe('timeout');
    expect(outcome.event?.order.status).toBe('SUBMITTED');
  });
});
