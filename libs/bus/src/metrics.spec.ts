import { Registry } from 'prom-client';
import { Publisher } from './publisher';
import { awaitJoin, bindableEndpoint, probeWith, quote, rawProbe, rawPublisher, take } from './spec-helpers';
import { Subscriber } from './subscriber';
import { topics } from './topics';

function sample(text: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.includes(`{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('Prometheus metrics', () => {
  it('exports counters by socket and topic family, and keeps them after close', async () => {
    const registry = new Registry();
    const subscriber = new Subscriber({ registry, name: 'persistence-in' });
    const endpoint = await subscriber.bind(bindableEndpoint('inproc'));
    const publisher = new Publisher({ source: { service: 'market-data', instance: 'md-1' }, registry, name: 'md-out' });
    publisher.connect(endpoint);
    subscriber.subscribe(topics.prefix.marketData());
    await awaitJoin(subscriber, probeWith(publisher));

    publisher.publish(topics.tick('binance', 'BTC/USDT'), quote(1));
    publisher.publish(topics.tick('okx', 'ETH/USDT'), quote(2));
    publisher.publish(topics.book('binance', 'BTC/USDT'), quote(3));
    await take(subscriber, 3);

    const raw = rawPublisher(endpoint);
    await awaitJoin(subscriber, rawProbe(raw));
    await raw.send([topics.tick('x', 'Y'), Buffer.from([0xff, 0xff])]);
    await raw.send(topics.tick('x', 'Y'));
    await raw.send([topics.tick('x', 'Y'), 'not an envelope']);
    // Nothing valid follows: keep a read pending and wait until all three frames were counted.
    const deadline = Date.now() + 5000;
    const pending = subscriber.next();
    while (subscriber.stats().malformedTotal < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    raw.close();

    const received = await registry.getSingleMetricAsString('ttq_bus_messages_received_total');
    expect(sample(received, 'socket="persistence-in",topic_family="md.tick"')).toBe(2);
    expect(sample(received, 'socket="persistence-in",topic_family="md.book"')).toBe(1);
    expect(received).not.toContain('BTC');
    const sent = await registry.getSingleMetricAsString('ttq_bus_messages_sent_total');
    expect(sample(sent, 'socket="md-out",topic_family="md.tick"')).toBe(2);
    const malformed = await registry.getSingleMetricAsString('ttq_bus_malformed_frames_total');
    expect(sample(malformed, 'socket="persistence-in",reason="undecodable"')).toBe(2);
    expect(sample(malformed, 'socket="persistence-in",reason="frame-count"')).toBe(1);
    expect(await registry.getSingleMetricAsString('ttq_bus_send_queue_length')).toContain('socket="md-out"');

    await publisher.close();
    subscriber.close();
    await pending;
    const afterClose = await registry.getSingleMetricAsString('ttq_bus_messages_received_total');
    expect(sample(afterClose, 'socket="persistence-in",topic_family="md.tick"')).toBe(2);
    expect(await registry.getSingleMetricAsString('ttq_bus_send_queue_length')).not.toContain('md-out');
  });

  it('lets several sockets share one registry', () => {
    const registry = new Registry();
    const a = new Subscriber({ registry, name: 'a' });
    const b = new Subscriber({ registry, name: 'b' });
    expect(registry.getMetricsAsArray().filter((m) => m.name === 'ttq_bus_messages_received_total')).toHaveLength(1);
    a.close();
    b.close();
  });
});
