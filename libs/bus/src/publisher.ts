import type { wire } from '@ttquant/protocol';
import * as zmq from 'zeromq';
import { BusClosedError } from './errors';
import { BusSocket, type BusSocketOptions } from './bus-socket';
import {
  EnvelopeStamper,
  type MessageTimes,
  type OutgoingStream,
  type PendingItem,
  type StamperOptions,
} from './envelope-stamper';
import { FamilyCounts, type SocketMetricsSnapshot } from './metrics';
import { SendQueue } from './send-queue';
import { zmqSocketOptions } from './socket-options';
import type { Topic } from './topics';

/** Grouping of same-topic messages into one frame. */
export interface BatchOptions {
  /** Flush a topic's batch when it holds this many messages. */
  readonly maxSize: number;
  /** Flush every open batch at most this long after its first message. */
  readonly maxDelayMs: number;
}

/** Called with every envelope handed on, e.g. to journal it. For a batch, `sequence` is its first item's. */
/**
 * Sees each encoded frame before it goes out: `sequence` is its first message's
 * sequence and `count` how many consecutive messages it carries (1 unless batched).
 */
export type PublishedHook = (topic: Topic, sequence: number, envelope: Uint8Array, count: number) => void;

/** Options of a {@link Publisher}. */
export interface PublisherOptions extends BusSocketOptions, StamperOptions {
  /** Group same-topic messages into batch frames. Default: one message per frame. */
  readonly batch?: BatchOptions;
  /**
   * Frames that may wait locally while zeromq has a send pending; past this,
   * `publish` throws {@link BusBackpressureError}. Default 100 000.
   */
  readonly maxQueue?: number;
  /**
   * Sees every encoded envelope before it goes out (the journal appends it
   * here). An exception propagates to `publish` and nothing is sent: unbatched,
   * the sequence is given back; batched, the messages stay in their batch and
   * go out (through the hook again) with the next flush.
   */
  readonly onPublished?: PublishedHook;
  /**
   * Told when a batch closed by its timer could not be sent (the hook threw, the
   * local queue is full or the socket failed). The batch is kept and retried
   * after `maxDelayMs` (at least 10 ms). Without it such failures go unseen
   * until the next `publish`.
   */
  readonly onBackgroundError?: (error: unknown) => void;
  /**
   * Fault injection for tests and drills: a frame (first sequence, message count)
   * for which this returns true is stamped and handed to `onPublished` (so
   * journaled) but not sent, exactly like a frame lost on the network. Never set
   * in production.
   */
  readonly dropFrame?: (topic: Topic, sequence: number, count: number) => boolean;
}

/** Counters of a {@link Publisher}. */
export interface PublisherStats {
  /** Messages stamped (batch items counted one by one). */
  readonly sent: number;
  /** Frames accepted by zeromq. */
  readonly frames: number;
  /** Frames waiting in the local queue. */
  readonly queued: number;
  /** Messages waiting in open batches. */
  readonly batched: number;
  /** Frames given up when closing timed out (never silently: also returned by `close`). */
  readonly abandoned: number;
}

interface TopicState {
  readonly stream: OutgoingStream;
  readonly family: FamilyCounts | undefined;
  items: PendingItem[];
  kind: string | undefined;
}

/** Which field of the payload's oneof is set (plain objects do not carry `kind`). */
function payloadKind(payload: wire.IPayload): string | undefined {
  for (const key in payload) {
    if ((payload as Record<string, unknown>)[key] != null) return key;
  }
  return undefined;
}

/**
 * PUB socket that stamps and encodes TTQuant envelopes. Frames are
 * `[topic, envelope]`. Services connect it to the hub's XSUB endpoint; tests
 * may bind it.
 *
 * `publish` never blocks and never drops: a PUB socket drops only inside
 * ZeroMQ at its high-water mark, which subscribers see as a sequence gap.
 *
 * @example
 * const pub = new Publisher({ source: { service: 'market-data', instance: 'md-1' } });
 * pub.connect(hub.frontend);
 * pub.publish(topics.tick('binance', 'BTC/USDT'), { quote }, { eventTimeNs });
 * await pub.close();
 */
