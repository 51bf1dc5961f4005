import { inprocEndpoint } from './endpoints';
import { Publisher } from './publisher';
import { Subscriber } from './subscriber';
import { topics } from './topics';
import type { SequenceGap } from './gap-tracker';
import { wire } from '@ttquant/protocol';

const heartbeat = (n: number): wire.IPayload => ({
  heartbeat: { service: 'test', instance: `i${n}`, state: wire.ServiceState.SERVICE_STATE_READY },
});

describe('Publisher dropFrame (fault drill)', () => {
  it('stamps and reports a dropped frame but never sends it, so the subscriber sees that exact gap', async () => {
    const endpoint = inprocEndpoint('drop');
    const topic = topics.status('test', 'drop');
    const journaled: number[] = [];
    const publisher = new Publisher({
      source: { service: 'market-data', instance: 'md1' },
      onPublished: (published, sequence) => published === topic && journaled.push(sequence),
      dropFrame: (published, sequence) => published === topic && sequence === 5,
    });
    await publisher.bind(endpoint);
    const gaps: SequenceGap[] = [];
    const subscriber = new Subscriber({ onGap: (gap) => gaps.push(gap) });
    subscriber.subscribe(topic);
    subscriber.connect(endpoint);

    // Join first on a probe topic, so the stream under test is seen from sequence 1.
    const probe = topics.status('test', 'probe');
    subscriber.subscribe(probe);
    let n = 0;
    const pump = setInterval(() => publisher.publish(probe, heartbeat(++n)), 5);
    for await (const message of subscriber) if (message.topic === probe) break;
    clearInterval(pump);

    for (let i = 1; i <= 8; i++) publisher.publish(topic, heartbeat(i));
    const received: number[] = [];
    for await (const message of subscriber) {
      if (message.topic !== topic) continue;
      received.push(message.sequence);
      if (message.sequence >= 8) break;
    }
    subscriber.close();
    await publisher.close();

    expect(journaled).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(received).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(gaps.filter((g) => g.topic === topic)).toEqual([expect.objectContaining({ topic, from: 5, to: 5 })]);
  });
});
