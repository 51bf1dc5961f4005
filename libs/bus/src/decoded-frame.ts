import { Long, wire, type Int64Like, type ValidEnvelope } from '@ttquant/protocol';
import type { BusMessage } from './bus-message';
import type { MessageSource } from './envelope-stamper';
import { bitsToBigInt } from './nano-time';

const { Header } = wire;
const LongBits = Long;

/** One message of a decoded frame: its sequence, its times as 32-bit halves, its payload. */
export interface FrameItem {
  readonly sequence: number;
  readonly eventLow: number;
  readonly eventHigh: number;
  readonly initLow: number;
  readonly initHigh: number;
  readonly payload: wire.Payload;
}

/** Bits of {@link DecodedFrame.present}: which header fields were on the wire. */
export const HeaderField = {
  schemaVersion: 1,
  sourceService: 2,
  sourceInstance: 4,
  epoch: 8,
  sequence: 16,
  eventTimeNs: 32,
  initTimeNs: 64,
  sendTimeNs: 128,
} as const;

/**
 * A decoded and validated envelope, in the form the receive path needs:
 * source strings and 64-bit values as 32-bit halves (no Long per field). The
 * header object of the generated code is built only if someone asks for it.
 *
 * A single-message frame is its own {@link FrameItem} and, once the reader
 * has set its topic, its own {@link BusMessage}: that saves three objects per
 * message on the hot path. A batch lists its items in `batch`.
 */
export class DecodedFrame implements FrameItem, BusMessage {
  private built: wire.Header | undefined;
  /** Set by the reader (the topic travels in its own frame). */
  topic = '';

  constructor(
    readonly service: string,
    readonly instance: string,
    /** Unsigned halves of the epoch. */
    readonly epochLow: number,
    readonly epochHigh: number,
    /** Halves (two's complement) of the send time. */
    readonly sendLow: number,
    readonly sendHigh: number,
    /** The header's sequence: the message's, or a batch's first. */
    readonly sequence: number,
    /** Halves of the header's event and init times. */
    readonly eventLow: number,
    readonly eventHigh: number,
    readonly initLow: number,
    readonly initHigh: number,
    /** The message of a single-message frame; a batch's first item's payload otherwise. */
    readonly payload: wire.Payload,
    /** The items of a batch, in sequence order; undefined for a single message. */
    readonly batch: readonly FrameItem[] | undefined,
    private readonly schemaVersion: number,
    private readonly sequenceLow: number,
    private readonly sequenceHigh: number,
    /** {@link HeaderField} bits of the fields present on the wire. */
    private readonly present: number,
    header?: wire.Header,
  ) {
    this.built = header;
  }

  /** @inheritdoc */
  get eventTimeNs(): bigint {
    return bitsToBigInt(this.eventLow, this.eventHigh);
  }

  /** @inheritdoc */
  get initTimeNs(): bigint {
    return bitsToBigInt(this.initLow, this.initHigh);
  }

  /** @inheritdoc */
  get sendTimeNs(): bigint {
    return bitsToBigInt(this.sendLow, this.sendHigh);
  }

  /** @inheritdoc */
  get epoch(): bigint {
    return bitsToBigInt(this.epochLow, this.epochHigh >>> 0);
  }

  /** @inheritdoc */
  get source(): MessageSource {
    return { service: this.service, instance: this.instance };
  }

  /** A plain object with every field, for logs and test assertions. */
  toJSON(): Record<string, unknown> {
    return messageJson(this);
  }

  /** The header as the generated decoder would have built it (same own fields, same values). */
  get header(): wire.Header {
    if (this.built === undefined) {
      const header = new Header();
      const present = this.present;
      if (present & HeaderField.schemaVersion) header.schemaVersion = this.schemaVersion;
      if (present & HeaderField.sourceService) header.sourceService = this.service;
      if (present & HeaderField.sourceInstance) header.sourceInstance = this.instance;
      if (present & HeaderField.epoch) header.epoch = new LongBits(this.epochLow | 0, this.epochHigh | 0, true);
      if (present & HeaderField.sequence) header.sequence = new LongBits(this.sequenceLow | 0, this.sequenceHigh | 0, true);
      if (present & HeaderField.eventTimeNs) header.eventTimeNs = new LongBits(this.eventLow | 0, this.eventHigh | 0, false);
      if (present & HeaderField.initTimeNs) header.initTimeNs = new LongBits(this.initLow | 0, this.initHigh | 0, false);
      if (present & HeaderField.sendTimeNs) header.sendTimeNs = new LongBits(this.sendLow | 0, this.sendHigh | 0, false);
      this.built = header;
    }
    return this.built;
  }
}

/** The fields of a message as JSON-friendly values (bigints as text). */
export function messageJson(message: BusMessage): Record<string, unknown> {
  return {
    topic: message.topic,
    source: message.source,
    epoch: message.epoch.toString(),
    sequence: message.sequence,
    eventTimeNs: message.eventTimeNs.toString(),
    initTimeNs: message.initTimeNs.toString(),
    sendTimeNs: message.sendTimeNs.toString(),
    payload: message.payload.toJSON(),
  };
}

function halves(value: Int64Like): [number, number] {
  if (typeof value === 'number') {
    const bits = LongBits.fromNumber(value);
    return [bits.low, bits.high];
  }
  return [value.low, value.high];
}

/** The same frame from an envelope the protocol's decoder produced (the slow path). */
export function frameFromEnvelope(envelope: ValidEnvelope): DecodedFrame {
  const header = envelope.header;
  const [epochLow, epochHigh] = halves(header.epoch);
  const [sendLow, sendHigh] = halves(header.sendTimeNs);
  const [sequenceLow, sequenceHigh] = halves(header.sequence);
  const [eventLow, eventHigh] = halves(header.eventTimeNs);
  const [initLow, initHigh] = halves(header.initTimeNs);
  const items = envelope.items.map((item): FrameItem => {
    const [itemEventLow, itemEventHigh] = halves(item.eventTimeNs);
    const [itemInitLow, itemInitHigh] = halves(item.initTimeNs);
    return {
      sequence: item.sequence,
      eventLow: itemEventLow,
      eventHigh: itemEventHigh,
      initLow: itemInitLow,
      initHigh: itemInitHigh,
      payload: item.payload,
    };
  });
  const first = items[0] as FrameItem;
  // Always as a batch: the protocol's result does not say whether the body was one message or a batch of one.
  return new DecodedFrame(
    header.sourceService,
    header.sourceInstance,
    epochLow >>> 0,
    epochHigh >>> 0,
    sendLow,
    sendHigh,
    first.sequence,
    eventLow,
    eventHigh,
    initLow,
    initHigh,
    first.payload,
    items,
    header.schemaVersion,
    sequenceLow,
    sequenceHigh,
    0,
    header,
  );
}