export class Publisher extends BusSocket<zmq.Publisher> {
  /** This publisher's run: subscribers reset sequence tracking when it changes. */
  readonly epoch: bigint;
  private readonly stamper: EnvelopeStamper;
  private readonly queue: SendQueue;
  private readonly topics = new Map<string, TopicState>();
  private readonly batch: BatchOptions | undefined;
  private readonly onPublished: PublishedHook | undefined;
  private readonly onBackgroundError: ((error: unknown) => void) | undefined;
  private readonly dropFrame: ((topic: Topic, sequence: number, count: number) => boolean) | undefined;
  private readonly sentByFamily: FamilyCounts | undefined;
  private readonly openBatches = new Set<TopicState>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private sentCount = 0;
  private batchedCount = 0;
  private abandonedCount = 0;
  private closing = false;

  constructor(options: PublisherOptions) {
    // A PUB socket never blocks (at its high-water mark it drops), so a zero send
    // timeout only removes zeromq.js's readiness poll and deferred sends: every
    // send completes synchronously.
    super(new zmq.Publisher({ ...zmqSocketOptions(options, 'send'), sendTimeout: 0 }), options.name ?? 'publisher', options.registry);
    this.stamper = new EnvelopeStamper(options);
    this.epoch = this.stamper.epoch;
    this.queue = new SendQueue(this.socket, this.name, options.maxQueue ?? 100_000);
    if (options.batch) {
      const { maxSize, maxDelayMs } = options.batch;
      if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError(`batch.maxSize: expected an integer ≥ 1, was ${maxSize}`);
      if (!(maxDelayMs >= 0)) throw new RangeError(`batch.maxDelayMs: expected a delay ≥ 0, was ${maxDelayMs}`);
      this.batch = options.batch;
    }
    this.onPublished = options.onPublished;
    this.onBackgroundError = options.onBackgroundError;
    this.dropFrame = options.dropFrame;
    this.sentByFamily = this.exportsMetrics ? new FamilyCounts() : undefined;
  }

  /**
   * Stamps and sends one message; returns its sequence number in the topic's
   * stream. With batching it waits in the topic's batch until the batch is
   * full or `maxDelayMs` passed.
   *
   * Throws {@link BusBackpressureError} (nothing stamped) when the local queue is full.
   */
  publish(topic: Topic, payload: wire.IPayload, times?: MessageTimes): number {
    if (this.closing) throw new BusClosedError(this.name);
    this.queue.ensureRoom();
    let state = this.topics.get(topic);
    if (state === undefined) {
      state = {
        stream: this.stamper.stream(topic),
        family: this.sentByFamily,
        items: [],
        kind: undefined,
      };
      this.topics.set(topic, state);
    }
    const sequence = ++state.stream.sequence;
    this.sentCount++;
    if (state.family !== undefined) state.family.add(topic);
    if (this.batch === undefined) {
      const bytes = this.stamper.encodeMessage(sequence, payload, times);
      if (this.onPublished !== undefined) {
        try {
          this.onPublished(topic, sequence, bytes, 1);
        } catch (error) {
          // Nothing left the process with this sequence: give it back, so the stream has no hole.
          state.stream.sequence--;
          this.sentCount--;
          throw error;
        }
      }
      if (this.dropFrame === undefined || !this.dropFrame(topic, sequence, 1)) this.queue.push([state.stream.topicFrame, bytes]);
      return sequence;
    }
    try {
      this.addToBatch(state, this.batch, sequence, payload, times);
    } catch (error) {
      state.stream.sequence--;
      this.sentCount--;
      throw error;
    }
    return sequence;
  }

