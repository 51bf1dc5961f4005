import type { Long, wire } from '@ttquant/protocol';

/*
 * Hand-written protobuf encoding of the two payloads that travel millions of
 * times (QuoteTick and TradeTick), writing the same bytes as the generated
 * encoder (same fields, same order, same presence rules) several times
 * faster, because nothing is allocated but the output buffer.
 *
 * `payloadSize` checks the payload and plans the write (sizes, zig-zagged
 * mantissas) into module-level scratch; `writePayload` then writes that plan.
 * Anything it does not handle (a mantissa given as text, a negative enum, a
 * non-ASCII string, a nested message of 128 bytes or more…) makes
 * `payloadSize` return NOT_FAST and the caller uses the generated encoder.
 * The spec checks byte equality against the generated encoder.
 *
 * Field tags are (field number << 3) | wire type, from market_data.proto and
 * common.proto.
 */

/** Unsupported shape: use the generated encoder. */
export const NOT_FAST = -1;

const hasOwn = Object.prototype.hasOwnProperty;
const objectPrototype = Object.prototype;

const QUOTE = 1;
const TRADE = 2;

// The plan of the last payload sized. Decimals: quote bid price, bid size,
// ask price, ask size; trade price, size.
let planKind = 0;
let planSize = 0;
let planInstrumentSize = -1; // -1: absent
let planVenue: string | undefined;
let planSymbol: string | undefined;
const planDecimalSize = new Int32Array(4); // -1: absent
const planHasMantissa = new Uint8Array(4);
const planMantissaLow = new Uint32Array(4);
const planMantissaHigh = new Uint32Array(4);
const planHasExponent = new Uint8Array(4);
const planExponent = new Uint32Array(4);
let planEnumA = -1; // quote: quality; trade: aggressor
let planEnumB = -1; // trade: quality
let planTradeId: string | undefined;

/**
 * The generated encoder writes a field when it is an own property that is not
 * null or undefined. Plain objects (the usual payloads) own every property
 * they show, so the own-property check is only needed for class instances,
 * whose prototypes carry defaults (e.g. `quality = 0`).
 */
function isSet(object: object, plain: boolean, value: unknown, key: string): boolean {
  return value != null && (plain || hasOwn.call(object, key));
}

function isPlain(object: object): boolean {
  return Object.getPrototypeOf(object) === objectPrototype;
}

/** Unsigned varint length of a 32-bit value. */
export function varint32Size(value: number): number {
  value >>>= 0;
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** Unsigned varint length of a 64-bit value given as unsigned halves. */
function varint64Size(low: number, high: number): number {
  if (high === 0) return varint32Size(low);
  return high < 0x8 ? 5 : high < 0x400 ? 6 : high < 0x20000 ? 7 : high < 0x1000000 ? 8 : high < 0x80000000 ? 9 : 10;
}

/** Byte length of an ASCII string, or NOT_FAST (protobufjs' own UTF-8 writer differs from Node's on lone surrogates). */
function asciiSize(value: unknown): number {
  if (typeof value !== 'string') return NOT_FAST;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) >= 0x80) return NOT_FAST;
  }
  return value.length;
}

/** Plans a mantissa (Long or safe integer, as protobufjs' LongBits would take it) into slot; false if unsupported. */
function planMantissa(slot: number, value: unknown): boolean {
  let low: number;
  let high: number;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return false;
    const magnitude = Math.abs(value);
    low = magnitude >>> 0;
    high = ((magnitude - low) / 4294967296) >>> 0;
    if (value < 0) {
      high = ~high >>> 0;
      low = ~low >>> 0;
      if (++low > 4294967295) {
        low = 0;
        if (++high > 4294967295) high = 0;
      }
    }
  } else if (typeof value === 'object' && value !== null && typeof (value as Long).low === 'number' && typeof (value as Long).high === 'number') {
    low = (value as Long).low;
    high = (value as Long).high;
  } else {
    return false;
  }
  // Zig-zag, as protobufjs' sint64.
  const mask = high >> 31;
  planMantissaHigh[slot] = (((high << 1) | (low >>> 31)) ^ mask) >>> 0;
  planMantissaLow[slot] = ((low << 1) ^ mask) >>> 0;
  return true;
}

