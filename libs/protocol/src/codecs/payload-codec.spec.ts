import { Decimal } from '@ttquant/domain';
import { ProtocolError } from '../errors';
import { bigIntToInt64, Long, wire } from '../wire';
import { decodePayload, encodePayload, type DomainMessage, type PayloadKind } from './payload-codec';
import { EVENT_TIME, INIT_TIME, sampleMessages, sampleOf } from './testing/fixtures';

const TIMES = { eventTimeNs: bigIntToInt64(EVENT_TIME), initTimeNs: bigIntToInt64(INIT_TIME) };

/** Encodes to bytes and decodes again: what a subscriber really receives. */
function overTheWire(payload: wire.IPayload): wire.Payload {
  return wire.Payload.decode(wire.Payload.encode(payload).finish());
}

function errorOf(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw new Error(`expected a ProtocolError, got ${String(err)}`);
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

/** Sets `value` at a dotted path (numeric parts index arrays) inside a decoded message. */
function setAt(root: object, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = root as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) {
    node = node[part] as Record<string, unknown>;
    if (node === null || node === undefined) throw new Error(`test bug: nothing at ${part} of ${path}`);
  }
  node[parts[parts.length - 1] as string] = value;
}

/** A decoded wire payload of the sample of `kind` with one field changed, as received. */
function corrupted(kind: PayloadKind, path: string, value: unknown): wire.Payload {
  const payload = overTheWire(encodePayload(sampleOf(kind).message));
  setAt(payload, path, value);
  return overTheWire(payload);
}

