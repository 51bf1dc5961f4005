import { decodeEnvelope, encodeEnvelope } from './envelope';
import { ProtocolError } from './errors';
import { bigIntToInt64, int64ToBigInt, SCHEMA_VERSION, wire } from './wire';

function header(overrides: Partial<wire.IHeader> = {}): wire.IHeader {
  return {
    schemaVersion: SCHEMA_VERSION,
    sourceService: 'market-data',
    sourceInstance: 'md-1',
    epoch: bigIntToInt64(1_700_000_000_000_000_000n, true),
    sequence: bigIntToInt64(7n, true),
    eventTimeNs: bigIntToInt64(1_700_000_000_123_456_789n),
    ...overrides,
  };
}

const heartbeat: wire.IPayload = { heartbeat: { service: 'hub', instance: 'h1', state: wire.ServiceState.SERVICE_STATE_READY } };

describe('envelope', () => {
  it('round-trips a single message with its nanosecond times intact', () => {
    const decoded = decodeEnvelope(encodeEnvelope({ header: header(), message: heartbeat }));
    expect(decoded.items).toHaveLength(1);
    expect(decoded.items[0]?.sequence).toBe(7);
    expect(int64ToBigInt(decoded.items[0]?.eventTimeNs)).toBe(1_700_000_000_123_456_789n);
    expect(decoded.items[0]?.payload.heartbeat?.instance).toBe('h1');
  });

  it('numbers batch items from the header sequence', () => {
    const items = [1, 2, 3].map((i) => ({ eventTimeNs: bigIntToInt64(BigInt(i)), payload: heartbeat }));
    const decoded = decodeEnvelope(encodeEnvelope({ header: header({ sequence: bigIntToInt64(10n, true) }), batch: { items } }));
    expect(decoded.items.map((i) => i.sequence)).toEqual([10, 11, 12]);
  });

  it.each([
    ['empty bytes', new Uint8Array(0), 'header'],
    ['truncated bytes', encodeEnvelope({ header: header(), message: heartbeat }).slice(0, 9), 'envelope'],
    ['a wrong schema version', encodeEnvelope({ header: header({ schemaVersion: 99 }), message: heartbeat }), 'header.schemaVersion'],
    ['a zero sequence', encodeEnvelope({ header: header({ sequence: bigIntToInt64(0n, true) }), message: heartbeat }), 'header.sequence'],
    ['no body', encodeEnvelope({ header: header() }), 'body'],
    ['an empty payload', encodeEnvelope({ header: header(), message: {} }), 'message'],
    ['an empty batch', encodeEnvelope({ header: header(), batch: { items: [] } }), 'batch.items'],
  ])('rejects %s with a ProtocolError naming the field', (_what, bytes, field) => {
    let error: unknown;
    try {
      decodeEnvelope(bytes);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).field).toBe(field);
  });

  it('converts int64 values exactly at the extremes', () => {
    for (const v of [0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), 1_763_686_800_123_456_789n]) {
      expect(int64ToBigInt(bigIntToInt64(v))).toBe(v);
    }
    expect(int64ToBigInt(bigIntToInt64((1n << 64n) - 1n, true), true)).toBe((1n << 64n) - 1n);
  });
});
