import type { Clock } from '@ttquant/domain';
import { Long, SCHEMA_VERSION, bigIntToInt64, wire } from '@ttquant/protocol';
import { NOT_FAST, payloadSize, varint32Size, writePayload, writeVarint32 } from './fast-payload-writer';
import { NanoClock, writeBigInt } from './nano-time';
import type { Topic } from './topics';

/** Who published a message: a service and one of its instances. */
export interface MessageSource {
  readonly service: string;
  readonly instance: string;
}

/** Optional times of an outgoing message, UTC nanoseconds. */
export interface MessageTimes {
  /** Venue time when known; defaults to the init time. */
  readonly eventTimeNs?: bigint;
  /** When TTQuant created the message; defaults to the send time. */
  readonly initTimeNs?: bigint;
}

/** Identity and clock of a sending socket. */
export interface StamperOptions {
  readonly source: MessageSource;
  /**
   * Fixes the epoch (tests, or a restart that must continue a journal).
   * Default: the construction time in UTC nanoseconds, unique within the process.
   */
  readonly epoch?: bigint;
  /** Clock for send (and default init) times. Default: the wall clock. */
  readonly clock?: Clock;
}

/** The sending state of one topic: its encoded topic frame and last sequence used. */
export interface OutgoingStream {
  readonly topic: Topic;
  readonly topicFrame: Buffer;
  /** The last sequence number handed out; 0 before the first message. */
  sequence: number;
}

/** One message waiting in a batch, its times captured when it was published. */
export interface PendingItem {
  readonly sequence: number;
  readonly eventTimeNs: Long;
  readonly initTimeNs: Long;
  readonly payload: wire.IPayload;
}

let lastEpoch = 0n;

/** A process-unique epoch: the current time in ns, bumped if two sockets start within one tick. */
function nextEpoch(clock: NanoClock): bigint {
  let epoch = clock.now();
  if (epoch <= lastEpoch) epoch = lastEpoch + 1n;
  lastEpoch = epoch;
  return epoch;
}

function requireName(field: string, value: string): void {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) {
    throw new TypeError(`source.${field}: expected a non-empty name of letters, digits, "_" or "-", was ${JSON.stringify(value)}`);
  }
}

const EMPTY_ENVELOPE: wire.IEnvelope = {};

// Module bindings taken once: each `wire.X` through the compiled re-exports is a getter chain.
const { Batch, Envelope, Payload } = wire;
const LongBits = Long;

/**
 * Field tags (field number << 3 | wire type) of envelope.proto written by
 * hand. Header fields 1-4 (schema version, source, epoch) are encoded once by
 * the generated encoder.
 */
const TAG = {
  envelopeHeader: 0x0a,
  envelopeMessage: 0x12,
  envelopeBatch: 0x1a,
  sequence: 0x28,
  eventTime: 0x31,
  initTime: 0x39,
  sendTime: 0x41,
} as const;

/** Room for the varying header fields: sequence varint (≤ 10) + tags + three 8-byte times. */
const HEADER_TAIL_BYTES = 1 + 10 + 3 * 9;

/**
 * Stamps outgoing envelopes: schema version, source, epoch, per-topic
 * sequence (from 1) and times.
 *
 * The header is written by hand: its constant part (schema version, source,
 * epoch) is encoded once, and only the sequence and the three times are
 * written per message into a reused buffer. Quotes and trades are written by
 * hand too (see fast-payload-writer), straight into one buffer of the exact
 * size; other payloads go through the generated encoder. Either way the bytes
 * are those the generated encoder writes (the spec compares them).
 */
