import { decodeEnvelope } from '@ttquant/protocol';
import { TRANSPORTS, type Transport } from './endpoints';
import { BusClosedError } from './errors';
import { Publisher } from './publisher';
import { awaitJoin, bindableEndpoint, probeWith, quote, take, trade } from './spec-helpers';
import { Subscriber } from './subscriber';
import { topics, type Topic } from './topics';

const source = { service: 'market-data', instance: 'md-1' };
const topic = topics.tick('binance', 'BTC/USDT');

describe.each(TRANSPORTS)('Publisher batching over %s', (transport: Transport) => {
  let subscriber: Subscriber;
  let publisher: Publisher | undefined;
  let endpoint: string;

  beforeEach(async () => {
    subscriber = new Subscriber();
    endpoint = await subscriber.bind(bindableEndpoint(transport));
  });

  afterEach(async () => {
    await publisher?.close();
    subscriber.close();
  });

  async function open(batch: { maxSize: number; maxDelayMs: number }, onPublished?: (t: Topic, s: number, b: Uint8Array) => void): Promise<Publisher> {
    const pub = new Publisher({ source, batch, onPublished });
    pub.connect(endpoint);
    subscriber.subscribe(topic);
    await awaitJoin(subscriber, probeWith(pub));
    return pub;
  }

  it('flushes by size and unpacks each item with its own sequence and times', async () => {
    const frames: Array<[string, number, number]> = [];
    publisher = await open({ maxSize: 4, maxDelayMs: 60_000 }, (t, sequence, bytes) =>
      frames.push([t, sequence, decodeEnvelope(bytes).items.length]),
    );
    const framesBefore = frames.length;
    for (let i = 1; i <= 8; i++) publisher.publish(topic, quote(i), { eventTimeNs: 1_763_686_800_000_000_000n + BigInt(i) });

    const received = await take(subscriber, 8);
    expect(received.map((m) => m.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(received.map((m) => m.eventTimeNs - 1_763_686_800_000_000_000n)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(received.map((m) => m.payload.quote?.bidPrice?.mantissa?.toNumber())).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((i) => 643_215_000 + i),
    );
    expect(received[4]?.header.sequence.toNumber()).toBe(5);
    expect(frames.slice(framesBefore)).toEqual([
      [topic, 1, 4],
      [topic, 5, 4],
    ]);
    expect(subscriber.stats()).toMatchObject({ gaps: 0, duplicates: 0 });
  });

  it('flushes by time', async () => {
    publisher = await open({ maxSize: 1000, maxDelayMs: 20 });
    const framesBefore = publisher.stats().frames;
    for (let i = 1; i <= 3; i++) publisher.publish(topic, quote(i));
    expect(publisher.stats().batched).toBe(3);

    const received = await take(subscriber, 3);
    expect(received.map((m) => m.sequence)).toEqual([1, 2, 3]);
    expect(publisher.stats().frames - framesBefore).toBe(1);
    expect(publisher.stats().batched).toBe(0);
  });

  it('starts a new batch when quotes and trades alternate on one topic', async () => {
    publisher = await open({ maxSize: 1000, maxDelayMs: 10 });
    const framesBefore = publisher.stats().frames;
    publisher.publish(topic, quote(1));
    publisher.publish(topic, quote(2));
    publisher.publish(topic, trade(3));
    publisher.publish(topic, quote(4));

    const received = await take(subscriber, 4);
    expect(received.map((m) => [m.sequence, m.payload.kind])).toEqual([
      [1, 'quote'],
      [2, 'quote'],
      [3, 'trade'],
      [4, 'quote'],
    ]);
    expect(publisher.stats().frames - framesBefore).toBe(3);
  });
});

describe('Publisher', () => {
  it('numbers each topic from 1 and reports every envelope to onPublished', async () => {
    const seen: Array<[string, number]> = [];
    const publisher = new Publisher({ source, onPublished: (t, sequence, bytes) => seen.push([t, decodeEnvelope(bytes).items[0]?.sequence ?? sequence]) });
    const other = topics.tick('binance', 'ETH/USDT');
    publisher.publish(topic, quote(1));
    publisher.publish(other, quote(2));
    publisher.publish(topic, quote(3));
    expect(seen).toEqual([
      [topic, 1],
      [other, 1],
      [topic, 2],
    ]);
    expect(publisher.lastSequence(topic)).toBe(2);
    expect(publisher.stats()).toMatchObject({ sent: 3, frames: 3, queued: 0 });
    await publisher.close();
    expect(() => publisher.publish(topic, quote(4))).toThrow(BusClosedError);
  });

  it('gives each publisher its own epoch, unless fixed', async () => {
    const a = new Publisher({ source });
    const b = new Publisher({ source });
    const fixed = new Publisher({ source, epoch: 42n });
    expect(b.epoch).toBeGreaterThan(a.epoch);
    expect(a.epoch).toBeGreaterThan(1_700_000_000_000_000_000n);
    expect(fixed.epoch).toBe(42n);
    await Promise.all([a.close(), b.close(), fixed.close()]);
  });

  it('rejects a source that cannot be named in a topic', () => {
    expect(() => new Publisher({ source: { service: 'market data', instance: 'md-1' } })).toThrow(
      'source.service: expected a non-empty name of letters, digits, "_" or "-", was "market data"',
    );
  });

  it('rejects invalid batch settings', () => {
    expect(() => new Publisher({ source, batch: { maxSize: 0, maxDelayMs: 1 } })).toThrow('batch.maxSize: expected an integer ≥ 1, was 0');
  });

  it('never blocks: a burst is handed to zeromq synchronously, in order, without loss', async () => {
    const subscriber = new Subscriber();
    const endpoint = await subscriber.bind(bindableEndpoint('ipc'));
    const publisher = new Publisher({ source });
    publisher.connect(endpoint);
    subscriber.subscribe(topic);
    await awaitJoin(subscriber, probeWith(publisher));
    const framesBefore = publisher.stats().frames;
    for (let i = 1; i <= 2000; i++) publisher.publish(topic, quote(i));
    expect(publisher.stats().frames - framesBefore).toBe(2000);
    expect(publisher.stats().queued).toBe(0);
    await publisher.drain();
    const received = await take(subscriber, 2000);
    expect(received[1999]?.sequence).toBe(2000);
    expect(subscriber.stats()).toMatchObject({ gaps: 0, missing: 0 });
    await publisher.close();
    subscriber.close();
  });

  describe('when the journal hook fails', () => {
    /** A hook that throws while `failing` is set, and records the frames it took. */
    function flakyHook() {
      const hook = {
        failing: false,
        frames: [] as Array<[number, number]>,
        onPublished: (_t: Topic, sequence: number, _b: Uint8Array, count: number) => {
          if (hook.failing) throw new Error('disk full');
          hook.frames.push([sequence, count]);
        },
      };
      return hook;
    }

    it('gives the sequence back unbatched, so the stream has no hole', async () => {
      const hook = flakyHook();
      const publisher = new Publisher({ source, onPublished: hook.onPublished });
      publisher.publish(topic, quote(1));
      hook.failing = true;
      expect(() => publisher.publish(topic, quote(2))).toThrow('disk full');
      hook.failing = false;
      expect(publisher.publish(topic, quote(3))).toBe(2);
      expect(hook.frames).toEqual([
        [1, 1],
        [2, 1],
      ]);
      expect(publisher.stats().sent).toBe(2);
      await publisher.close();
    });

    it('keeps a timed batch it could not journal, reports it, and sends it once the hook recovers', async () => {
      const hook = flakyHook();
      const errors: unknown[] = [];
      const publisher = new Publisher({ source, batch: { maxSize: 100, maxDelayMs: 5 }, onPublished: hook.onPublished, onBackgroundError: (e) => errors.push(e) });
      hook.failing = true;
      for (let i = 1; i <= 3; i++) publisher.publish(topic, quote(i));
      await new Promise((r) => setTimeout(r, 40));
      expect(errors.length).toBeGreaterThan(0);
      expect(String(errors[0])).toContain('disk full');
      expect(publisher.stats().batched).toBe(3);
      hook.failing = false;
      await new Promise((r) => setTimeout(r, 40));
      expect(hook.frames).toEqual([[1, 3]]);
      expect(publisher.stats().batched).toBe(0);
      await publisher.close();
    });

    it('refuses the message that filled a batch it could not journal, and keeps the ones before it', async () => {
      const hook = flakyHook();
      const publisher = new Publisher({ source, batch: { maxSize: 3, maxDelayMs: 60_000 }, onPublished: hook.onPublished });
      publisher.publish(topic, quote(1));
      publisher.publish(topic, quote(2));
      hook.failing = true;
      expect(() => publisher.publish(topic, quote(3))).toThrow('disk full');
      expect(publisher.lastSequence(topic)).toBe(2);
      hook.failing = false;
      expect(publisher.publish(topic, quote(3))).toBe(3);
      expect(hook.frames).toEqual([[1, 3]]);
      await publisher.close();
    });
  });
});