describe('payload codecs', () => {
  describe('round trip', () => {
    it.each(sampleMessages().map((m, i) => [`${i}: ${m.message.kind}`, m.message] as const))(
      'decodes %s exactly as it was encoded',
      (_name, message: DomainMessage) => {
        const decoded = decodePayload(overTheWire(encodePayload(message)), TIMES);
        expect(decoded).toEqual(message);
      },
    );

    it('keeps a "__proto__" map key as a plain key', () => {
      const decoded = decodePayload(overTheWire(encodePayload(sampleOf('submitOrder').message)), TIMES);
      if (decoded.kind !== 'submitOrder') throw new Error('wrong kind');
      expect(Object.getPrototypeOf(decoded.value.tags)).toBe(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(decoded.value.tags, '__proto__')).toBe(true);
      expect(decoded.value.tags['__proto__']).toBe('polluted?');
    });

    it('leaves optional properties out instead of setting them to undefined', () => {
      const decoded = decodePayload(overTheWire(encodePayload(sampleOf('submitOrder').message)), TIMES);
      const market = sampleMessages().filter((m) => m.message.kind === 'submitOrder')[1]?.message as DomainMessage;
      const minimal = decodePayload(overTheWire(encodePayload(market)), TIMES);
      expect(Object.keys(minimal.value)).not.toContain('limitPrice');
      expect(Object.keys(decoded.value)).toContain('limitPrice');
    });

    it('takes market-data and fill times from the envelope item', () => {
      const times = { eventTimeNs: bigIntToInt64((1n << 62n) + 7n), initTimeNs: Long.fromNumber(0) };
      const quote = decodePayload(overTheWire(encodePayload(sampleOf('quote').message)), times);
      const fill = decodePayload(overTheWire(encodePayload(sampleOf('fill').message)), times);
      expect(quote.kind === 'quote' && [quote.value.eventTime, quote.value.initTime]).toEqual([(1n << 62n) + 7n, 0n]);
      expect(fill.kind === 'fill' && fill.value.eventTime).toBe((1n << 62n) + 7n);
    });
  });

  describe('rejects invalid messages with a ProtocolError naming the field', () => {
    const bad = Long.fromNumber(-1);
    const cases: [PayloadKind, string, unknown, string][] = [
      // Market data.
      ['quote', 'quote.instrument', null, 'quote.instrument'],
      ['quote', 'quote.instrument.venue', '', 'quote.instrument.venue'],
      ['quote', 'quote.instrument.symbol', '', 'quote.instrument.symbol'],
      ['quote', 'quote.bidPrice', null, 'quote.bidPrice'],
      ['quote', 'quote.bidSize', null, 'quote.bidSize'],
      ['quote', 'quote.askPrice', null, 'quote.askPrice'],
      ['quote', 'quote.askSize', null, 'quote.askSize'],
      ['quote', 'quote.bidPrice.mantissa', bad, 'quote.bidPrice'],
      ['quote', 'quote.askSize.exponent', 65, 'quote.askSize.exponent'],
      ['quote', 'quote.askPrice.exponent', -65, 'quote.askPrice.exponent'],
      ['quote', 'quote.quality', 0, 'quote.quality'],
      ['quote', 'quote.quality', 42, 'quote.quality'],
      ['quote', 'quote.quality', -3, 'quote.quality'],
      ['trade', 'trade.price', null, 'trade.price'],
      ['trade', 'trade.size', null, 'trade.size'],
      ['trade', 'trade.size.mantissa', bad, 'trade.size'],
      ['trade', 'trade.aggressor', 0, 'trade.aggressor'],
      ['trade', 'trade.aggressor', 4, 'trade.aggressor'],
      ['trade', 'trade.instrument', null, 'trade.instrument'],
      ['trade', 'trade.quality', 0, 'trade.quality'],
      ['bookSnapshot', 'bookSnapshot.instrument', null, 'bookSnapshot.instrument'],
      ['bookSnapshot', 'bookSnapshot.bids.1.price', null, 'bookSnapshot.bids[1].price'],
      ['bookSnapshot', 'bookSnapshot.asks.0.size.mantissa', bad, 'bookSnapshot.asks[0].size'],
      ['bookSnapshot', 'bookSnapshot.asks.0.price.exponent', 100, 'bookSnapshot.asks[0].price.exponent'],
      ['bookSnapshot', 'bookSnapshot.quality', 9, 'bookSnapshot.quality'],
      ['bookDelta', 'bookDelta.changes', [], 'bookDelta.changes'],
      ['bookDelta', 'bookDelta.changes.1.side', 0, 'bookDelta.changes[1].side'],
      ['bookDelta', 'bookDelta.changes.0.size', null, 'bookDelta.changes[0].size'],
      ['bookDelta', 'bookDelta.instrument.venue', '', 'bookDelta.instrument.venue'],
      ['bookDelta', 'bookDelta.quality', 0, 'bookDelta.quality'],
      ['bar', 'bar.open', null, 'bar.open'],
      ['bar', 'bar.high', null, 'bar.high'],
      ['bar', 'bar.low', null, 'bar.low'],
      ['bar', 'bar.close', null, 'bar.close'],
      ['bar', 'bar.volume', null, 'bar.volume'],
      ['bar', 'bar.volume.mantissa', bad, 'bar.volume'],
      ['bar', 'bar.low.mantissa', Long.fromNumber(671600), 'bar.high'],
      ['bar', 'bar.close.mantissa', Long.fromNumber(671800), 'bar.close'],
      ['bar', 'bar.open.mantissa', Long.fromNumber(671000), 'bar.open'],
      ['bar', 'bar.intervalSeconds', 0, 'bar.intervalSeconds'],
      ['bar', 'bar.startTimeNs', bad, 'bar.startTimeNs'],
      ['bar', 'bar.instrument', null, 'bar.instrument'],
      ['bar', 'bar.quality', 6, 'bar.quality'],
      ['fundingRate', 'fundingRate.rate', null, 'fundingRate.rate'],
      ['fundingRate', 'fundingRate.nextFundingTimeNs', bad, 'fundingRate.nextFundingTimeNs'],
      ['fundingRate', 'fundingRate.quality', 0, 'fundingRate.quality'],
      // Instruments.
      ['instrument', 'instrument.id', null, 'instrument.id'],
      ['instrument', 'instrument.id.symbol', '', 'instrument.id.symbol'],
      ['instrument', 'instrument.assetClass', 0, 'instrument.assetClass'],
      ['instrument', 'instrument.assetClass', 9, 'instrument.assetClass'],
      ['instrument', 'instrument.currency', '', 'instrument.currency'],
      ['instrument', 'instrument.multiplier', null, 'instrument.multiplier'],
      ['instrument', 'instrument.tickSize.mantissa', Long.ZERO, 'instrument.tickSize'],
      ['instrument', 'instrument.lotSize', null, 'instrument.lotSize'],
      ['instrument', 'instrument.minQuantity.mantissa', bad, 'instrument.minQuantity'],
      // Orders.
      ['submitOrder', 'submitOrder.clientOrderId', '', 'submitOrder.clientOrderId'],
      ['submitOrder', 'submitOrder.clientOrderId', 'a'.repeat(33), 'submitOrder.clientOrderId'],
      ['submitOrder', 'submitOrder.clientOrderId', 'momo-1', 'submitOrder.clientOrderId'],
      ['submitOrder', 'submitOrder.account', '', 'submitOrder.account'],
      ['submitOrder', 'submitOrder.instrument', null, 'submitOrder.instrument'],
      ['submitOrder', 'submitOrder.side', 0, 'submitOrder.side'],
      ['submitOrder', 'submitOrder.side', 3, 'submitOrder.side'],
      ['submitOrder', 'submitOrder.type', 0, 'submitOrder.type'],
      ['submitOrder', 'submitOrder.quantity', null, 'submitOrder.quantity'],
      ['submitOrder', 'submitOrder.quantity.mantissa', Long.ZERO, 'submitOrder.quantity'],
      ['submitOrder', 'submitOrder.limitPrice', null, 'submitOrder.limitPrice'],
      ['submitOrder', 'submitOrder.stopPrice', null, 'submitOrder.stopPrice'],
      ['submitOrder', 'submitOrder.timeInForce', 0, 'submitOrder.timeInForce'],
      ['submitOrder', 'submitOrder.expireTimeNs', Long.ZERO, 'submitOrder.expireTimeNs'],
      ['submitOrder', 'submitOrder.expireTimeNs', bad, 'submitOrder.expireTimeNs'],
      ['submitOrder', 'submitOrder.parentClientOrderId', 'parent order 41', 'submitOrder.parentClientOrderId'],
      ['cancelOrder', 'cancelOrder.clientOrderId', '', 'cancelOrder.clientOrderId'],
      ['cancelOrder', 'cancelOrder.account', '', 'cancelOrder.account'],
      ['modifyOrder', 'modifyOrder.limitPrice', null, 'modifyOrder'],
      ['modifyOrder', 'modifyOrder.clientOrderId', 'x'.repeat(40), 'modifyOrder.clientOrderId'],
      ['modifyOrder', 'modifyOrder.account', '', 'modifyOrder.account'],
      ['modifyOrder', 'modifyOrder.quantity', { mantissa: bad, exponent: 0 }, 'modifyOrder.quantity'],
      ['cancelAllOrders', 'cancelAllOrders.account', '', 'cancelAllOrders.account'],
      ['cancelAllOrders', 'cancelAllOrders.instrument', { venue: 'IB', symbol: '' }, 'cancelAllOrders.instrument.symbol'],
      ['orderEvent', 'orderEvent.order', null, 'orderEvent.order'],
      ['orderEvent', 'orderEvent.order.spec', null, 'orderEvent.order.spec'],
      ['orderEvent', 'orderEvent.order.spec.quantity', null, 'orderEvent.order.spec.quantity'],
      ['orderEvent', 'orderEvent.order.spec.clientOrderId', '', 'orderEvent.order.spec.clientOrderId'],
      ['orderEvent', 'orderEvent.order.spec.instrument.venue', '', 'orderEvent.order.spec.instrument.venue'],
      ['orderEvent', 'orderEvent.order.spec.stopPrice', null, 'orderEvent.order.spec.stopPrice'],
      ['orderEvent', 'orderEvent.order.spec.tags', { ok: 'yes' }, ''],
      ['orderEvent', 'orderEvent.order.status', 0, 'orderEvent.order.status'],
      ['orderEvent', 'orderEvent.order.status', 12, 'orderEvent.order.status'],
      ['orderEvent', 'orderEvent.order.filledQuantity', null, 'orderEvent.order.filledQuantity'],
      ['orderEvent', 'orderEvent.order.filledQuantity.mantissa', bad, 'orderEvent.order.filledQuantity'],
      ['orderEvent', 'orderEvent.order.avgFillPrice', null, 'orderEvent.order.avgFillPrice'],
      ['orderEvent', 'orderEvent.order.createdTimeNs', bad, 'orderEvent.order.createdTimeNs'],
      ['orderEvent', 'orderEvent.order.updatedTimeNs', bad, 'orderEvent.order.updatedTimeNs'],
      ['orderEvent', 'orderEvent.eventSequence', 0, 'orderEvent.eventSequence'],
      ['fill', 'fill.account', '', 'fill.account'],
      ['fill', 'fill.clientOrderId', '', 'fill.clientOrderId'],
      ['fill', 'fill.execId', '', 'fill.execId'],
      ['fill', 'fill.instrument', null, 'fill.instrument'],
      ['fill', 'fill.side', 0, 'fill.side'],
      ['fill', 'fill.quantity', null, 'fill.quantity'],
      ['fill', 'fill.quantity.mantissa', Long.ZERO, 'fill.quantity'],
      ['fill', 'fill.price', null, 'fill.price'],
      ['fill', 'fill.price.mantissa', bad, 'fill.price'],
      ['fill', 'fill.commission', null, 'fill.commission'],
      ['fill', 'fill.liquidity', 0, 'fill.liquidity'],
      ['fill', 'fill.liquidity', 7, 'fill.liquidity'],
      // Account.
      ['position', 'position.account', '', 'position.account'],
      ['position', 'position.instrument', null, 'position.instrument'],
      ['position', 'position.quantity', null, 'position.quantity'],
      ['position', 'position.avgPrice', null, 'position.avgPrice'],
      ['position', 'position.realizedPnl', null, 'position.realizedPnl'],
      ['position', 'position.unrealizedPnl.exponent', 70, 'position.unrealizedPnl.exponent'],
      ['position', 'position.currency', '', 'position.currency'],
      ['accountState', 'accountState.account', '', 'accountState.account'],
      ['accountState', 'accountState.venue', '', 'accountState.venue'],
      ['accountState', 'accountState.balances.0.currency', '', 'accountState.balances[0].currency'],
      ['accountState', 'accountState.balances.1.cash', null, 'accountState.balances[1].cash'],
      ['accountState', 'accountState.balances.1.marginUsed.mantissa', bad, 'accountState.balances[1].marginUsed'],
      // System.
      ['venueStatus', 'venueStatus.venue', '', 'venueStatus.venue'],
      ['venueStatus', 'venueStatus.channel', 'both', 'venueStatus.channel'],
      ['venueStatus', 'venueStatus.channel', '', 'venueStatus.channel'],
      ['venueStatus', 'venueStatus.account', '', 'venueStatus.account'],
      ['venueStatus', 'venueStatus.state', 0, 'venueStatus.state'],
      ['venueStatus', 'venueStatus.state', 6, 'venueStatus.state'],
      ['heartbeat', 'heartbeat.service', '', 'heartbeat.service'],
      ['heartbeat', 'heartbeat.instance', '', 'heartbeat.instance'],
      ['heartbeat', 'heartbeat.state', 0, 'heartbeat.state'],
      ['heartbeat', 'heartbeat.uptimeMs', Long.fromString('9007199254740992', true), 'heartbeat.uptimeMs'],
      ['riskDenial', 'riskDenial.account', '', 'riskDenial.account'],
      ['riskDenial', 'riskDenial.clientOrderId', '', 'riskDenial.clientOrderId'],
      ['riskDenial', 'riskDenial.instrument', null, 'riskDenial.instrument'],
      ['riskDenial', 'riskDenial.check', '', 'riskDenial.check'],
      ['riskDenial', 'riskDenial.reason', '', 'riskDenial.reason'],
      ['alert', 'alert.severity', 0, 'alert.severity'],
      ['alert', 'alert.severity', 4, 'alert.severity'],
      ['alert', 'alert.source', '', 'alert.source'],
      ['alert', 'alert.code', '', 'alert.code'],
      ['alert', 'alert.message', '', 'alert.message'],
    ];

    it.each(cases.filter((c) => c[3] !== ''))('%s with %s = %p fails at %s', (kind, path, value, field) => {
      const payload = corrupted(kind, path, value);
      const err = errorOf(() => decodePayload(payload, TIMES));
      expect(err.field).toBe(field);
      expect(err.message).toContain(`${field}: expected `);
    });

    it('accepts the changes that keep a message valid (control for the table above)', () => {
      for (const [kind, path, value, field] of cases) {
        if (field === '') expect(() => decodePayload(corrupted(kind, path, value), TIMES)).not.toThrow();
      }
    });

    it('covers every payload kind', () => {
      const kinds = new Set(cases.map((c) => c[0]));
      const all = Object.keys(wire.Payload.prototype).filter((k) => k !== 'kind' && k !== 'toJSON');
      expect(all.length).toBe(19);
      expect([...kinds].sort()).toEqual([...all].sort());
    });

    it('says what it expected and what it found', () => {
      const err = errorOf(() => decodePayload(corrupted('fill', 'fill.price.mantissa', Long.fromNumber(-250)), TIMES));
      expect(err.message).toBe('fill.price: expected a decimal > 0, was -2.50');
      const e2 = errorOf(() => decodePayload(corrupted('quote', 'quote.quality', 42), TIMES));
      expect(e2.message).toBe('quote.quality: expected one of REALTIME, DELAYED, FROZEN, DELAYED_FROZEN, SIMULATED, was 42');
    });

    it('rejects negative envelope times', () => {
      const payload = overTheWire(encodePayload(sampleOf('quote').message));
      expect(errorOf(() => decodePayload(payload, { ...TIMES, eventTimeNs: Long.NEG_ONE })).field).toBe('eventTimeNs');
      expect(errorOf(() => decodePayload(payload, { ...TIMES, initTimeNs: Long.MIN_VALUE })).field).toBe('initTimeNs');
    });

    it('rejects an empty payload', () => {
      expect(errorOf(() => decodePayload(overTheWire({}), TIMES)).field).toBe('kind');
    });

    it('rejects a hand-built payload with holes without a TypeError', () => {
      const payload = wire.Payload.create({ quote: { instrument: { venue: 'X', symbol: 'Y' }, bidPrice: {}, quality: 1 } });
      expect(errorOf(() => decodePayload(payload, TIMES)).field).toBe('quote.bidSize');
      const hole = null as unknown as wire.IBookLevel;
      const levels = wire.Payload.create({ bookSnapshot: { instrument: { venue: 'X', symbol: 'Y' }, quality: 1, bids: [hole] } });
      expect(errorOf(() => decodePayload(levels, TIMES)).field).toBe('bookSnapshot.bids[0]');
    });
  });

  describe('encoding', () => {
    it('refuses a mantissa beyond int64, naming the field', () => {
      const quote = sampleOf('quote').message;
      if (quote.kind !== 'quote') throw new Error('wrong kind');
      const tooBig = { ...quote, value: { ...quote.value, askSize: Decimal.of(1n << 63n) } };
      expect(errorOf(() => encodePayload(tooBig)).field).toBe('quote.askSize.mantissa');
      const position = sampleOf('position').message;
      if (position.kind !== 'position') throw new Error('wrong kind');
      const tooSmall = { ...position, value: { ...position.value, realizedPnl: Decimal.of(-(1n << 63n) - 1n, -2) } };
      expect(errorOf(() => encodePayload(tooSmall)).field).toBe('position.realizedPnl.mantissa');
    });

    it('refuses values the wire cannot carry', () => {
      const bar = sampleOf('bar').message;
      if (bar.kind !== 'bar') throw new Error('wrong kind');
      expect(errorOf(() => encodePayload({ kind: 'bar', value: { ...bar.value, startTime: -1n } })).field).toBe('bar.startTimeNs');
      expect(errorOf(() => encodePayload({ kind: 'bar', value: { ...bar.value, tradeCount: 2 ** 32 } })).field).toBe('bar.tradeCount');
      const snap = sampleOf('bookSnapshot').message;
      if (snap.kind !== 'bookSnapshot') throw new Error('wrong kind');
      const huge = { price: Decimal.ONE, size: Decimal.of(1n << 64n) };
      expect(errorOf(() => encodePayload({ kind: 'bookSnapshot', value: { ...snap.value, asks: [huge] } })).field).toBe(
        'bookSnapshot.asks[0].size.mantissa',
      );
      const hb = sampleOf('heartbeat').message;
      if (hb.kind !== 'heartbeat') throw new Error('wrong kind');
      expect(errorOf(() => encodePayload({ kind: 'heartbeat', value: { ...hb.value, uptimeMs: -1 } })).field).toBe('heartbeat.uptimeMs');
      expect(errorOf(() => encodePayload({ kind: 'nope' } as unknown as DomainMessage)).field).toBe('kind');
    });
  });
});