export class EnvelopeStamper {
  /** Fixed for the life of this stamper; changes whenever a publisher restarts. */
  readonly epoch: bigint;
  readonly source: MessageSource;
  private readonly clock: NanoClock;
  private readonly streams = new Map<string, OutgoingStream>();
  private readonly sendTime = new Long(0, 0);
  private readonly eventTime = new Long(0, 0);
  private readonly initTime = new Long(0, 0);
  private readonly headerBytes: Buffer;
  private readonly headerPrefixLength: number;
  // Views of headerBytes by sequence varint length: creating a view per message costs more than the rest of the header.
  private readonly headerViews: Buffer[] = [];
  private readonly batch: { items: wire.IBatchItem[] } = { items: [] };

  constructor(options: StamperOptions) {
    requireName('service', options.source.service);
    requireName('instance', options.source.instance);
    this.source = { service: options.source.service, instance: options.source.instance };
    this.clock = new NanoClock(options.clock);
    if (options.epoch !== undefined && (options.epoch <= 0n || options.epoch >= 1n << 64n)) {
      throw new RangeError(`epoch: expected a nanosecond time from 1 to 2^64-1, was ${options.epoch}`);
    }
    this.epoch = options.epoch ?? nextEpoch(this.clock);
    const prefix = wire.Header.encode({
      schemaVersion: SCHEMA_VERSION,
      sourceService: this.source.service,
      sourceInstance: this.source.instance,
      epoch: bigIntToInt64(this.epoch, true),
    }).finish();
    this.headerBytes = Buffer.alloc(prefix.length + HEADER_TAIL_BYTES);
    this.headerBytes.set(prefix, 0);
    this.headerPrefixLength = prefix.length;
    for (let varintLength = 1; varintLength <= 10; varintLength++) {
      this.headerViews[varintLength] = this.headerBytes.subarray(0, prefix.length + 1 + varintLength + 27);
    }
  }

  /** The sending state of a topic, created on first use. */
  stream(topic: Topic): OutgoingStream {
    let stream = this.streams.get(topic);
    if (stream === undefined) {
      stream = { topic, topicFrame: Buffer.from(topic, 'utf8'), sequence: 0 };
      this.streams.set(topic, stream);
    }
    return stream;
  }

  /** Takes the next sequence number of a stream. */
  nextSequence(stream: OutgoingStream): number {
    return ++stream.sequence;
  }

  /** Encodes one message with the given sequence; times default as documented in {@link MessageTimes}. */
  encodeMessage(sequence: number, payload: wire.IPayload, times: MessageTimes | undefined): Uint8Array {
    this.clock.writeNow(this.sendTime);
    this.stampTimes(times, this.eventTime, this.initTime);
    const header = this.writeHeader(sequence);
    const body = payloadSize(payload);
    if (body !== NOT_FAST) {
      const out = Buffer.allocUnsafe(1 + varint32Size(header.length) + header.length + 1 + varint32Size(body) + body);
      let pos = this.putHeader(out, header);
      out[pos++] = TAG.envelopeMessage;
      pos = writeVarint32(out, pos, body);
      writePayload(out, pos);
      return out;
    }
    const writer = Envelope.encode(EMPTY_ENVELOPE);
    writer.uint32(TAG.envelopeHeader).bytes(header);
    Payload.encode(payload, writer.uint32(TAG.envelopeMessage).fork()).ldelim();
    return writer.finish();
  }

  /** Captures a message's times now, for a batch that is encoded later. */
  pendingItem(sequence: number, payload: wire.IPayload, times: MessageTimes | undefined): PendingItem {
    const eventTimeNs = new LongBits(0, 0);
    const initTimeNs = new LongBits(0, 0);
    this.clock.writeNow(this.sendTime);
    this.stampTimes(times, eventTimeNs, initTimeNs);
    return { sequence, eventTimeNs, initTimeNs, payload };
  }

