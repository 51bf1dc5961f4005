import { Decimal } from '@ttquant/domain';
import { ProtocolError } from '../errors';
import { bigIntToInt64, Long } from '../wire';
import {
  decodeDecimal,
  encodeDecimal,
  int64Value,
  readClientOrderId,
  readStringMap,
  readTime,
  readUint64AsNumber,
} from './scalars';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err.field;
    throw err;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

describe('int64Value', () => {
  it.each([
    0n,
    1n,
    -1n,
    (1n << 53n) - 1n,
    -(1n << 53n),
    1n << 53n,
    -(1n << 53n) - 1n,
    1_763_686_800_123_456_789n,
    -1_763_686_800_123_456_789n,
    INT64_MAX,
    INT64_MIN,
  ])('converts %p exactly, on both the short and the long way', (v) => {
    expect(int64Value(bigIntToInt64(v), false)).toBe(v);
  });

  it('reads unsigned Longs above 2^63 without a sign', () => {
    expect(int64Value(bigIntToInt64((1n << 64n) - 1n, true), true)).toBe((1n << 64n) - 1n);
    expect(int64Value(bigIntToInt64(1n << 63n, true), false)).toBe(1n << 63n);
  });

  it('takes absent as zero and refuses numbers that are not safe integers', () => {
    expect(int64Value(null, false)).toBe(0n);
    expect(int64Value(42, false)).toBe(42n);
    expect(int64Value(1.5, false)).toBeUndefined();
    expect(int64Value(2 ** 60, false)).toBeUndefined();
  });
});

describe('decodeDecimal / encodeDecimal', () => {
  it.each([
    Decimal.parse('0'),
    Decimal.parse('-0.000000012345678901'),
    Decimal.parse('97123.4500'),
    Decimal.of(INT64_MAX, -64),
    Decimal.of(INT64_MIN, 64),
    Decimal.of(1n, -64),
  ])('round-trips %s with its scale', (x) => {
    const back = decodeDecimal(encodeDecimal(x, 'price'), 'price');
    expect([back.mantissa, back.exponent]).toEqual([x.mantissa, x.exponent]);
  });

  it('refuses mantissas beyond int64 when encoding', () => {
    expect(fieldOf(() => encodeDecimal(Decimal.of(INT64_MAX + 1n), 'fill.price'))).toBe('fill.price.mantissa');
    expect(fieldOf(() => encodeDecimal(Decimal.of(INT64_MIN - 1n), 'fill.price'))).toBe('fill.price.mantissa');
  });

  it('wraps an exponent outside ±64 into a ProtocolError', () => {
    expect(fieldOf(() => decodeDecimal({ mantissa: Long.ONE, exponent: 65 }, 'quote.bidPrice'))).toBe('quote.bidPrice.exponent');
    expect(fieldOf(() => decodeDecimal({ mantissa: Long.ONE, exponent: -65 }, 'quote.bidPrice'))).toBe('quote.bidPrice.exponent');
    expect(decodeDecimal({ mantissa: Long.ONE, exponent: -64 }, 'x').exponent).toBe(-64);
  });

  it('applies sign rules', () => {
    const minus = { mantissa: Long.NEG_ONE, exponent: -2 };
    const zero = { mantissa: Long.ZERO, exponent: 0 };
    expect(decodeDecimal(minus, 'pnl').toString()).toBe('-0.01');
    expect(fieldOf(() => decodeDecimal(minus, 'size', 'non-negative'))).toBe('size');
    expect(decodeDecimal(zero, 'size', 'non-negative').isZero()).toBe(true);
    expect(fieldOf(() => decodeDecimal(zero, 'quantity', 'positive'))).toBe('quantity');
  });

  it('refuses an absent decimal and a mantissa that is not an integer', () => {
    expect(fieldOf(() => decodeDecimal(null, 'quote.bidPrice'))).toBe('quote.bidPrice');
    expect(fieldOf(() => decodeDecimal({ mantissa: 0.5 as unknown as Long }, 'a'))).toBe('a.mantissa');
  });
});

describe('other scalars', () => {
  it('accepts client order ids of 1 to 32 letters and digits only', () => {
    expect(readClientOrderId('A'.repeat(32), '', 'id')).toBe('A'.repeat(32));
    for (const bad of ['', 'A'.repeat(33), 'has space', 'dash-ed', 'ünï', undefined]) {
      expect(fieldOf(() => readClientOrderId(bad, 'cancelOrder', 'clientOrderId'))).toBe('cancelOrder.clientOrderId');
    }
  });

  it('refuses negative times and uptimes beyond 2^53', () => {
    expect(readTime(bigIntToInt64(1n << 62n), '', 't')).toBe(1n << 62n);
    expect(fieldOf(() => readTime(Long.NEG_ONE, 'bar', 'startTimeNs'))).toBe('bar.startTimeNs');
    expect(readUint64AsNumber(Long.fromNumber(Number.MAX_SAFE_INTEGER, true), '', 'u')).toBe(Number.MAX_SAFE_INTEGER);
    expect(fieldOf(() => readUint64AsNumber(Long.MAX_UNSIGNED_VALUE, 'heartbeat', 'uptimeMs'))).toBe('heartbeat.uptimeMs');
  });

  it('copies maps and refuses text with lone surrogates', () => {
    const source = { a: '1' };
    const copy = readStringMap(source, '', 'tags');
    expect(copy).toEqual(source);
    expect(copy).not.toBe(source);
    expect(fieldOf(() => readStringMap({ a: '\ud800' }, 'alert', 'context'))).toBe('alert.context["a"]');
    expect(fieldOf(() => readStringMap({ ['\udc00']: 'x' }, 'alert', 'context'))).toBe('alert.context');
  });
});
