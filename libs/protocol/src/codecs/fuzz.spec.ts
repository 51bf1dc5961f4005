import { isDeepStrictEqual } from 'node:util';
import { ProtocolError } from '../errors';
import { bigIntToInt64, SCHEMA_VERSION, wire } from '../wire';
import { decodeMessages, encodeMessages, type DecodedMessages, type OutgoingMessage } from './message-codec';
import type { PayloadKind } from './payload-codec';
import { Mulberry32 } from './testing/mulberry32';
import { EVENT_TIME, INIT_TIME, sampleMessages } from './testing/fixtures';

// Corrupted envelopes must give a ProtocolError or a fully valid result; nothing else.

const SEED = 0x7e57_c0de;
const CASES = 12_000;

const HEADER: wire.IHeader = {
  schemaVersion: SCHEMA_VERSION,
  sourceService: 'market-data',
  sourceInstance: 'md-fuzz',
  epoch: bigIntToInt64(1_763_686_000_000_000_000n, true),
  sequence: bigIntToInt64(1_000_000n, true),
  sendTimeNs: bigIntToInt64(EVENT_TIME + 5_000n),
};

/** Valid envelopes of every kind: each sample alone, and batches of one to four of a kind. */
function seedEnvelopes(): Uint8Array[] {
  const samples = sampleMessages();
  const out = samples.map((s) => encodeMessages(HEADER, [s]));
  const byKind = new Map<PayloadKind, OutgoingMessage[]>();
  for (const s of samples) byKind.set(s.message.kind, [...(byKind.get(s.message.kind) ?? []), s]);
  for (const group of byKind.values()) {
    for (let n = 2; n <= 4; n++) {
      const batch = Array.from({ length: n }, (_, i): OutgoingMessage => {
        const s = group[i % group.length] as OutgoingMessage;
        return { ...s, eventTime: EVENT_TIME + BigInt(i), initTime: INIT_TIME + BigInt(i) };
      });
      out.push(encodeMessages(HEADER, batch));
    }
  }
  // Node's encoder hands out Buffers, whose slice() is a view: copy into plain arrays
  // so that mutating one case never corrupts the seeds.
  return out.map((bytes) => new Uint8Array(bytes));
}

function mutate(rng: Mulberry32, seeds: Uint8Array[]): Uint8Array {
  const base = seeds[rng.int(seeds.length)] as Uint8Array;
  switch (rng.int(5)) {
    case 0: // Truncated anywhere, including to nothing.
      return base.slice(0, rng.int(base.length));
    case 1: {
      // A few flipped bits.
      const bytes = base.slice();
      const flips = 1 + rng.int(3);
      for (let i = 0; i < flips; i++) {
        const at = rng.int(bytes.length);
        bytes[at] = (bytes[at] as number) ^ (1 << rng.int(8));
      }
      return bytes;
    }
    case 2: {
      // A random byte overwritten, then maybe truncated.
      const bytes = base.slice();
      bytes[rng.int(bytes.length)] = rng.int(256);
      return rng.int(2) === 0 ? bytes : bytes.slice(0, rng.int(bytes.length + 1));
    }
    case 3: // Random garbage.
      return rng.bytes(rng.int(160));
    default: {
      // A valid envelope with random bytes appended (unknown trailing fields or garbage).
      const tail = rng.bytes(1 + rng.int(12));
      const bytes = new Uint8Array(base.length + tail.length);
      bytes.set(base);
      bytes.set(tail, base.length);
      return bytes;
    }
  }
}

/** Header fields that a re-encode keeps: a one-item batch comes back as a single message with item times. */
function stableHeader(h: wire.Header): Record<string, unknown> {
  const plain = wire.Header.toObject(h, { longs: String, defaults: true });
  delete plain['eventTimeNs'];
  delete plain['initTimeNs'];
  return plain;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('decodeMessages under corrupted input', () => {
  it(`gives a ProtocolError or a fully valid result for ${CASES} seeded mutations`, () => {
    const seeds = seedEnvelopes();
    const rng = new Mulberry32(SEED);
    let rejected = 0;
    let accepted = 0;
    const inputs: Uint8Array[] = [new Uint8Array(0), ...seeds];
    for (let i = 0; i < CASES; i++) inputs.push(mutate(rng, seeds));

    for (let i = 0; i < inputs.length; i++) {
      const bytes = inputs[i] as Uint8Array;
      let result: DecodedMessages;
      try {
        result = decodeMessages(bytes);
      } catch (err) {
        if (!(err instanceof ProtocolError)) {
          throw new Error(`case ${i} (${hex(bytes)}) threw ${String(err)} instead of a ProtocolError`);
        }
        rejected++;
        continue;
      }
      accepted++;
      // Re-encoding proves every message was fully built; decoding again must give the same.
      const again = decodeMessages(encodeMessages(result.header, result.messages));
      if (!isEqual(again, result)) throw new Error(`case ${i} (${hex(bytes)}) did not survive a re-encode`);
    }

    expect(inputs.length).toBeGreaterThan(10_000);
    expect(rejected).toBeGreaterThan(3_000);
    expect(accepted).toBeGreaterThan(1_000);
  });

  it('starts from valid envelopes of every kind, single and batched', () => {
    const seeds = seedEnvelopes();
    const kinds = new Set<string>();
    let batches = 0;
    for (const seed of seeds) {
      const decoded = decodeMessages(seed);
      for (const m of decoded.messages) kinds.add(m.message.kind);
      if (decoded.messages.length > 1) batches++;
    }
    expect(kinds.size).toBe(19);
    expect(batches).toBe(19 * 3);
  });

  it('rejects empty bytes, which protobuf reads as an all-default envelope', () => {
    expect(() => decodeMessages(new Uint8Array(0))).toThrow(ProtocolError);
  });
});

function isEqual(a: DecodedMessages, b: DecodedMessages): boolean {
  return isDeepStrictEqual(a.messages, b.messages) && isDeepStrictEqual(stableHeader(a.header), stableHeader(b.header));
}