/** Plans a Decimal into slot; returns the field's full size (tag + length + body), 0 if absent, or NOT_FAST. */
function planDecimal(slot: number, parent: object, plain: boolean, decimal: wire.IDecimal | null | undefined, key: string): number {
  planDecimalSize[slot] = -1;
  if (!isSet(parent, plain, decimal, key)) return 0;
  const d = decimal as wire.IDecimal;
  const own = isPlain(d);
  let size = 0;
  planHasMantissa[slot] = 0;
  planHasExponent[slot] = 0;
  if (isSet(d, own, d.mantissa, 'mantissa')) {
    if (!planMantissa(slot, d.mantissa)) return NOT_FAST;
    planHasMantissa[slot] = 1;
    size += 1 + varint64Size(planMantissaLow[slot] as number, planMantissaHigh[slot] as number);
  }
  if (isSet(d, own, d.exponent, 'exponent')) {
    if (typeof d.exponent !== 'number') return NOT_FAST;
    // As protobufjs' sint32 (ToInt32 through the shifts).
    const zz = ((d.exponent << 1) ^ (d.exponent >> 31)) >>> 0;
    planHasExponent[slot] = 1;
    planExponent[slot] = zz;
    size += 1 + varint32Size(zz);
  }
  if (size >= 0x80) return NOT_FAST;
  planDecimalSize[slot] = size;
  return 2 + size;
}

/** Plans the instrument; returns the field's full size, 0 if absent, or NOT_FAST. */
function planInstrument(parent: object, plain: boolean, instrument: wire.IInstrumentId | null | undefined): number {
  planInstrumentSize = -1;
  planVenue = undefined;
  planSymbol = undefined;
  if (!isSet(parent, plain, instrument, 'instrument')) return 0;
  const id = instrument as wire.IInstrumentId;
  const own = isPlain(id);
  let size = 0;
  if (isSet(id, own, id.venue, 'venue')) {
    const n = asciiSize(id.venue);
    if (n < 0) return NOT_FAST;
    planVenue = id.venue as string;
    size += 1 + varint32Size(n) + n;
  }
  if (isSet(id, own, id.symbol, 'symbol')) {
    const n = asciiSize(id.symbol);
    if (n < 0) return NOT_FAST;
    planSymbol = id.symbol as string;
    size += 1 + varint32Size(n) + n;
  }
  if (size >= 0x80) return NOT_FAST;
  planInstrumentSize = size;
  return 2 + size;
}

/** Plans a small non-negative enum (one byte); returns 2, 0 if absent, or NOT_FAST. -1 in the plan means absent. */
function enumField(parent: object, plain: boolean, value: unknown, key: string): number {
  if (!isSet(parent, plain, value, key)) return -1;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 0x80 ? value : -2;
}

function planQuote(quote: wire.IQuoteTick): number {
  const plain = isPlain(quote);
  let size = 0;
  let n = planInstrument(quote, plain, quote.instrument);
  if (n < 0) return NOT_FAST;
  size += n;
  if ((n = planDecimal(0, quote, plain, quote.bidPrice, 'bidPrice')) < 0) return NOT_FAST;
  size += n;
  if ((n = planDecimal(1, quote, plain, quote.bidSize, 'bidSize')) < 0) return NOT_FAST;
  size += n;
  if ((n = planDecimal(2, quote, plain, quote.askPrice, 'askPrice')) < 0) return NOT_FAST;
  size += n;
  if ((n = planDecimal(3, quote, plain, quote.askSize, 'askSize')) < 0) return NOT_FAST;
  size += n;
  planEnumA = enumField(quote, plain, quote.quality, 'quality');
  if (planEnumA === -2) return NOT_FAST;
  if (planEnumA >= 0) size += 2;
  return size;
}

function planTrade(trade: wire.ITradeTick): number {
  const plain = isPlain(trade);
  let size = 0;
  let n = planInstrument(trade, plain, trade.instrument);
  if (n < 0) return NOT_FAST;
  size += n;
  if ((n = planDecimal(0, trade, plain, trade.price, 'price')) < 0) return NOT_FAST;
  size += n;
  if ((n = planDecimal(1, trade, plain, trade.size, 'size')) < 0) return NOT_FAST;
  size += n;
  planEnumA = enumField(trade, plain, trade.aggressor, 'aggressor');
  if (planEnumA === -2) return NOT_FAST;
  if (planEnumA >= 0) size += 2;
  planTradeId = undefined;
  if (isSet(trade, plain, trade.tradeId, 'tradeId')) {
    const length = asciiSize(trade.tradeId);
    if (length < 0) return NOT_FAST;
    planTradeId = trade.tradeId as string;
    size += 1 + varint32Size(length) + length;
  }
  planEnumB = enumField(trade, plain, trade.quality, 'quality');
  if (planEnumB === -2) return NOT_FAST;
  if (planEnumB >= 0) size += 2;
  return size;
}

