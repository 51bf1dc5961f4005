import { TRANSPORTS, type Transport } from './endpoints';
import { BusClosedError } from './errors';
import { Puller, Pusher } from './push-pull';
import { bindableEndpoint, heartbeat, take } from './spec-helpers';
import { topics } from './topics';

const source = { service: 'strategy-engine', instance: 'se-1' };
const commands = topics.orderCommand('DU123456');

function cancel(i: number) {
  return { cancelOrder: { account: 'DU123456', clientOrderId: `c${i}` } };
}

describe.each(TRANSPORTS)('Pusher → Puller over %s', (transport: Transport) => {
  let puller: Puller;
  let pusher: Pusher;

  beforeEach(async () => {
    puller = new Puller();
    const endpoint = await puller.bind(bindableEndpoint(transport));
    pusher = new Pusher({ source, epoch: 7n });
    pusher.connect(endpoint);
  });

  afterEach(() => {
    pusher.close();
    puller.close();
  });

  it('delivers stamped commands in order with per-topic sequences', async () => {
    const sequences = await Promise.all([1, 2, 3].map((i) => pusher.send(commands, cancel(i), { eventTimeNs: BigInt(i) })));
    expect(sequences).toEqual([1, 2, 3]);
    const received = await take(puller, 3);
    expect(received.map((m) => [m.topic, m.sequence, m.epoch, m.eventTimeNs, m.payload.cancelOrder?.clientOrderId])).toEqual([
      [commands, 1, 7n, 1n, 'c1'],
      [commands, 2, 7n, 2n, 'c2'],
      [commands, 3, 7n, 3n, 'c3'],
    ]);
    expect(received[0]?.source).toEqual(source);
    expect(pusher.stats()).toEqual({ sent: 3, failed: 0, waiting: 0 });
  });
});

describe('Pusher', () => {
  it('waits at the high-water mark instead of dropping', async () => {
    const puller = new Puller({ receiveHighWaterMark: 1 });
    const endpoint = await puller.bind(bindableEndpoint('inproc'));
    const pusher = new Pusher({ source, sendHighWaterMark: 1 });
    pusher.connect(endpoint);
    const count = 50;
    const sends = Array.from({ length: count }, (_, i) => pusher.send(commands, cancel(i)));
    // Nobody reads yet: inproc holds at most both high-water marks, the rest wait in the pusher.
    await Promise.race([Promise.all(sends), new Promise((resolve) => setImmediate(resolve))]);
    expect(pusher.stats().waiting).toBeGreaterThan(0);

    const received = await take(puller, count);
    await Promise.all(sends);
    expect(received.map((m) => m.sequence)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(puller.stats()).toMatchObject({ gaps: 0, received: count });
    pusher.close();
    puller.close();
  });

  it('rejects waiting sends with BusClosedError when closed', async () => {
    // No peer at all: the first send waits for a connection.
    const pusher = new Pusher({ source, immediate: true });
    pusher.connect(bindableEndpoint('ipc'));
    const waiting = pusher.send(commands, { heartbeat: heartbeat.heartbeat });
    const queued = pusher.send(commands, { heartbeat: heartbeat.heartbeat });
    pusher.close();
    await expect(waiting).rejects.toBeInstanceOf(BusClosedError);
    await expect(queued).rejects.toBeInstanceOf(BusClosedError);
    await expect(pusher.send(commands, cancel(1))).rejects.toBeInstanceOf(BusClosedError);
    expect(pusher.stats()).toMatchObject({ sent: 0, failed: 2 });
  });
});
