import { Long, wire } from '@ttquant/protocol';
import { NOT_FAST, payloadSize, writePayload } from './fast-payload-writer';

/** A small deterministic PRNG so that failures reproduce. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function randomLong(random: () => number): Long {
  const pick = random();
  if (pick < 0.1) return Long.ZERO;
  if (pick < 0.2) return Long.MAX_VALUE;
  if (pick < 0.3) return Long.MIN_VALUE;
  if (pick < 0.4) return Long.fromNumber(-1);
  return new Long((random() * 4294967296) | 0, random() < 0.5 ? 0 : (random() * 4294967296) | 0);
}

function randomDecimal(random: () => number): wire.IDecimal {
  const decimal: wire.IDecimal = {};
  if (random() < 0.9) decimal.mantissa = random() < 0.2 ? (Math.round((random() - 0.5) * 2 ** 40) as unknown as Long) : randomLong(random);
  if (random() < 0.9) decimal.exponent = Math.round((random() - 0.5) * 40);
  return decimal;
}

function randomInstrument(random: () => number): wire.IInstrumentId {
  const symbols = ['BTC/USDT', 'ETH/USDT:USDT', 'AAPL', 'ES 202503', '', 'x'.repeat(60)];
  const instrument: wire.IInstrumentId = {};
  if (random() < 0.9) instrument.venue = random() < 0.5 ? 'binance' : 'ib';
  if (random() < 0.9) instrument.symbol = symbols[Math.floor(random() * symbols.length)] as string;
  return instrument;
}

function randomPayload(random: () => number): wire.IPayload {
  if (random() < 0.5) {
    const quote: wire.IQuoteTick = {};
    if (random() < 0.95) quote.instrument = randomInstrument(random);
    for (const key of ['bidPrice', 'bidSize', 'askPrice', 'askSize'] as const) if (random() < 0.9) quote[key] = randomDecimal(random);
    if (random() < 0.9) quote.quality = Math.floor(random() * 6);
    return { quote };
  }
  const trade: wire.ITradeTick = {};
  if (random() < 0.95) trade.instrument = randomInstrument(random);
  if (random() < 0.9) trade.price = randomDecimal(random);
  if (random() < 0.9) trade.size = randomDecimal(random);
  if (random() < 0.9) trade.aggressor = Math.floor(random() * 4);
  if (random() < 0.9) trade.tradeId = random() < 0.5 ? `t${Math.floor(random() * 1e9)}` : '';
  if (random() < 0.9) trade.quality = Math.floor(random() * 6);
  return { trade };
}

/** The fast bytes, or undefined when the payload takes the generated path. */
function fast(payload: wire.IPayload): Buffer | undefined {
  const size = payloadSize(payload);
  if (size === NOT_FAST) return undefined;
  const out = Buffer.alloc(size);
  expect(writePayload(out, 0)).toBe(size);
  return out;
}

function generated(payload: wire.IPayload): Buffer {
  return Buffer.from(wire.Payload.encode(payload).finish());
}

/** The fields of a generated message class (its prototype holds one default per field). */
function fields(type: { prototype: object }): string[] {
  const prototype = type.prototype as Record<string, unknown>;
  return Object.keys(prototype).filter((key) => typeof prototype[key] !== 'function');
}

describe('fast payload writer', () => {
  it('knows every field of the messages the bus writes and reads by hand (fails when the schema changes)', () => {
    // A new field here must be taught to fast-payload-writer, envelope-stamper and fast-envelope-decoder.
    expect(fields(wire.QuoteTick)).toEqual(['instrument', 'bidPrice', 'bidSize', 'askPrice', 'askSize', 'quality']);
    expect(fields(wire.TradeTick)).toEqual(['instrument', 'price', 'size', 'aggressor', 'tradeId', 'quality']);
    expect(fields(wire.Decimal)).toEqual(['mantissa', 'exponent']);
    expect(fields(wire.InstrumentId)).toEqual(['venue', 'symbol']);
    expect(fields(wire.Header)).toEqual(['schemaVersion', 'sourceService', 'sourceInstance', 'epoch', 'sequence', 'eventTimeNs', 'initTimeNs', 'sendTimeNs']);
    expect(fields(wire.BatchItem)).toEqual(['eventTimeNs', 'initTimeNs', 'payload']);
    expect(fields(wire.Envelope)).toEqual(['header', 'message', 'batch']);
    expect(fields(wire.Payload).slice(0, 2)).toEqual(['quote', 'trade']);
  });

  it('writes exactly the bytes of the generated encoder for 5000 random quotes and trades', () => {
    const random = prng(42);
    let fastCount = 0;
    const mismatches: unknown[] = [];
    for (let i = 0; i < 5000; i++) {
      const payload = randomPayload(random);
      const size = payloadSize(payload);
      if (size === NOT_FAST) continue;
      fastCount++;
      const bytes = Buffer.alloc(size);
      writePayload(bytes, 0);
      if (!bytes.equals(generated(payload))) mismatches.push(payload);
    }
    expect(mismatches).toEqual([]);
    // Nearly all take the fast path (the 60-character symbol with big decimals may not).
    expect(fastCount).toBeGreaterThan(4500);
  });

  it('encodes decoded class instances (re-published messages) the same way', () => {
    const random = prng(7);
    for (let i = 0; i < 200; i++) {
      const decoded = wire.Payload.decode(generated(randomPayload(random)));
      const bytes = fast(decoded);
      expect(bytes).toBeDefined();
      expect(bytes).toEqual(generated(decoded));
    }
  });

  it.each([
    ['other kinds', { heartbeat: { service: 'hub' } }],
    ['two kinds at once', { quote: {}, trade: {} }],
    ['an empty payload', {}],
    ['a non-ASCII symbol', { quote: { instrument: { venue: 'x', symbol: 'Ünï' } } }],
    ['a mantissa given as text', { trade: { price: { mantissa: '12' as unknown as Long } } }],
    ['a fractional mantissa', { trade: { price: { mantissa: 1.5 as unknown as Long } } }],
    ['a negative enum', { trade: { aggressor: -1 } }],
    ['a nested message of 128 bytes or more', { trade: { tradeId: 'x'.repeat(130) } }],
  ])('leaves %s to the generated encoder', (_what, payload) => {
    expect(payloadSize(payload as wire.IPayload)).toBe(NOT_FAST);
  });

  it('ignores null fields like the generated encoder', () => {
    const payload: wire.IPayload = { quote: { instrument: null, bidPrice: { mantissa: Long.fromNumber(5), exponent: null }, quality: 1 }, trade: null };
    expect(fast(payload)).toEqual(generated(payload));
  });
});
