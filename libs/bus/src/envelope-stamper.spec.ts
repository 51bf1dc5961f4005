import { SCHEMA_VERSION, bigIntToInt64, decodeEnvelope, int64ToBigInt, wire } from '@ttquant/protocol';
import { EnvelopeStamper } from './envelope-stamper';
import { heartbeat, quote, trade } from './spec-helpers';
import { topics } from './topics';

const NOW = 1_763_686_800_987_654_321n;
const EPOCH = 1_763_686_000_000_000_123n;
const clock = { nowNanos: () => NOW };
const source = { service: 'market-data', instance: 'md-1' };

function generated(sequence: number, payload: wire.IPayload, eventTimeNs: bigint, initTimeNs: bigint): Uint8Array {
  return wire.Envelope.encode({
    header: {
      schemaVersion: SCHEMA_VERSION,
      sourceService: source.service,
      sourceInstance: source.instance,
      epoch: bigIntToInt64(EPOCH, true),
      sequence: bigIntToInt64(BigInt(sequence), true),
      eventTimeNs: bigIntToInt64(eventTimeNs),
      initTimeNs: bigIntToInt64(initTimeNs),
      sendTimeNs: bigIntToInt64(NOW),
    },
    message: payload,
  }).finish();
}

describe('EnvelopeStamper', () => {
  const stamper = new EnvelopeStamper({ source, epoch: EPOCH, clock });

  it.each([1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER])(
    'writes the same bytes as the generated encoder for sequence %d',
    (sequence) => {
      const times = { eventTimeNs: -5n, initTimeNs: (1n << 62n) + 7n };
      for (const payload of [quote(sequence), trade(sequence), heartbeat]) {
        expect(Buffer.from(stamper.encodeMessage(sequence, payload, times))).toEqual(
          Buffer.from(generated(sequence, payload, -5n, (1n << 62n) + 7n)),
        );
      }
    },
  );

  it('defaults the init time to the send time and the event time to the init time', () => {
    expect(Buffer.from(stamper.encodeMessage(3, trade(3), undefined))).toEqual(Buffer.from(generated(3, trade(3), NOW, NOW)));
    expect(Buffer.from(stamper.encodeMessage(4, trade(4), { initTimeNs: 77n }))).toEqual(Buffer.from(generated(4, trade(4), 77n, 77n)));
  });

  it('encodes a batch whose header carries the first sequence and each item its own times', () => {
    const items = [10, 11, 12].map((s) => stamper.pendingItem(s, quote(s), { eventTimeNs: BigInt(s), initTimeNs: BigInt(s * 2) }));
    const decoded = decodeEnvelope(stamper.encodeBatch(items));
    expect(decoded.header.sequence.toNumber()).toBe(10);
    expect(int64ToBigInt(decoded.header.epoch, true)).toBe(EPOCH);
    expect(int64ToBigInt(decoded.header.sendTimeNs)).toBe(NOW);
    expect(decoded.items.map((i) => [i.sequence, int64ToBigInt(i.eventTimeNs), int64ToBigInt(i.initTimeNs)])).toEqual([
      [10, 10n, 20n],
      [11, 11n, 22n],
      [12, 12n, 24n],
    ]);
    expect(() => stamper.encodeBatch([])).toThrow('batch: expected at least one item, was none');
  });

  it.each([
    ['quotes and trades (hand-written path)', [quote(1), quote(2), quote(3)]],
    ['other payloads (generated path)', [heartbeat, heartbeat]],
  ])('writes a batch of %s exactly as the generated encoder', (_what, payloads) => {
    const items = payloads.map((p, i) => stamper.pendingItem(20 + i, p, { eventTimeNs: BigInt(-i), initTimeNs: NOW + BigInt(i) }));
    const expected = wire.Envelope.encode({
      header: {
        schemaVersion: SCHEMA_VERSION,
        sourceService: source.service,
        sourceInstance: source.instance,
        epoch: bigIntToInt64(EPOCH, true),
        sequence: bigIntToInt64(20n, true),
        eventTimeNs: bigIntToInt64(0n),
        initTimeNs: bigIntToInt64(NOW),
        sendTimeNs: bigIntToInt64(NOW),
      },
      batch: { items: items.map((i) => ({ eventTimeNs: i.eventTimeNs, initTimeNs: i.initTimeNs, payload: i.payload })) },
    }).finish();
    expect(Buffer.from(stamper.encodeBatch(items))).toEqual(Buffer.from(expected));
  });

  it('keeps one stream per topic with its encoded topic frame', () => {
    const s = new EnvelopeStamper({ source, epoch: EPOCH });
    const stream = s.stream(topics.alert());
    expect(s.stream(topics.alert())).toBe(stream);
    expect(stream.topicFrame.toString()).toBe('sys.alert');
    expect([s.nextSequence(stream), s.nextSequence(stream)]).toEqual([1, 2]);
  });

  it('rejects an epoch outside fixed64', () => {
    expect(() => new EnvelopeStamper({ source, epoch: 0n })).toThrow('epoch: expected a nanosecond time from 1 to 2^64-1, was 0');
    expect(() => new EnvelopeStamper({ source, epoch: 1n << 64n })).toThrow(RangeError);
  });
});
