import type { UnixNanos } from '@ttquant/domain';
import { encodeEnvelope, validateEnvelope } from '../envelope';
import { ProtocolError } from '../errors';
import { wire } from '../wire';
import { rebase } from './field-path';
import { decodePayloadAt, encodePayload, ownTimes, type DomainMessage } from './payload-codec';
import { readTime, writeTime } from './scalars';

/** One decoded message of an envelope, with its stream sequence and its times. */
export interface DecodedMessage {
  /** header.sequence plus the index within a batch. */
  readonly sequence: number;
  /** Venue time when known, else receipt (the envelope item's event time). */
  readonly eventTime: UnixNanos;
  /** When TTQuant created the message. */
  readonly initTime: UnixNanos;
  readonly message: DomainMessage;
}

/** A fully decoded envelope: the validated header and every message, in sequence order. */
export interface DecodedMessages {
  readonly header: wire.Header;
  readonly messages: readonly DecodedMessage[];
}

/** A message to send; times default to the ones the message carries itself (market data, fills). */
export interface OutgoingMessage {
  readonly message: DomainMessage;
  readonly eventTime?: UnixNanos;
  readonly initTime?: UnixNanos;
}

/**
 * Decodes envelope bytes into domain messages: envelope validation plus
 * {@link decodePayload} for every item. Total: any input gives either a fully
 * valid result or a {@link ProtocolError} whose field is a path from the
 * envelope's root, e.g. `message.quote.bidPrice`, `batch.items[2].payload.fill.price`
 * or `header.eventTimeNs`.
 */
export function decodeMessages(bytes: Uint8Array): DecodedMessages {
  let envelope: wire.Envelope;
  try {
    envelope = wire.Envelope.decode(bytes);
  } catch (err) {
    // Same shape as decodeEnvelope's; decoded here because error paths depend on
    // whether the body was a single message or a batch, which ValidEnvelope hides.
    const reason = err instanceof Error ? err.message : String(err);
    const found = `${bytes.length} bytes that failed to decode (${reason})`;
    throw new ProtocolError('envelope', 'a protobuf-encoded Envelope', found);
  }
  const valid = validateEnvelope(envelope);
  const single = envelope.body === 'message';
  const items = valid.items;
  const messages: DecodedMessage[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as (typeof items)[number];
    let eventTime: UnixNanos;
    let initTime: UnixNanos;
    try {
      eventTime = readTime(item.eventTimeNs, '', 'eventTimeNs');
      initTime = readTime(item.initTimeNs, '', 'initTimeNs');
    } catch (err) {
      throw rebase(err, single ? 'header' : `batch.items[${i}]`);
    }
    let message: DomainMessage;
    try {
      message = decodePayloadAt(item.payload, eventTime, initTime);
    } catch (err) {
      throw rebase(err, single ? 'message' : `batch.items[${i}].payload`);
    }
    messages[i] = { sequence: item.sequence, eventTime, initTime, message };
  }
  return { header: valid.header, messages };
}

/**
 * Encodes messages of one stream into envelope bytes: one message as a single
 * envelope whose header carries its times, several as a batch (the header's
 * times are then left as given). The header supplies source, epoch, the first
 * sequence and the send time.
 * @throws ProtocolError when there is no message, a message has no time and
 * carries none itself, or a value cannot be represented on the wire.
 *
 * @example
 * encodeMessages({ schemaVersion: SCHEMA_VERSION, sourceService: 'market-data', sourceInstance: 'md-1',
 *   epoch, sequence, sendTimeNs }, [{ message: { kind: 'quote', value: quote } }]);
 */
export function encodeMessages(header: wire.IHeader, messages: readonly OutgoingMessage[]): Uint8Array {
  if (messages.length === 0) throw new ProtocolError('messages', 'at least one message', 'none');
  if (messages.length === 1) {
    const item = encodeItem(messages[0] as OutgoingMessage, 0);
    return encodeEnvelope({
      header: { ...header, eventTimeNs: item.eventTimeNs, initTimeNs: item.initTimeNs },
      message: item.payload,
    });
  }
  const items: wire.IBatchItem[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) items[i] = encodeItem(messages[i] as OutgoingMessage, i);
  return encodeEnvelope({ header, batch: { items } });
}

/** One message as a batch item; errors are rooted at `messages[index]`, built only when thrown. */
function encodeItem(m: OutgoingMessage, index: number): wire.IBatchItem {
  try {
    let eventTime = m.eventTime;
    let initTime = m.initTime;
    if (eventTime === undefined || initTime === undefined) {
      const own = ownTimes(m.message);
      eventTime ??= own.eventTime;
      initTime ??= own.initTime;
    }
    if (eventTime === undefined) {
      throw new ProtocolError('eventTime', `an event time (a ${m.message.kind} carries none)`, 'none');
    }
    if (initTime === undefined) {
      throw new ProtocolError('initTime', `an init time (a ${m.message.kind} carries none)`, 'none');
    }
    return {
      eventTimeNs: writeTime(eventTime, '', 'eventTime'),
      initTimeNs: writeTime(initTime, '', 'initTime'),
      payload: encodePayload(m.message),
    };
  } catch (err) {
    throw rebase(err, `messages[${index}]`);
  }
}
