import { Long, SCHEMA_VERSION, decodeEnvelope, wire } from '@ttquant/protocol';
import { DecodedFrame, HeaderField, frameFromEnvelope, type FrameItem } from './decoded-frame';
import { StringCache, type SliceableBuffer } from './string-cache';

/*
 * A faster equivalent of the protocol's `decodeEnvelope` for the receive hot
 * path. It parses the envelope, its header, batches and the two hot payloads
 * (QuoteTick, TradeTick) by hand: payloads into the very same generated
 * classes with the same field values, the header into plain numbers (its
 * generated object is built only on demand). It accepts only frames that the
 * protocol's validation accepts, laid out as the publisher writes them.
 * Other payload kinds go through the generated decoder. Anything unusual
 * (unknown field, unexpected wire type or order, truncation, a varint that
 * does not end where it should, any validation failure) abandons the fast
 * parse and decodes the whole frame with `decodeEnvelope`, so malformed input
 * gets exactly the protocol's ProtocolError. The spec compares both decoders
 * on valid, truncated and corrupted frames.
 */

// Module bindings taken once: each `wire.X` through the compiled re-exports is a getter chain.
const { Decimal, InstrumentId, Payload, QuoteTick, TradeTick } = wire;
const LongBits = Long;

/** Thrown internally when the fast parse meets something it does not handle. */
const GIVE_UP: unique symbol = Symbol('give up');

const EMPTY = Buffer.alloc(0) as SliceableBuffer;

// Cursor of the frame being parsed (the parse is synchronous and not re-entrant).
let buf: SliceableBuffer = EMPTY;
let pos = 0;

// Halves of the last 64-bit value read.
let low = 0;
let high = 0;

function varint32(end: number): number {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) throw GIVE_UP;
    const byte = buf[pos++] as number;
    if (shift === 28) {
      // A fifth byte carries four bits; longer encodings are left to the generated decoder.
      if (byte > 0x0f) throw GIVE_UP;
      return (value | (byte << 28)) >>> 0;
    }
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return value >>> 0;
  }
  throw GIVE_UP;
}

/** Reads an unsigned varint of up to 64 bits into low/high. */
function varint64(end: number): void {
  low = 0;
  high = 0;
  for (let i = 0; i < 4; i++) {
    if (pos >= end) throw GIVE_UP;
    const byte = buf[pos++] as number;
    low = (low | ((byte & 0x7f) << (i * 7))) >>> 0;
    if (byte < 0x80) return;
  }
  if (pos >= end) throw GIVE_UP;
  let byte = buf[pos++] as number;
  low = (low | ((byte & 0x7f) << 28)) >>> 0;
  high = (byte & 0x7f) >> 4;
  if (byte < 0x80) return;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) throw GIVE_UP;
    byte = buf[pos++] as number;
    high = (high | ((byte & 0x7f) << (i * 7 + 3))) >>> 0;
    if (byte < 0x80) return;
  }
  throw GIVE_UP;
}

function fixed64(end: number): void {
  if (pos + 8 > end) throw GIVE_UP;
  const b = buf;
  const p = pos;
  low = ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24)) >>> 0;
  high = ((b[p + 4] as number) | ((b[p + 5] as number) << 8) | ((b[p + 6] as number) << 16) | ((b[p + 7] as number) << 24)) >>> 0;
  pos = p + 8;
}

/** The end of a length-delimited field starting at pos. */
function delimited(end: number): number {
  const length = varint32(end);
  const stop = pos + length;
  if (stop > end) throw GIVE_UP;
  return stop;
}

const strings = new StringCache();

function string(end: number): string {
  const stop = delimited(end);
  const start = pos;
  pos = stop;
  return strings.decode(buf, start, stop);
}

function decimal(end: number): wire.Decimal {
  const stop = delimited(end);
  const message = new Decimal();
  while (pos < stop) {
    const tag = buf[pos++];
    if (tag === 0x08) {
      varint64(stop);
      // Zig-zag, as protobufjs' sint64.
      const mask = -(low & 1);
      const l = (((low >>> 1) | (high << 31)) ^ mask) >>> 0;
      const h = ((high >>> 1) ^ mask) >>> 0;
      message.mantissa = new LongBits(l | 0, h | 0, false);
    } else if (tag === 0x10) {
      const value = varint32(stop);
      message.exponent = ((value >>> 1) ^ -(value & 1)) | 0;
    } else {
      throw GIVE_UP;
    }
  }
  return message;
}

