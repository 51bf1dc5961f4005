import { inprocEndpoint, Subscriber, topics, type BusMessage } from '@ttquant/bus';
import { Decimal, type QuoteTick } from '@ttquant/domain';
import { Journal } from '@ttquant/journal';
import { bigIntToInt64, decodeEnvelope, encodePayload, wire } from '@ttquant/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Heartbeat } from './heartbeat';
import { decodeInbound } from './inbound';
import { formatStreamHeads, JournaledPublisher, parseStreamHeads } from './journaled-publisher';

const quote: QuoteTick = {
  kind: 'quote',
  instrument: { venue: 'SIM', symbol: 'ACME' },
  bidPrice: Decimal.parse('99.99'),
  bidSize: Decimal.parse('10'),
  askPrice: Decimal.parse('100.01'),
  askSize: Decimal.parse('12'),
  quality: 'SIMULATED',
  eventTime: 1_763_700_000_000_000_001n,
  initTime: 1_763_700_000_000_000_002n,
};

/** Receives until `count` messages arrived, publishing probes while the subscription joins. */
async function collect(subscriber: Subscriber, count: number, publishProbe: () => void): Promise<BusMessage[]> {
  const got: BusMessage[] = [];
  const probe = setInterval(publishProbe, 20);
  try {
    for await (const message of subscriber) {
      got.push(message);
      if (got.length >= count) break;
    }
  } finally {
    clearInterval(probe);
  }
  return got;
}

