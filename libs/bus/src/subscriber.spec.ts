import { SCHEMA_VERSION } from '@ttquant/protocol';
import type * as zmq from 'zeromq';
import { TRANSPORTS, type Transport } from './endpoints';
import type { SequenceGap, StreamStart } from './gap-tracker';
import type { MalformedFrame } from './envelope-reader';
import { Publisher } from './publisher';
import {
  awaitJoin,
  bindableEndpoint,
  craft,
  heartbeat,
  isProbe,
  probeWith,
  quote,
  rawProbe,
  rawPublisher,
  take,
  waitFor,
} from './spec-helpers';
import { Subscriber } from './subscriber';
import { topics } from './topics';

const source = { service: 'market-data', instance: 'md-1' };

describe.each(TRANSPORTS)('Publisher → Subscriber over %s', (transport: Transport) => {
  let subscriber: Subscriber;
  let publisher: Publisher;
  let endpoint: string;

  beforeEach(async () => {
    subscriber = new Subscriber();
    endpoint = await subscriber.bind(bindableEndpoint(transport));
    publisher = new Publisher({ source, epoch: 1_763_000_000_000_000_000n });
    publisher.connect(endpoint);
  });

  // Subscriptions first, then the join: the probe's subscription travels behind them.
  const join = (): Promise<void> => awaitJoin(subscriber, probeWith(publisher));

  afterEach(async () => {
    await publisher.close();
    subscriber.close();
  });

  it('delivers the exact payload, times, source, epoch and sequence', async () => {
    const topic = topics.tick('binance', 'BTC/USDT');
    subscriber.subscribe(topic);
    await join();
    const eventTimeNs = 1_763_686_800_123_456_789n;
    const initTimeNs = 1_763_686_800_123_999_001n;
    expect(publisher.publish(topic, quote(7), { eventTimeNs, initTimeNs })).toBe(1);
    expect(publisher.publish(topic, quote(8))).toBe(2);

    const [first, second] = await take(subscriber, 2);
    expect(first?.topic).toBe('md.tick.binance.BTC%2FUSDT');
    expect(first?.sequence).toBe(1);
    expect(first?.eventTimeNs).toBe(eventTimeNs);
    expect(first?.initTimeNs).toBe(initTimeNs);
    expect(first?.epoch).toBe(1_763_000_000_000_000_000n);
    expect(first?.source).toEqual(source);
    expect(first?.header.schemaVersion).toBe(SCHEMA_VERSION);
    const q = first?.payload.quote;
    expect(q?.instrument?.symbol).toBe('BTC/USDT');
    expect(q?.bidPrice?.mantissa?.toString()).toBe('643215007');
    expect(q?.bidPrice?.exponent).toBe(-4);
    expect(q?.askSize?.mantissa?.toString()).toBe('98765');
    // Unset times default to the send time, which is "now".
    expect(second?.sequence).toBe(2);
    expect(second?.initTimeNs).toBe(second?.sendTimeNs);
    expect(second?.eventTimeNs).toBe(second?.initTimeNs);
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    expect(Number((nowNs - (second?.sendTimeNs ?? 0n)) / 1_000_000n)).toBeLessThan(5000);
  });

  it('filters by prefix, and matches exact topics exactly', async () => {
    subscriber.subscribe(topics.prefix.ticksOfVenue('binance'));
    subscriber.subscribe(topics.book('okx', 'BTC/USDT'));
    await join();
    publisher.publish(topics.tick('binance-us', 'BTC/USDT'), quote(1)); // other venue sharing a prefix
    publisher.publish(topics.book('binance', 'BTC/USDT'), quote(2)); // other family
    publisher.publish(topics.book('okx', 'BTC/USDT:USDT'), quote(3)); // longer topic than the exact one
    publisher.publish(topics.tick('binance', 'ETH/USDT'), quote(4));
    publisher.publish(topics.book('okx', 'BTC/USDT'), quote(5));
    publisher.publish(topics.tick('binance', 'BTC/USDT'), quote(6));

    const received = await take(subscriber, 3);
    expect(received.map((m) => m.topic)).toEqual([
      topics.tick('binance', 'ETH/USDT'),
      topics.book('okx', 'BTC/USDT'),
      topics.tick('binance', 'BTC/USDT'),
    ]);
    expect(subscriber.stats()).toMatchObject({ gaps: 0, duplicates: 0, malformedTotal: 0 });
  });

  it('ends the async iterator and consume() cleanly on close', async () => {
    subscriber.subscribe(topics.prefix.allTicks());
    await join();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const message of subscriber) if (!isProbe(message.topic)) seen.push(message.sequence);
      return 'ended';
    })();
    publisher.publish(topics.tick('binance', 'BTC/USDT'), quote(1));
    await waitFor(() => seen.length === 1, 5000, 'one message');
    subscriber.close();
    await expect(loop).resolves.toBe('ended');
    await expect(subscriber.consume(() => undefined)).resolves.toBeUndefined();
    expect(subscriber.closed).toBe(true);
  });
});