function instrument(end: number): wire.InstrumentId {
  const stop = delimited(end);
  const message = new InstrumentId();
  while (pos < stop) {
    const tag = buf[pos++];
    if (tag === 0x0a) message.venue = string(stop);
    else if (tag === 0x12) message.symbol = string(stop);
    else throw GIVE_UP;
  }
  return message;
}

function quote(end: number): wire.QuoteTick {
  const stop = delimited(end);
  const message = new QuoteTick();
  while (pos < stop) {
    switch (buf[pos++]) {
      case 0x0a:
        message.instrument = instrument(stop);
        break;
      case 0x12:
        message.bidPrice = decimal(stop);
        break;
      case 0x1a:
        message.bidSize = decimal(stop);
        break;
      case 0x22:
        message.askPrice = decimal(stop);
        break;
      case 0x2a:
        message.askSize = decimal(stop);
        break;
      case 0x30:
        message.quality = varint32(stop) | 0;
        break;
      default:
        throw GIVE_UP;
    }
  }
  return message;
}

function trade(end: number): wire.TradeTick {
  const stop = delimited(end);
  const message = new TradeTick();
  while (pos < stop) {
    switch (buf[pos++]) {
      case 0x0a:
        message.instrument = instrument(stop);
        break;
      case 0x12:
        message.price = decimal(stop);
        break;
      case 0x1a:
        message.size = decimal(stop);
        break;
      case 0x20:
        message.aggressor = varint32(stop) | 0;
        break;
      case 0x2a:
        message.tradeId = string(stop);
        break;
      case 0x30:
        message.quality = varint32(stop) | 0;
        break;
      default:
        throw GIVE_UP;
    }
  }
  return message;
}

function payload(end: number): wire.Payload {
  const stop = delimited(end);
  const start = pos;
  // The hot kinds alone in their payload take the hand-written path.
  const tag = buf[pos++];
  if (tag === 0x0a || tag === 0x12) {
    const message = new Payload();
    if (tag === 0x0a) message.quote = quote(stop);
    else message.trade = trade(stop);
    if (pos === stop) return message;
  }
  pos = stop;
  return Payload.decode(buf.subarray(start, stop));
}

// Header fields of the frame being parsed.
let schemaVersion = 0;
let service = '';
let instance = '';
let epochLow = 0;
let epochHigh = 0;
let sequenceLow = 0;
let sequenceHigh = 0;
let eventLow = 0;
let eventHigh = 0;
let initLow = 0;
let initHigh = 0;
let sendLow = 0;
let sendHigh = 0;
let present = 0;

function header(end: number): void {
  const stop = delimited(end);
  while (pos < stop) {
    switch (buf[pos++]) {
      case 0x08:
        schemaVersion = varint32(stop);
        present |= HeaderField.schemaVersion;
        break;
      case 0x12:
        service = string(stop);
        present |= HeaderField.sourceService;
        break;
      case 0x1a:
        instance = string(stop);
        present |= HeaderField.sourceInstance;
        break;
      case 0x21:
        fixed64(stop);
        epochLow = low;
        epochHigh = high;
        present |= HeaderField.epoch;
        break;
      case 0x28:
        varint64(stop);
        sequenceLow = low;
        sequenceHigh = high;
        present |= HeaderField.sequence;
        break;
      case 0x31:
        fixed64(stop);
        eventLow = low | 0;
        eventHigh = high | 0;
        present |= HeaderField.eventTimeNs;
        break;
      case 0x39:
        fixed64(stop);
        initLow = low | 0;
        initHigh = high | 0;
        present |= HeaderField.initTimeNs;
        break;
      case 0x41:
        fixed64(stop);
        sendLow = low | 0;
        sendHigh = high | 0;
        present |= HeaderField.sendTimeNs;
        break;
      default:
        throw GIVE_UP;
    }
  }
}

