import type { BusMessage } from '@ttquant/bus';
import { wire } from '@ttquant/protocol';
import type { ParkDestination, RowParker } from '@ttquant/storage';

/** The `table_name` under which whole bus messages are parked in `ttq_parked_rows`. */
export const PARKED_MESSAGES_TABLE = 'bus_messages';

/** A bus message as kept in `ttq_parked_rows`: its stream position and its payload bytes. */
export interface ParkedMessageRecord {
  readonly topic: string;
  readonly sourceService: string;
  readonly sourceInstance: string;
  readonly epoch: string;
  readonly sequence: number;
  readonly eventTimeNs: string;
  /** The protobuf `Payload` exactly as it can be decoded again (base64). */
  readonly payloadBase64: string;
}

/** The parked form of one message; the payload is re-encoded from the decoded protobuf, which round-trips. */
export function parkedMessageRecord(message: BusMessage): ParkedMessageRecord {
  return {
    topic: message.topic,
    sourceService: message.source.service,
    sourceInstance: message.source.instance,
    epoch: message.epoch.toString(),
    sequence: message.sequence,
    eventTimeNs: message.eventTimeNs.toString(),
    payloadBase64: Buffer.from(wire.Payload.encode(message.payload).finish()).toString('base64'),
  };
}

/**
 * Keeps messages persistence received but cannot turn into rows (a payload the
 * codecs refuse, a value a mapper rejects): parked whole in `ttq_parked_rows`
 * (else the park file) with the parker's alert, instead of only being counted.
 * Their sequences still count as handled, so the stream's progress moves on:
 * the message is kept here, not lost. Each is parked under its stream position
 * ({@link parkedMessageKey}): a replay delivers the same bad message again
 * (with a new receive-side event time when it had none), and it is kept and
 * alerted once.
 */
export class MessageParker {
  private readonly pending = new Set<Promise<ParkDestination | undefined>>();

  constructor(private readonly parker: Pick<RowParker, 'parkKeyed'>) {}

  /** Parks one message with why it could not be stored; `undefined` when it was parked before. Never throws. */
  park(message: BusMessage, reason: string, detail: string): Promise<ParkDestination | undefined> {
    const task = this.parkOnce(parkedMessageRecord(message), `${reason}: ${detail}`);
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
    return task;
  }

  private async parkOnce(record: ParkedMessageRecord, reason: string): Promise<ParkDestination | undefined> {
    return await this.parker.parkKeyed(PARKED_MESSAGES_TABLE, [{ key: parkedMessageKey(record), record: { ...record } }], reason, undefined, 0);
  }

  /** Resolves once every message parked so far is stored aside. */
  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

/**
 * The `park_key` of a parked message: its stream position (topic, source,
 * epoch, sequence), which names the message, as JSON. It is also how the
 * record's JSON text begins (its keys come in this order), which is how
 * storage's migration 3 gave messages parked before the key existed theirs:
 * keep the two in step.
 */
export function parkedMessageKey(record: ParkedMessageRecord): string {
  const { topic, sourceService, sourceInstance, epoch, sequence } = record;
  return JSON.stringify({ topic, sourceService, sourceInstance, epoch, sequence });
}