  /** Sends every open batch now. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.immediate !== undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    for (const state of this.openBatches) {
      this.sendBatch(state);
      this.openBatches.delete(state);
    }
  }

  /** Resolves when every frame waiting locally has been handed to zeromq. */
  drain(): Promise<void> {
    return this.queue.drained();
  }

  /** The last sequence used on a topic (0 if none). */
  lastSequence(topic: Topic): number {
    return this.topics.get(topic)?.stream.sequence ?? 0;
  }

  /** Counters since construction. */
  stats(): PublisherStats {
    return {
      sent: this.sentCount,
      frames: this.queue.sent,
      queued: this.queue.length,
      batched: this.batchedCount,
      abandoned: this.abandonedCount,
    };
  }

  /** @inheritdoc */
  metricsSnapshot(): SocketMetricsSnapshot {
    return { sent: this.sentByFamily?.snapshot(), queued: this.queue.length };
  }

  /**
   * Flushes open batches, waits up to `timeoutMs` (default: the linger) for
   * the local queue to reach zeromq, then closes. Resolves with the number of
   * frames it had to abandon (0 normally).
   */
  async close(timeoutMs = 1000): Promise<number> {
    if (this.closing) return 0;
    this.closing = true;
    let abandoned = 0;
    try {
      this.flush();
      if (this.queue.length > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.queue.drained(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
        clearTimeout(timer);
      }
    } finally {
      // Whatever failed above, the socket is released.
      abandoned = this.queue.abandon();
      this.abandonedCount += abandoned;
      this.closeSocket();
    }
    return abandoned;
  }

  private addToBatch(state: TopicState, batch: BatchOptions, sequence: number, payload: wire.IPayload, times: MessageTimes | undefined): void {
    // A batch carries one kind of message (the envelope rule): quotes and trades share md.tick topics.
    const kind = payloadKind(payload);
    if (state.items.length > 0 && kind !== state.kind) this.sendBatch(state);
    state.kind = kind;
    state.items.push(this.stamper.pendingItem(sequence, payload, times));
    this.batchedCount++;
    if (state.items.length >= batch.maxSize) {
      try {
        this.sendBatch(state);
      } catch (error) {
        // This message is refused (publish throws); the ones before it stay in the open batch.
        state.items.pop();
        this.batchedCount--;
        if (state.items.length > 0) {
          this.openBatches.add(state);
          this.armFlush(batch);
        }
        throw error;
      }
      this.openBatches.delete(state);
      return;
    }
    this.openBatches.add(state);
    this.armFlush(batch);
  }

  private armFlush(batch: BatchOptions): void {
    // A delay of 0 closes the batch at the end of this event-loop turn: no timer granularity added.
    if (batch.maxDelayMs === 0) this.immediate ??= setImmediate(() => this.onTimer());
    else if (this.timer === undefined) this.timer = setTimeout(() => this.onTimer(), batch.maxDelayMs);
  }

  private onTimer(): void {
    this.timer = undefined;
    this.immediate = undefined;
    try {
      this.flush();
    } catch (error) {
      // The batches that could not go out are still open: try again later rather than wait for a publish.
      if (!this.closing && this.openBatches.size > 0) {
        this.timer = setTimeout(() => this.onTimer(), Math.max(10, this.batch?.maxDelayMs ?? 0));
      }
      this.onBackgroundError?.(error);
    }
  }

  private sendBatch(state: TopicState): void {
    const items = state.items;
    if (items.length === 0) return;
    const bytes = this.stamper.encodeBatch(items);
    const first = items[0] as PendingItem;
    // The hook (the journal) must take the frame before its messages leave the batch: if it throws they stay.
    if (this.onPublished !== undefined) this.onPublished(state.stream.topic, first.sequence, bytes, items.length);
    state.items = [];
    this.batchedCount -= items.length;
    if (this.dropFrame === undefined || !this.dropFrame(state.stream.topic, first.sequence, items.length)) {
      this.queue.push([state.stream.topicFrame, bytes]);
    }
  }
}