function batchItem(end: number, first: number, index: number, kind: string | undefined): FrameItem {
  const stop = delimited(end);
  let itemEventLow = 0;
  let itemEventHigh = 0;
  let itemInitLow = 0;
  let itemInitHigh = 0;
  let itemPayload: wire.Payload | undefined;
  while (pos < stop) {
    switch (buf[pos++]) {
      case 0x09:
        fixed64(stop);
        itemEventLow = low | 0;
        itemEventHigh = high | 0;
        break;
      case 0x11:
        fixed64(stop);
        itemInitLow = low | 0;
        itemInitHigh = high | 0;
        break;
      case 0x1a:
        itemPayload = payload(stop);
        break;
      default:
        throw GIVE_UP;
    }
  }
  // A batch carries one kind of message; anything else is for the protocol to reject.
  if (itemPayload === undefined || itemPayload.kind === undefined || (kind !== undefined && itemPayload.kind !== kind)) throw GIVE_UP;
  return {
    sequence: first + index,
    eventLow: itemEventLow,
    eventHigh: itemEventHigh,
    initLow: itemInitLow,
    initHigh: itemInitHigh,
    payload: itemPayload,
  };
}

function batch(end: number, first: number): FrameItem[] {
  const stop = delimited(end);
  const items: FrameItem[] = [];
  let kind: string | undefined;
  while (pos < stop) {
    if (buf[pos++] !== 0x0a) throw GIVE_UP;
    const item = batchItem(stop, first, items.length, kind);
    kind = item.payload.kind;
    items.push(item);
  }
  if (items.length === 0) throw GIVE_UP;
  return items;
}

/**
 * Parses and checks a whole frame. Accepts only what the protocol's
 * `validateEnvelope` accepts, in its usual layout: the header first and once,
 * then one body. Anything else gives up, for `decodeEnvelope` to decide.
 */
function frame(): DecodedFrame {
  const end = buf.length;
  present = 0;
  schemaVersion = 0;
  service = '';
  instance = '';
  epochLow = epochHigh = sequenceLow = sequenceHigh = 0;
  eventLow = eventHigh = initLow = initHigh = sendLow = sendHigh = 0;
  if (buf[pos++] !== 0x0a) throw GIVE_UP;
  header(end);
  if (schemaVersion !== SCHEMA_VERSION || service === '' || instance === '' || (epochLow | epochHigh) === 0) throw GIVE_UP;
  // Sequences are 1 … 2^53-1.
  if (sequenceHigh >= 0x200000 || (sequenceHigh === 0 && sequenceLow === 0)) throw GIVE_UP;
  const first = sequenceHigh * 4294967296 + sequenceLow;
  let message: wire.Payload;
  let items: FrameItem[] | undefined;
  const tag = buf[pos++];
  if (tag === 0x12) {
    message = payload(end);
    if (message.kind === undefined) throw GIVE_UP;
  } else if (tag === 0x1a) {
    items = batch(end, first);
    message = (items[0] as FrameItem).payload;
  } else {
    throw GIVE_UP;
  }
  if (pos !== end) throw GIVE_UP;
  return new DecodedFrame(
    service,
    instance,
    epochLow,
    epochHigh,
    sendLow,
    sendHigh,
    first,
    eventLow,
    eventHigh,
    initLow,
    initHigh,
    message,
    items,
    schemaVersion,
    sequenceLow,
    sequenceHigh,
    present,
  );
}

/**
 * Decodes and validates a frame's envelope with exactly the outcome of the
 * protocol's `decodeEnvelope` (same values, same ProtocolError), only faster
 * for the usual frames. Takes Buffers (what zeromq delivers); other byte
 * arrays go through `decodeEnvelope`.
 */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  if (!Buffer.isBuffer(bytes)) return frameFromEnvelope(decodeEnvelope(bytes));
  buf = bytes as SliceableBuffer;
  pos = 0;
  try {
    return frame();
  } catch {
    // GIVE_UP, or the generated decoder failed on a payload: let the protocol decide and explain.
    return frameFromEnvelope(decodeEnvelope(bytes));
  } finally {
    buf = EMPTY;
  }
}
