import { TRANSPORTS, type Transport } from './endpoints';
import { startProxy, type BusProxy } from './proxy';
import { Publisher } from './publisher';
import { awaitJoin, bindableEndpoint, probeWith, quote, take } from './spec-helpers';
import { Subscriber } from './subscriber';
import { topics } from './topics';

describe.each(TRANSPORTS)('startProxy over %s', (transport: Transport) => {
  let proxy: BusProxy;

  beforeEach(async () => {
    proxy = await startProxy(bindableEndpoint(transport), bindableEndpoint(transport));
  });

  afterEach(async () => {
    await proxy.close();
  });

  it('forwards from publishers on XSUB to subscribers on XPUB, with subscriptions upstream', async () => {
    if (transport === 'tcp') expect(proxy.frontend).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const publishers = ['md-1', 'md-2'].map((instance) => new Publisher({ source: { service: 'market-data', instance } }));
    for (const publisher of publishers) publisher.connect(proxy.frontend);
    const subscriber = new Subscriber();
    subscriber.connect(proxy.backend);
    subscriber.subscribe(topics.prefix.allTicks());
    for (const publisher of publishers) await awaitJoin(subscriber, probeWith(publisher));

    publishers[0]?.publish(topics.tick('binance', 'BTC/USDT'), quote(1));
    publishers[0]?.publish(topics.book('binance', 'BTC/USDT'), quote(2)); // not subscribed
    publishers[1]?.publish(topics.tick('okx', 'BTC/USDT'), quote(3));
    const received = await take(subscriber, 2);
    expect(received.map((m) => [m.source.instance, m.topic]).sort()).toEqual([
      ['md-1', topics.tick('binance', 'BTC/USDT')],
      ['md-2', topics.tick('okx', 'BTC/USDT')],
    ]);
    await Promise.all(publishers.map((p) => p.close()));
    subscriber.close();
  });
});

it('stops cleanly and can be closed twice', async () => {
  const proxy = await startProxy(bindableEndpoint('ipc'), bindableEndpoint('ipc'));
  await proxy.close();
  await proxy.close();
  await expect(proxy.done).resolves.toBeUndefined();
});

describe('startProxy with an in-process backend endpoint', () => {
  it('delivers to a subscriber on the inproc endpoint as to one on the TCP backend', async () => {
    const inproc = `inproc://proxy-spec-tap-${process.pid}`;
    const proxy = await startProxy(bindableEndpoint('tcp'), bindableEndpoint('tcp'), { inprocBackend: inproc });
    const publisher = new Publisher({ source: { service: 'market-data', instance: 'md-1' } });
    publisher.connect(proxy.frontend);
    const outside = new Subscriber();
    outside.connect(proxy.backend);
    const inside = new Subscriber();
    inside.connect(inproc);
    try {
      for (const subscriber of [outside, inside]) {
        subscriber.subscribe(topics.prefix.allTicks());
        await awaitJoin(subscriber, probeWith(publisher));
      }
      publisher.publish(topics.tick('SIM', 'ACME'), quote(7));
      const [fromOutside, fromInside] = await Promise.all([take(outside, 1), take(inside, 1)]);
      expect(fromInside.map((m) => m.topic)).toEqual([topics.tick('SIM', 'ACME')]);
      expect(fromInside.map((m) => m.sequence)).toEqual(fromOutside.map((m) => m.sequence));
    } finally {
      await publisher.close();
      outside.close();
      inside.close();
      await proxy.close();
    }
  });

  it('refuses an endpoint that is not inproc', async () => {
    await expect(startProxy(bindableEndpoint('ipc'), bindableEndpoint('ipc'), { inprocBackend: 'tcp://127.0.0.1:1' })).rejects.toThrow(
      'inprocBackend: expected an inproc:// endpoint, was tcp://127.0.0.1:1',
    );
  });
});
