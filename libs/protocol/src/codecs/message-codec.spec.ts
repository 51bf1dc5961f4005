import { Decimal } from '@ttquant/domain';
import { encodeEnvelope } from '../envelope';
import { ProtocolError } from '../errors';
import { bigIntToInt64, int64ToBigInt, Long, SCHEMA_VERSION, wire } from '../wire';
import { decodeMessages, encodeMessages, type OutgoingMessage } from './message-codec';
import { encodePayload } from './payload-codec';
import { EVENT_TIME, INIT_TIME, sampleMessages, sampleOf } from './testing/fixtures';

const HEADER: wire.IHeader = {
  schemaVersion: SCHEMA_VERSION,
  sourceService: 'gateway',
  sourceInstance: 'gw-ib-1',
  epoch: bigIntToInt64(1_763_686_000_000_000_000n, true),
  sequence: bigIntToInt64(41n, true),
  sendTimeNs: bigIntToInt64(EVENT_TIME + 1000n),
};

function errorOf(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw new Error(`expected a ProtocolError, got ${String(err)}`);
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

describe('decodeMessages / encodeMessages', () => {
  it.each(sampleMessages().map((m, i) => [`${i}: ${m.message.kind}`, m] as const))(
    'round-trips %s as a single message',
    (_name, sample: OutgoingMessage) => {
      const decoded = decodeMessages(encodeMessages(HEADER, [sample]));
      expect(decoded.messages).toEqual([{ sequence: 41, eventTime: EVENT_TIME, initTime: INIT_TIME, message: sample.message }]);
      expect(decoded.header.sourceInstance).toBe('gw-ib-1');
      // A single message's times travel in the header.
      expect(int64ToBigInt(decoded.header.eventTimeNs)).toBe(EVENT_TIME);
      expect(int64ToBigInt(decoded.header.initTimeNs)).toBe(INIT_TIME);
    },
  );

  it('round-trips a batch, numbering items from the header sequence and keeping each item its times', () => {
    const quote = sampleOf('quote');
    const batch = [0n, 1n, 2n].map(
      (i): OutgoingMessage => ({ message: quote.message, eventTime: EVENT_TIME + i, initTime: INIT_TIME + i }),
    );
    const decoded = decodeMessages(encodeMessages(HEADER, batch));
    expect(decoded.messages.map((m) => [m.sequence, m.eventTime, m.initTime])).toEqual([
      [41, EVENT_TIME, INIT_TIME],
      [42, EVENT_TIME + 1n, INIT_TIME + 1n],
      [43, EVENT_TIME + 2n, INIT_TIME + 2n],
    ]);
    // Market data takes its times from its item, not from the message it was built from.
    const second = decoded.messages[1]?.message;
    expect(second?.kind === 'quote' && second.value.eventTime).toBe(EVENT_TIME + 1n);
  });

  it('takes times from market data and fills when none are given', () => {
    const quote = sampleOf('quote').message;
    const decoded = decodeMessages(encodeMessages(HEADER, [{ message: quote }]));
    expect(decoded.messages[0]?.eventTime).toBe(EVENT_TIME);
    const fill = sampleOf('fill').message;
    const err = errorOf(() => encodeMessages(HEADER, [{ message: fill }]));
    expect(err.field).toBe('messages[0].initTime');
    const ok = decodeMessages(encodeMessages(HEADER, [{ message: fill, initTime: 5n }]));
    expect([ok.messages[0]?.eventTime, ok.messages[0]?.initTime]).toEqual([EVENT_TIME, 5n]);
  });

  it('refuses to encode nothing, a message without times, or an unrepresentable value', () => {
    expect(errorOf(() => encodeMessages(HEADER, [])).field).toBe('messages');
    expect(errorOf(() => encodeMessages(HEADER, [{ message: sampleOf('heartbeat').message }])).field).toBe('messages[0].eventTime');
    const fill = sampleOf('fill').message;
    if (fill.kind !== 'fill') throw new Error('wrong kind');
    const huge = { kind: 'fill' as const, value: { ...fill.value, price: Decimal.of(1n << 70n) } };
    expect(errorOf(() => encodeMessages(HEADER, [{ message: fill, initTime: 1n }, { message: huge, initTime: 1n }])).field).toBe(
      'messages[1].fill.price.mantissa',
    );
    expect(errorOf(() => encodeMessages(HEADER, [{ message: fill, initTime: -1n }])).field).toBe('messages[0].initTime');
  });

  describe('names fields from the envelope root', () => {
    const badQuote = (): wire.IPayload => {
      const payload = encodePayload(sampleOf('quote').message);
      return { quote: { ...payload.quote, bidPrice: null } };
    };

    it('for a single message', () => {
      const bytes = encodeEnvelope({ header: { ...HEADER, eventTimeNs: bigIntToInt64(EVENT_TIME) }, message: badQuote() });
      expect(errorOf(() => decodeMessages(bytes)).field).toBe('message.quote.bidPrice');
    });

    it('for a batch item', () => {
      const good = encodePayload(sampleOf('quote').message);
      const items = [good, good, badQuote()].map((payload) => ({ eventTimeNs: bigIntToInt64(EVENT_TIME), payload }));
      const bytes = encodeEnvelope({ header: HEADER, batch: { items } });
      expect(errorOf(() => decodeMessages(bytes)).field).toBe('batch.items[2].payload.quote.bidPrice');
    });

    it('for negative times in the header and in batch items', () => {
      const payload = encodePayload(sampleOf('position').message);
      const single = encodeEnvelope({ header: { ...HEADER, initTimeNs: Long.NEG_ONE }, message: payload });
      expect(errorOf(() => decodeMessages(single)).field).toBe('header.initTimeNs');
      const batch = encodeEnvelope({ header: HEADER, batch: { items: [{ payload }, { eventTimeNs: Long.MIN_VALUE, payload }] } });
      expect(errorOf(() => decodeMessages(batch)).field).toBe('batch.items[1].eventTimeNs');
    });

    it('for malformed UTF-8, which a plain Uint8Array decodes to lone surrogates', () => {
      const withText = (service: string, symbol: string): Uint8Array => {
        const quote = encodePayload(sampleOf('quote').message);
        const payload = { quote: { ...quote.quote, instrument: { venue: 'BINANCE', symbol } } };
        return new Uint8Array(encodeEnvelope({ header: { ...HEADER, sourceService: service }, message: payload }));
      };
      // Bytes ED A0 80 would be the surrogate U+D800, which UTF-8 forbids.
      const malformed = (bytes: Uint8Array, text: string): Uint8Array => {
        const at = Buffer.from(bytes).indexOf(text);
        const out = bytes.slice();
        out.set([0xed, 0xa0, 0x80], at);
        return out;
      };
      expect(errorOf(() => decodeMessages(malformed(withText('svcXYZ', 'BTC'), 'XYZ'))).field).toBe('header.sourceService');
      expect(errorOf(() => decodeMessages(malformed(withText('svc', 'BTCXYZ'), 'XYZ'))).field).toBe('message.quote.instrument.symbol');
      // Node Buffers decode the same bytes to U+FFFD: well-formed, so accepted.
      const viaBuffer = decodeMessages(Buffer.from(malformed(withText('svc', 'BTCXYZ'), 'XYZ')));
      const quote = viaBuffer.messages[0]?.message;
      expect(quote?.kind === 'quote' && quote.value.instrument.symbol).toBe('BTC\ufffd\ufffd\ufffd');
    });

    it('for envelope problems, as decodeEnvelope does', () => {
      expect(errorOf(() => decodeMessages(new Uint8Array(0))).field).toBe('header');
      expect(errorOf(() => decodeMessages(new Uint8Array([0x0a, 0x7f, 0x01]))).field).toBe('envelope');
      const mixed = encodeEnvelope({
        header: HEADER,
        batch: {
          items: [{ payload: encodePayload(sampleOf('quote').message) }, { payload: encodePayload(sampleOf('trade').message) }],
        },
      });
      expect(errorOf(() => decodeMessages(mixed)).field).toBe('batch.items[1].payload');
    });
  });
});
