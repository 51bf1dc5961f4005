import { Registry } from 'prom-client';
import * as zmq from 'zeromq';
import { counter } from '@ttquant/metrics';
import { startProxy } from '@ttquant/bus';
import { waitFor } from '@ttquant/testing';
import { MessageCounter } from './message-counter';

describe('MessageCounter', () => {
  it('counts every forwarded message by topic family, the last burst included on close', async () => {
    const proxy = await startProxy('inproc://counter-front', 'inproc://counter-back');
    const registry = new Registry();
    const messages = new MessageCounter(counter(registry, 'ttq_hub_messages_total', 'Messages forwarded.', ['family']), 20);
    messages.start(proxy.backend);
    const publisher = new zmq.Publisher();
    publisher.connect(proxy.frontend);
    try {
      // The counter's subscription must reach the publisher through the proxy before anything counts.
      const probe = new zmq.Subscriber();
      probe.connect(proxy.backend);
      probe.subscribe('probe');
      let arrived = false;
      const received = probe.receive().then(() => (arrived = true));
      while (!arrived) {
        await publisher.send(['probe', 'x']);
        await Promise.race([received, new Promise((resolve) => setTimeout(resolve, 20))]);
      }
      probe.close();
      for (let i = 0; i < 250; i++) await publisher.send(['md.tick.SIM.ACME', `${i}`]);
      for (let i = 0; i < 40; i++) await publisher.send(['ex.order.acct-1', `${i}`]);
      await publisher.send(['ctl', 'x']);
      const byFamilyNow = async (): Promise<Record<string, number>> => {
        const metric = registry.getSingleMetric('ttq_hub_messages_total');
        const values = metric ? (await metric.get()).values : [];
        return Object.fromEntries(values.map((v) => [String(v.labels['family']), v.value]));
      };
      // Messages still on their way through the proxy are counted by a later burst: wait for them.
      await waitFor(async () => {
        await messages.drain();
        return (await byFamilyNow())['ctl'] === 1 || undefined;
      }, 'the last message counted', 5_000, 10);
      await messages.close();
      const byFamily = await byFamilyNow();
      expect(byFamily['md.tick']).toBe(250);
      expect(byFamily['ex.order']).toBe(40);
      expect(byFamily['ctl']).toBe(1);
      // The probes that opened the path count too, under their own family.
      expect(messages.total).toBe(291 + (byFamily['probe'] ?? 0));
    } finally {
      publisher.close();
      await proxy.close();
    }
  });
});
