import { Long, ProtocolError, bigIntToInt64, decodeEnvelope, encodeEnvelope, wire } from '@ttquant/protocol';
import { EnvelopeStamper } from './envelope-stamper';
import { frameFromEnvelope, type DecodedFrame } from './decoded-frame';
import { decodeFrame } from './fast-envelope-decoder';
import { craft, heartbeat, quote, trade } from './spec-helpers';

/** Every own field with its class and Long bits: two results print the same only if they are the same. */
function canon(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (value instanceof Long) return `Long(${value.low},${value.high},${value.unsigned})`;
  if (Array.isArray(value)) return `[${value.map(canon).join(',')}]`;
  const fields = Object.keys(value)
    .sort()
    .map((key) => `${key}:${canon((value as Record<string, unknown>)[key])}`);
  return `${value.constructor.name}{${fields.join(',')}}`;
}

/** Everything a frame exposes, the header object included. */
function view(frame: DecodedFrame): unknown {
  const { service, instance, epochLow, epochHigh, sendLow, sendHigh } = frame;
  const items = (frame.batch ?? [frame]).map(({ sequence, eventLow, eventHigh, initLow, initHigh, payload }) => ({
    sequence,
    eventLow,
    eventHigh,
    initLow,
    initHigh,
    payload,
  }));
  return { service, instance, epochLow, epochHigh, sendLow, sendHigh, items, header: frame.header };
}

/** The protocol's decoder, seen through the same frame type. */
function reference(bytes: Uint8Array): DecodedFrame {
  return frameFromEnvelope(decodeEnvelope(bytes));
}

/** What a decoder made of some bytes: a canonical result or its ProtocolError. */
function outcome(decode: (bytes: Uint8Array) => DecodedFrame, bytes: Uint8Array): string {
  try {
    return canon(view(decode(bytes)));
  } catch (err) {
    if (err instanceof ProtocolError) return `ProtocolError ${err.message}`;
    throw err;
  }
}

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const stamper = new EnvelopeStamper({ source: { service: 'market-data', instance: 'md-1' }, epoch: 1_763_000_000_000_000_001n });

function frames(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 1; i <= 20; i++) {
    out.push(Buffer.from(stamper.encodeMessage(i * 1013, i % 3 === 0 ? trade(i) : quote(-i * 7919), { eventTimeNs: BigInt(-i) })));
  }
  out.push(Buffer.from(stamper.encodeMessage(5, heartbeat, undefined)));
  out.push(Buffer.from(stamper.encodeBatch([1, 2, 3].map((s) => stamper.pendingItem(s, quote(s), undefined)))));
  out.push(Buffer.from(stamper.encodeBatch([1, 2].map((s) => stamper.pendingItem(s, heartbeat, undefined)))));
  out.push(Buffer.from(craft({ sequence: 9, payload: { quote: { instrument: { venue: 'ib', symbol: 'Ünïcödé' } } } })));
  // Unusual but valid: fields out of order, an unknown field, a payload with a quote twice.
  const header = wire.Header.encode({ schemaVersion: 1, sourceService: 's', sourceInstance: 'i', epoch: bigIntToInt64(5n, true), sequence: bigIntToInt64(3n, true) }).finish();
  const body = wire.Payload.encode(quote(1)).finish();
  out.push(Buffer.concat([Buffer.from([0x12, body.length]), body, Buffer.from([0x0a, header.length]), header]));
  out.push(Buffer.concat([Buffer.from(encodeEnvelope({ header: wire.Header.decode(header), message: quote(2) })), Buffer.from([0x78, 0x01])]));
  out.push(Buffer.concat([Buffer.from([0x0a, header.length]), header, Buffer.from([0x12, body.length * 2]), body, body]));
  return out;
}

describe('decodeFrame', () => {
  it('gives exactly what decodeEnvelope gives for valid frames, header included', () => {
    for (const bytes of frames()) {
      expect(outcome(decodeFrame, bytes)).toBe(outcome(reference, bytes));
      expect(outcome(decodeFrame, bytes)).not.toMatch(/^ProtocolError/);
    }
  });

  it('agrees with decodeEnvelope on every truncation of every frame', () => {
    const mismatches: string[] = [];
    for (const bytes of frames()) {
      for (let length = 0; length < bytes.length; length++) {
        const cut = bytes.subarray(0, length);
        const fast = outcome(decodeFrame, cut);
        if (fast !== outcome(reference, cut)) mismatches.push(`${bytes.toString('hex')} cut at ${length}: ${fast}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('agrees with decodeEnvelope on 5000 corrupted frames', () => {
    const random = prng(1234);
    const all = frames();
    const mismatches: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const bytes = Buffer.from(all[i % all.length] as Buffer);
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const fast = outcome(decodeFrame, bytes);
      if (!fast.startsWith('ProtocolError')) accepted++;
      if (fast !== outcome(reference, bytes)) mismatches.push(`${bytes.toString('hex')}: ${fast}`);
    }
    expect(mismatches).toEqual([]);
    // Many corruptions still decode (a changed price digit): both decoders must agree on those too.
    expect(accepted).toBeGreaterThan(250);
  });

  it('parses quotes, trades and batches without the generated envelope decoder', () => {
    const spy = jest.spyOn(wire.Envelope, 'decode');
    try {
      for (const bytes of frames().slice(0, 22)) decodeFrame(bytes);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('hands plain Uint8Arrays to decodeEnvelope', () => {
    const bytes = new Uint8Array(frames()[0] as Buffer);
    expect(outcome(decodeFrame, bytes)).toBe(outcome(reference, bytes));
  });
});
