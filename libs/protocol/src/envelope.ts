import { isWellFormedText } from './codecs/text';
import { ProtocolError } from './errors';
import { SCHEMA_VERSION, wire, type Int64Like } from './wire';

/** An envelope whose header and body passed validation: safe to hand to codecs. */
export interface ValidEnvelope {
  readonly header: wire.Header;
  /** One payload for a single message; several for a batch, in sequence order. */
  readonly items: readonly ValidItem[];
}

/** One message of an envelope with the times that belong to it. */
export interface ValidItem {
  /** header.sequence + index within the batch. */
  readonly sequence: number;
  readonly eventTimeNs: Int64Like;
  readonly initTimeNs: Int64Like;
  readonly payload: wire.Payload;
}

/** Encodes an envelope to bytes. */
export function encodeEnvelope(envelope: wire.IEnvelope): Uint8Array {
  return wire.Envelope.encode(envelope).finish();
}

/**
 * Decodes and validates an envelope. Total: any input gives either a fully
 * valid envelope or a {@link ProtocolError} naming the field; protobufjs'
 * own exceptions never escape.
 */
export function decodeEnvelope(bytes: Uint8Array): ValidEnvelope {
  let envelope: wire.Envelope;
  try {
    envelope = wire.Envelope.decode(bytes);
  } catch (err) {
    throw new ProtocolError('envelope', 'a protobuf-encoded Envelope', describeDecodeFailure(err, bytes));
  }
  return validateEnvelope(envelope);
}

/** Validates an already decoded envelope (see {@link decodeEnvelope}). */
export function validateEnvelope(envelope: wire.Envelope): ValidEnvelope {
  // Decoded sub-messages are class instances with defaults filled in; the typings only say "interface".
  const header = envelope.header as wire.Header | null;
  if (!header) throw new ProtocolError('header', 'a header', 'none');
  validateHeader(header);
  const first = sequenceNumber(header.sequence);

  if (envelope.body === 'message') {
    const payload = envelope.message as wire.Payload;
    requirePayload(payload, 'message');
    return {
      header,
      items: [{ sequence: first, eventTimeNs: header.eventTimeNs, initTimeNs: header.initTimeNs, payload }],
    };
  }
  if (envelope.body === 'batch') {
    const batch = envelope.batch as wire.Batch;
    if (batch.items.length === 0) throw new ProtocolError('batch.items', 'at least one item', 'an empty batch');
    const items: ValidItem[] = new Array(batch.items.length);
    let kind: string | undefined;
    for (let i = 0; i < batch.items.length; i++) {
      const item = batch.items[i] as wire.BatchItem;
      const payload = item.payload as wire.Payload | null;
      requirePayload(payload, `batch.items[${i}].payload`);
      // A batch carries one topic, hence one kind of message.
      if (kind === undefined) kind = payload.kind;
      else if (payload.kind !== kind) {
        throw new ProtocolError(`batch.items[${i}].payload`, `a ${kind} like the first item`, `a ${payload.kind}`);
      }
      items[i] = { sequence: first + i, eventTimeNs: item.eventTimeNs, initTimeNs: item.initTimeNs, payload };
    }
    return { header, items };
  }
  throw new ProtocolError('body', 'a message or a batch', 'none');
}

function validateHeader(header: wire.Header): void {
  if (header.schemaVersion !== SCHEMA_VERSION) {
    throw new ProtocolError('header.schemaVersion', `${SCHEMA_VERSION}`, `${header.schemaVersion}`);
  }
  if (header.sourceService === '') throw new ProtocolError('header.sourceService', 'a service name', 'empty');
  if (header.sourceInstance === '') throw new ProtocolError('header.sourceInstance', 'an instance id', 'empty');
  // Malformed UTF-8 decodes to lone surrogates, which re-encode differently.
  if (!isWellFormedText(header.sourceService)) {
    throw new ProtocolError('header.sourceService', 'well-formed UTF-8 text', JSON.stringify(header.sourceService));
  }
  if (!isWellFormedText(header.sourceInstance)) {
    throw new ProtocolError('header.sourceInstance', 'well-formed UTF-8 text', JSON.stringify(header.sourceInstance));
  }
  if (isZero(header.epoch)) throw new ProtocolError('header.epoch', 'a non-zero epoch', '0');
}

function sequenceNumber(value: Int64Like): number {
  const n = typeof value === 'number' ? value : value.toNumber();
  // Sequences count messages of one publisher run: far below 2^53 in practice.
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ProtocolError('header.sequence', 'an integer from 1 to 2^53-1', String(value));
  }
  return n;
}

function requirePayload(payload: wire.Payload | null | undefined, field: string): asserts payload is wire.Payload {
  if (!payload || payload.kind === undefined) throw new ProtocolError(field, 'one payload message', 'none');
}

function isZero(value: Int64Like): boolean {
  return typeof value === 'number' ? value === 0 : value.isZero();
}

function describeDecodeFailure(err: unknown, bytes: Uint8Array): string {
  const reason = err instanceof Error ? err.message : String(err);
  return `${bytes.length} bytes that failed to decode (${reason})`;
}