  /** Encodes consecutive items of one topic as one batch envelope; the header carries the first sequence. */
  encodeBatch(items: readonly PendingItem[]): Uint8Array {
    const first = items[0];
    if (first === undefined) throw new RangeError('batch: expected at least one item, was none');
    this.clock.writeNow(this.sendTime);
    this.eventTime.low = first.eventTimeNs.low;
    this.eventTime.high = first.eventTimeNs.high;
    this.initTime.low = first.initTimeNs.low;
    this.initTime.high = first.initTimeNs.high;
    const header = this.writeHeader(first.sequence);
    const fast = this.fastBatch(items, header);
    if (fast !== undefined) return fast;
    const writer = Envelope.encode(EMPTY_ENVELOPE);
    writer.uint32(TAG.envelopeHeader).bytes(header);
    this.batch.items = items as PendingItem[];
    Batch.encode(this.batch, writer.uint32(TAG.envelopeBatch).fork()).ldelim();
    this.batch.items = [];
    return writer.finish();
  }

  /** A batch of quotes or trades, written by hand; undefined if any item needs the generated encoder. */
  private fastBatch(items: readonly PendingItem[], header: Buffer): Buffer | undefined {
    // BatchItem: event time (0x09), init time (0x11), payload (0x1a).
    let batchSize = 0;
    for (const item of items) {
      const body = payloadSize(item.payload);
      if (body === NOT_FAST) return undefined;
      const itemSize = 9 + 9 + 1 + varint32Size(body) + body;
      batchSize += 1 + varint32Size(itemSize) + itemSize;
    }
    const out = Buffer.allocUnsafe(1 + varint32Size(header.length) + header.length + 1 + varint32Size(batchSize) + batchSize);
    let pos = this.putHeader(out, header);
    out[pos++] = TAG.envelopeBatch;
    pos = writeVarint32(out, pos, batchSize);
    for (const item of items) {
      const body = payloadSize(item.payload);
      out[pos++] = 0x0a;
      pos = writeVarint32(out, pos, 9 + 9 + 1 + varint32Size(body) + body);
      pos = writeFixed64(out, pos, 0x09, item.eventTimeNs);
      pos = writeFixed64(out, pos, 0x11, item.initTimeNs);
      out[pos++] = 0x1a;
      pos = writeVarint32(out, pos, body);
      pos = writePayload(out, pos);
    }
    return out;
  }

  /** Writes the envelope's header field (tag, length, bytes) at the start of `out`. */
  private putHeader(out: Buffer, header: Buffer): number {
    out[0] = TAG.envelopeHeader;
    const pos = writeVarint32(out, 1, header.length);
    out.set(header, pos);
    return pos + header.length;
  }

  /** Writes the varying header fields after the constant prefix; returns a view of the whole header. */
  private writeHeader(sequence: number): Buffer {
    const bytes = this.headerBytes;
    let pos = this.headerPrefixLength;
    bytes[pos++] = TAG.sequence;
    // Unsigned varint of a safe integer: 7 bits at a time (no 32-bit shifts, sequences may pass 2^32).
    let rest = sequence;
    while (rest >= 0x80) {
      bytes[pos++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    bytes[pos++] = rest;
    const varintLength = pos - this.headerPrefixLength - 1;
    pos = writeFixed64(bytes, pos, TAG.eventTime, this.eventTime);
    pos = writeFixed64(bytes, pos, TAG.initTime, this.initTime);
    writeFixed64(bytes, pos, TAG.sendTime, this.sendTime);
    return this.headerViews[varintLength] as Buffer;
  }

  private stampTimes(times: MessageTimes | undefined, event: Long, init: Long): void {
    const initNs = times?.initTimeNs;
    if (initNs === undefined) {
      init.low = this.sendTime.low;
      init.high = this.sendTime.high;
    } else {
      writeBigInt(init, initNs);
    }
    const eventNs = times?.eventTimeNs;
    if (eventNs === undefined) {
      event.low = init.low;
      event.high = init.high;
    } else {
      writeBigInt(event, eventNs);
    }
  }
}

function writeFixed64(bytes: Buffer, pos: number, tag: number, value: Long): number {
  bytes[pos] = tag;
  bytes.writeInt32LE(value.low, pos + 1);
  bytes.writeInt32LE(value.high, pos + 5);
  return pos + 9;
}