describe.each(TRANSPORTS)('Subscriber checks what arrives over %s', (transport: Transport) => {
  let subscriber: Subscriber;
  let raw: zmq.Publisher;
  const gaps: SequenceGap[] = [];
  const starts: StreamStart[] = [];
  const malformed: MalformedFrame[] = [];

  beforeEach(async () => {
    gaps.length = 0;
    starts.length = 0;
    malformed.length = 0;
    subscriber = new Subscriber({
      onGap: (gap) => gaps.push(gap),
      onStreamStart: (start) => starts.push(start),
      onMalformed: (frame) => malformed.push(frame),
    });
    const endpoint = await subscriber.bind(bindableEndpoint(transport));
    raw = rawPublisher(endpoint);
    subscriber.subscribe(topics.prefix.allTicks());
    await awaitJoin(subscriber, rawProbe(raw));
  });

  afterEach(() => {
    raw.close();
    subscriber.close();
  });

  const topic = topics.tick('binance', 'BTC/USDT');

  it('reports exactly the missing range [4, 6] and delivers the rest', async () => {
    for (const sequence of [1, 2, 3, 7, 8, 9, 10]) await raw.send([topic, craft({ sequence, payload: quote(sequence) })]);

    const received = await take(subscriber, 7);
    expect(received.map((m) => m.sequence)).toEqual([1, 2, 3, 7, 8, 9, 10]);
    expect(gaps).toEqual([
      {
        stream: `crafter/c1:${topic}`,
        source: { service: 'crafter', instance: 'c1' },
        topic,
        epoch: 1_700_000_000_000_000_000n,
        from: 4,
        to: 6,
      },
    ]);
    expect(subscriber.stats()).toMatchObject({ gaps: 1, missing: 3, duplicates: 0 });
  });

  it('sets the baseline on joining mid-stream, drops replays, and resets on a new epoch', async () => {
    const restartEpoch = 1_700_000_000_500_000_000n;
    const frames = [
      craft({ sequence: 50 }), // joined mid-stream: no gap
      craft({ sequence: 51 }),
      craft({ sequence: 51 }), // replayed twice
      craft({ sequence: 50 }),
      craft({ sequence: 52 }),
      craft({ sequence: 1, epoch: restartEpoch }), // the publisher restarted
      craft({ sequence: 2, epoch: restartEpoch }),
    ];
    for (const frame of frames) await raw.send([topic, frame]);

    const received = await take(subscriber, 5);
    expect(received.map((m) => [m.epoch, m.sequence])).toEqual([
      [1_700_000_000_000_000_000n, 50],
      [1_700_000_000_000_000_000n, 51],
      [1_700_000_000_000_000_000n, 52],
      [restartEpoch, 1],
      [restartEpoch, 2],
    ]);
    expect(gaps).toEqual([]);
    expect(subscriber.stats()).toMatchObject({ gaps: 0, missing: 0, duplicates: 2, epochResets: 1 });
    expect(starts.filter((s) => s.topic === topic).map((s) => [s.firstSequence, s.restarted])).toEqual([
      [50, false],
      [1, true],
    ]);
  });

  it('counts and drops malformed frames, and keeps delivering valid ones', async () => {
    await raw.send([topic, Buffer.from([0xff, 0xff, 0xff, 0xff])]);
    await raw.send(topic); // a single frame
    await raw.send([topic, craft({ sequence: 1 }), 'extra']);
    await raw.send([topic, craft({ sequence: 1, schemaVersion: SCHEMA_VERSION + 1 })]);
    await raw.send([topic, craft({ sequence: 1, service: '' })]);
    await raw.send([topic, craft({ sequence: 1, payload: quote(1) })]);

    const [valid] = await take(subscriber, 1);
    expect(valid?.sequence).toBe(1);
    expect(valid?.payload.quote?.bidPrice?.mantissa?.toString()).toBe('643215001');
    expect(subscriber.stats().malformed).toEqual({
      'frame-count': 2,
      undecodable: 1,
      'schema-version': 1,
      'invalid-header': 1,
      'invalid-body': 0,
    });
    expect(subscriber.stats().malformedTotal).toBe(5);
    expect(malformed.map((m) => m.reason)).toEqual(['undecodable', 'frame-count', 'frame-count', 'schema-version', 'invalid-header']);
    expect(malformed[3]?.detail).toBe(`header.schemaVersion: expected ${SCHEMA_VERSION}, was ${SCHEMA_VERSION + 1}`);
  });

  it('survives callbacks that throw', async () => {
    subscriber.close();
    subscriber = new Subscriber({
      onGap: () => {
        throw new Error('consumer bug');
      },
      onMalformed: () => {
        throw new Error('consumer bug');
      },
    });
    const endpoint = await subscriber.bind(bindableEndpoint(transport));
    raw.close();
    raw = rawPublisher(endpoint);
    subscriber.subscribe(topic);
    await awaitJoin(subscriber, rawProbe(raw));
    await raw.send([topic, Buffer.from([0xff, 0xff, 0xff])]);
    await raw.send([topic, craft({ sequence: 1, payload: heartbeat })]);
    await raw.send([topic, craft({ sequence: 3, payload: heartbeat })]);
    const received = await take(subscriber, 2);
    expect(received.map((m) => m.sequence)).toEqual([1, 3]);
    expect(subscriber.stats()).toMatchObject({ gaps: 1, malformedTotal: 1 });
  });
});
