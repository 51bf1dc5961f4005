import type { wire } from '@ttquant/protocol';
import { messageJson, type DecodedFrame, type FrameItem } from './decoded-frame';
import type { MessageSource } from './envelope-stamper';
import { bitsToBigInt } from './nano-time';

/**
 * One valid message as a consumer sees it. For a batch, each item is its
 * own message; they share the envelope's header (whose `sequence` is the
 * batch's first).
 */
export interface BusMessage {
  readonly topic: string;
  /** The envelope header (built on first access). For a batch: the batch's header. */
  readonly header: wire.Header;
  /** This message's sequence in its stream (epoch, topic). */
  readonly sequence: number;
  readonly payload: wire.Payload;
  /** UTC nanoseconds: venue time when known, else receipt. */
  readonly eventTimeNs: bigint;
  /** UTC nanoseconds: when TTQuant created the message. */
  readonly initTimeNs: bigint;
  /** UTC nanoseconds: when the publisher sent the frame. */
  readonly sendTimeNs: bigint;
  /** The publisher run (its start time in UTC nanoseconds). */
  readonly epoch: bigint;
  readonly source: MessageSource;
}

/**
 * A message of a batch as the subscriber delivers it (a single message is
 * its decoded frame itself). The bigint and source fields are computed when
 * read: converting int64 values costs more than the rest of the bookkeeping,
 * and many consumers read only the payload.
 */
export class ReceivedMessage implements BusMessage {
  constructor(
    readonly topic: string,
    private readonly frame: DecodedFrame,
    private readonly item: FrameItem,
  ) {}

  get header(): wire.Header {
    return this.frame.header;
  }

  get sequence(): number {
    return this.item.sequence;
  }

  get payload(): wire.Payload {
    return this.item.payload;
  }

  get eventTimeNs(): bigint {
    return bitsToBigInt(this.item.eventLow, this.item.eventHigh);
  }

  get initTimeNs(): bigint {
    return bitsToBigInt(this.item.initLow, this.item.initHigh);
  }

  get sendTimeNs(): bigint {
    return bitsToBigInt(this.frame.sendLow, this.frame.sendHigh);
  }

  get epoch(): bigint {
    return bitsToBigInt(this.frame.epochLow, this.frame.epochHigh >>> 0);
  }

  get source(): MessageSource {
    return { service: this.frame.service, instance: this.frame.instance };
  }

  /** A plain object with every field, for logs and test assertions. */
  toJSON(): Record<string, unknown> {
    return messageJson(this);
  }
}