/**
 * Size in bytes of the encoded Payload when it holds only a quote or only a
 * trade of a supported shape, else {@link NOT_FAST}. Plans the write: call
 * {@link writePayload} next, before sizing another payload.
 */
export function payloadSize(payload: wire.IPayload): number {
  planKind = 0;
  const plain = isPlain(payload);
  let kind = 0;
  let body = 0;
  for (const key in payload) {
    // The generated encoder ignores inherited and null fields; so do we. Any
    // other field set means another kind (or an ill-formed oneof): generated path.
    if (!isSet(payload, plain, (payload as Record<string, unknown>)[key], key)) continue;
    if (kind !== 0) return NOT_FAST;
    if (key === 'quote') kind = QUOTE;
    else if (key === 'trade') kind = TRADE;
    else return NOT_FAST;
  }
  if (kind === QUOTE) body = planQuote(payload.quote as wire.IQuoteTick);
  else if (kind === TRADE) body = planTrade(payload.trade as wire.ITradeTick);
  else return NOT_FAST;
  if (body < 0 || body >= 0x80) return NOT_FAST;
  planKind = kind;
  planSize = body;
  return 2 + body;
}

/** Writes an unsigned 32-bit varint; returns the position after it. */
export function writeVarint32(bytes: Uint8Array, pos: number, value: number): number {
  value >>>= 0;
  while (value > 0x7f) {
    bytes[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  bytes[pos++] = value;
  return pos;
}

function writeVarint64(bytes: Uint8Array, pos: number, low: number, high: number): number {
  while (high !== 0) {
    bytes[pos++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  return writeVarint32(bytes, pos, low);
}

/** Writes an ASCII string field (checked when planned). */
function writeString(bytes: Uint8Array, pos: number, tag: number, value: string): number {
  const n = value.length;
  bytes[pos++] = tag;
  pos = writeVarint32(bytes, pos, n);
  for (let i = 0; i < n; i++) bytes[pos + i] = value.charCodeAt(i);
  return pos + n;
}

function writeInstrument(bytes: Uint8Array, pos: number): number {
  if (planInstrumentSize < 0) return pos;
  bytes[pos++] = 0x0a;
  bytes[pos++] = planInstrumentSize;
  if (planVenue !== undefined) pos = writeString(bytes, pos, 0x0a, planVenue);
  if (planSymbol !== undefined) pos = writeString(bytes, pos, 0x12, planSymbol);
  return pos;
}

function writeDecimal(bytes: Uint8Array, pos: number, slot: number, tag: number): number {
  const size = planDecimalSize[slot] as number;
  if (size < 0) return pos;
  bytes[pos++] = tag;
  bytes[pos++] = size;
  if (planHasMantissa[slot] === 1) {
    bytes[pos++] = 0x08;
    pos = writeVarint64(bytes, pos, planMantissaLow[slot] as number, planMantissaHigh[slot] as number);
  }
  if (planHasExponent[slot] === 1) {
    bytes[pos++] = 0x10;
    pos = writeVarint32(bytes, pos, planExponent[slot] as number);
  }
  return pos;
}

/**
 * Writes the payload planned by the last {@link payloadSize} call (which did
 * not return {@link NOT_FAST}) at `pos`; returns the position after it.
 */
export function writePayload(bytes: Uint8Array, pos: number): number {
  if (planKind === QUOTE) {
    bytes[pos++] = 0x0a;
    bytes[pos++] = planSize;
    pos = writeInstrument(bytes, pos);
    pos = writeDecimal(bytes, pos, 0, 0x12);
    pos = writeDecimal(bytes, pos, 1, 0x1a);
    pos = writeDecimal(bytes, pos, 2, 0x22);
    pos = writeDecimal(bytes, pos, 3, 0x2a);
    if (planEnumA >= 0) {
      bytes[pos++] = 0x30;
      bytes[pos++] = planEnumA;
    }
    return pos;
  }
  if (planKind !== TRADE) throw new Error('writePayload: expected a payload planned by payloadSize, there was none');
  bytes[pos++] = 0x12;
  bytes[pos++] = planSize;
  pos = writeInstrument(bytes, pos);
  pos = writeDecimal(bytes, pos, 0, 0x12);
  pos = writeDecimal(bytes, pos, 1, 0x1a);
  if (planEnumA >= 0) {
    bytes[pos++] = 0x20;
    bytes[pos++] = planEnumA;
  }
  if (planTradeId !== undefined) pos = writeString(bytes, pos, 0x2a, planTradeId);
  if (planEnumB >= 0) {
    bytes[pos++] = 0x30;
    bytes[pos++] = planEnumB;
  }
  return pos;
}