describe('service bus', () => {
  let dir: string;
  let endpoint: string;
  let publisher: JournaledPublisher;
  let subscriber: Subscriber;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ttq-service-bus-'));
    endpoint = inprocEndpoint('service-bus');
    publisher = new JournaledPublisher({ source: { service: 'market-data', instance: 'md1' }, journal: { dir } });
    await publisher.publisher.bind(endpoint);
    subscriber = new Subscriber();
    subscriber.connect(endpoint);
  });

  afterEach(async () => {
    subscriber.close();
    await publisher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes domain objects that decode back exactly, and journals each one for replay', async () => {
    const topic = topics.tick('SIM', 'ACME');
    subscriber.subscribe(topic);
    const got = await collect(subscriber, 3, () => publisher.publish(topic, { kind: 'quote', value: quote }, { eventTimeNs: quote.eventTime, initTimeNs: quote.initTime }));
    const inbound = decodeInbound(got[0] as BusMessage);
    expect(inbound.ok && inbound.message).toEqual({ kind: 'quote', value: quote });

    publisher.journal.flush();
    const replayed = publisher.replay(
      wire.ReplayRequest.create({ topic, epoch: bigIntToInt64(publisher.epoch, true), fromSequence: bigIntToInt64(1n, true), toSequence: bigIntToInt64(0n, true) }),
    );
    expect(replayed.error).toBe('');
    expect(replayed.envelopes?.length).toBe(publisher.publisher.lastSequence(topic));
    expect(Buffer.from(replayed.envelopes?.[0] ?? []).equals(Buffer.from(got[0] ? encodeBack(got[0]) : []))).toBe(true);
  });

  it('journals batched frames so that replay still finds every sequence', async () => {
    const batchedDir = mkdtempSync(join(tmpdir(), 'ttq-service-bus-batched-'));
    const batched = new JournaledPublisher({ source: { service: 'market-data', instance: 'md2' }, journal: { dir: batchedDir }, batch: { maxSize: 4, maxDelayMs: 0 } });
    const topic = topics.tick('SIM', 'ACME');
    for (let i = 0; i < 10; i++) batched.publish(topic, { kind: 'quote', value: quote }, { eventTimeNs: quote.eventTime, initTimeNs: quote.initTime });
    batched.publisher.flush();
    batched.journal.flush();
    const replayed = batched.replay(
      wire.ReplayRequest.create({ topic, epoch: bigIntToInt64(batched.epoch, true), fromSequence: bigIntToInt64(2n, true), toSequence: bigIntToInt64(9n, true) }),
    );
    // Frames of 4, 4 and 2 messages: sequences 2..9 live in all three.
    const sequences = (replayed.envelopes ?? []).flatMap((bytes) => decodeEnvelope(bytes).items.map((item) => item.sequence));
    expect(sequences).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await batched.close();
    rmSync(batchedDir, { recursive: true, force: true });
  });

  it('announces the last sequence of every topic and the replays it served, for the heartbeat', () => {
    const ticks = topics.tick('SIM', 'ACME');
    const orders = topics.order('SIM001');
    for (let i = 0; i < 3; i++) publisher.publish(ticks, { kind: 'quote', value: quote });
    publisher.publish(orders, { kind: 'heartbeat', value: { service: 's', instance: 'i', state: 'READY', uptimeMs: 1, info: {} } });
    expect(publisher.heartbeatInfo()).toEqual({ replaysServed: '0', streamHeads: `${ticks}=3 ${orders}=1` });
    publisher.replay(wire.ReplayRequest.create({ topic: ticks, epoch: bigIntToInt64(publisher.epoch, true), fromSequence: bigIntToInt64(1n, true) }));
    expect(publisher.replaysServed).toBe(1);
    expect(parseStreamHeads(publisher.heartbeatInfo()['streamHeads'])).toEqual(new Map([[ticks, 3], [orders, 1]]));
  });

  it('reads stream heads back, skipping pairs it cannot read', () => {
    expect(parseStreamHeads(formatStreamHeads(new Map([['md.tick.SIM.A%2FB', 9007199254740991]])))).toEqual(new Map([['md.tick.SIM.A%2FB', 9007199254740991]]));
    expect(parseStreamHeads('a=1 b=x =3 c=-1 d=2.5 e=4')).toEqual(new Map([['a', 1], ['e', 4]]));
    expect(parseStreamHeads(undefined).size).toBe(0);
  });

  it('says what is missing when asked for a stream it never journaled', () => {
    const replayed = publisher.replay(
      wire.ReplayRequest.create({ topic: 'md.tick.SIM.NOPE', epoch: bigIntToInt64(publisher.epoch, true), fromSequence: bigIntToInt64(1n, true) }),
    );
    expect(replayed.error).toMatch(/no journal for md\.tick\.SIM\.NOPE/);
  });

  it('persisted() resolves once what was published is on disk', async () => {
    const topic = topics.order('SIM001');
    publisher.publish(topic, { kind: 'heartbeat', value: { service: 's', instance: 'i', state: 'READY', uptimeMs: 1, info: {} } });
    await publisher.persisted();
    // A second reader of the same folder sees the synced record without any flush by the writer.
    const reader = Journal.open({ dir });
    expect(reader.range(topic, publisher.epoch)?.lastSequence).toBe(1);
    reader.close();
  });

  it('with writeThrough, has every envelope in the journal file before it is sent', async () => {
    const throughDir = mkdtempSync(join(tmpdir(), 'ttq-service-bus-through-'));
    const bufferedDir = mkdtempSync(join(tmpdir(), 'ttq-service-bus-buffered-'));
    const through = new JournaledPublisher({ source: { service: 'gateway', instance: 'g1' }, journal: { dir: throughDir }, writeThrough: true, flushIntervalMs: 60_000 });
    const buffered = new JournaledPublisher({ source: { service: 'gateway', instance: 'g2' }, journal: { dir: bufferedDir }, flushIntervalMs: 60_000 });
    try {
      const topic = topics.order('SIM001');
      const heartbeat = { kind: 'heartbeat' as const, value: { service: 's', instance: 'i', state: 'READY' as const, uptimeMs: 1, info: {} } };
      through.publish(topic, heartbeat);
      buffered.publish(topic, heartbeat);
      // Read by another journal on the same folder, as a restarted process would after kill -9.
      const reader = Journal.open({ dir: throughDir });
      expect(reader.range(topic, through.epoch)?.lastSequence).toBe(1);
      reader.close();
      const unflushed = Journal.open({ dir: bufferedDir });
      expect(unflushed.range(topic, buffered.epoch)).toBeUndefined();
      unflushed.close();
    } finally {
      await through.close();
      await buffered.close();
      rmSync(throughDir, { recursive: true, force: true });
      rmSync(bufferedDir, { recursive: true, force: true });
    }
  });

  it('sends heartbeats with the service counters, and a final STOPPED one', async () => {
    let published = 0;
    const heartbeat = new Heartbeat({ publisher: publisher.publisher, service: 'market-data', instance: 'md1', info: () => ({ ticksPublished: String(++published) }), intervalMs: 10 });
    subscriber.subscribe(topics.prefix.allStatus());
    heartbeat.start();
    const got = await collect(subscriber, 2, () => undefined);
    heartbeat.stop();
    const states: string[] = [];
    for await (const message of subscriber) {
      const inbound = decodeInbound(message);
      if (inbound.ok && inbound.message.kind === 'heartbeat') states.push(inbound.message.value.state);
      if (states.includes('STOPPED')) break;
    }
    const first = decodeInbound(got[0] as BusMessage);
    expect(first.ok && first.message.kind === 'heartbeat' && first.message.value.info['ticksPublished']).toBe('1');
    expect(states.at(-1)).toBe('STOPPED');
  });

  it('turns a payload the codecs refuse into an error naming the field', async () => {
    const topic = topics.tick('SIM', 'ACME');
    subscriber.subscribe(topic);
    const bad = encodePayload({ kind: 'quote', value: quote });
    delete (bad.quote as { bidPrice?: unknown }).bidPrice;
    const got = await collect(subscriber, 1, () => publisher.publisher.publish(topic, bad));
    const inbound = decodeInbound(got[0] as BusMessage);
    expect(inbound.ok).toBe(false);
    expect(!inbound.ok && inbound.error.field).toBe('quote.bidPrice');
  });
});

/** The envelope bytes a message arrived in, re-encoded from its parts. */
function encodeBack(message: BusMessage): Uint8Array {
  return wire.Envelope.encode({ header: message.header, message: message.payload }).finish();
}
