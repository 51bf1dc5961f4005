import { Decimal, DecimalError, type RoundingMode } from './decimal';

const d = Decimal.parse;

describe('Decimal', () => {
  it('parses and prints plain decimal text, keeping its scale', () => {
    expect(d('101.250').toString()).toBe('101.250');
    expect(d('-0.005').toString()).toBe('-0.005');
    expect(d('1e-8').toString()).toBe('0.00000001');
    expect(d('12E2').toString()).toBe('1200');
    expect(d('+7').toString()).toBe('7');
    expect(Decimal.of(-5n, -3).toString()).toBe('-0.005');
  });

  it.each(['', 'abc', '1.2.3', '1,5', 'NaN', '--1', '1e'])('refuses %j with a DecimalError', (text) => {
    expect(() => d(text)).toThrow(DecimalError);
  });

  it('converts floats at the edge through their shortest round-trip text', () => {
    expect(Decimal.fromNumber(0.1).add(Decimal.fromNumber(0.2)).eq(d('0.3'))).toBe(true);
    expect(Decimal.fromNumber(1e-7).toString()).toBe('0.0000001');
    expect(() => Decimal.fromNumber(Number.NaN)).toThrow('expected a finite number, was NaN');
    expect(() => Decimal.fromNumber(Infinity)).toThrow(DecimalError);
  });

  it('adds, subtracts and multiplies exactly across scales', () => {
    expect(d('0.1').add(d('0.02')).toString()).toBe('0.12');
    expect(d('100').sub(d('0.001')).toString()).toBe('99.999');
    expect(d('1.25').mul(d('-4.4')).toString()).toBe('-5.500');
    expect(d('123456789.123456789').mul(d('1000000')).eq(d('123456789123456.789'))).toBe(true);
  });

  it('divides to a requested scale with the requested rounding', () => {
    expect(d('10').div(d('3'), 4).toString()).toBe('3.3333');
    expect(d('2').div(d('3'), 2).toString()).toBe('0.67');
    expect(d('-2').div(d('3'), 2, 'down').toString()).toBe('-0.66');
    expect(() => d('1').div(Decimal.ZERO, 2)).toThrow('division by zero');
  });

  it.each<[string, RoundingMode, string]>([
    ['2.5', 'half-even', '2'],
    ['3.5', 'half-even', '4'],
    ['-2.5', 'half-even', '-2'],
    ['2.5', 'half-up', '3'],
    ['-2.5', 'half-up', '-3'],
    ['2.9', 'down', '2'],
    ['-2.9', 'down', '-2'],
    ['2.1', 'up', '3'],
    ['-2.1', 'up', '-3'],
    ['-2.1', 'floor', '-3'],
    ['2.1', 'floor', '2'],
    ['-2.9', 'ceil', '-2'],
    ['2.1', 'ceil', '3'],
  ])('rounds %s %s to %s', (value, mode, expected) => {
    expect(d(value).round(0, mode).toString()).toBe(expected);
  });

  it('rounds to a tick or lot increment', () => {
    expect(d('101.237').roundToIncrement(d('0.05')).toString()).toBe('101.25');
    expect(d('101.224').roundToIncrement(d('0.05'), 'floor').toString()).toBe('101.20');
    expect(d('0.0123456').roundToIncrement(d('0.001'), 'down').toString()).toBe('0.012');
    expect(d('101.25').isMultipleOf(d('0.05'))).toBe(true);
    expect(d('101.26').isMultipleOf(d('0.05'))).toBe(false);
    expect(() => d('1').roundToIncrement(Decimal.ZERO)).toThrow('expected a positive increment, was 0');
  });

  it('compares by value, not by representation', () => {
    expect(d('1.50').eq(d('1.5'))).toBe(true);
    expect(d('1.50').cmp(d('1.49'))).toBe(1);
    expect(d('-1').lt(d('0.0001'))).toBe(true);
    expect(Decimal.max(d('2'), d('10')).toString()).toBe('10');
    expect(d('1.500').normalize().toString()).toBe('1.5');
    expect(d('-0.000').normalize()).toBe(Decimal.ZERO);
  });

  it('formats fixed places for reports', () => {
    expect(d('-12.345').toFixed(2)).toBe('-12.34');
    expect(d('-12.355').toFixed(2)).toBe('-12.36');
    expect(d('3').toFixed(4)).toBe('3.0000');
    expect(d('-0.001').toFixed(2)).toBe('0.00');
  });

  it('converts to the same double as its text would parse to', () => {
    // A seeded walk over mantissas and scales, including values that do not round-trip as floats.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 20_000; i++) {
      const value = Decimal.of(BigInt(next()) * BigInt(next() % 5000) - 2n ** 40n, -(next() % 23));
      expect(value.toNumber()).toBe(Number(value.toString()));
    }
    expect(d('100.01').toNumber()).toBe(100.01);
    expect(d('-0.000000000000000000001').toNumber()).toBe(-1e-21);
    expect(Decimal.of(2n ** 60n, -3).toNumber()).toBe(Number(Decimal.of(2n ** 60n, -3).toString()));
    expect(d('12E2').toNumber()).toBe(1200);
  });

  it('knows whether it fits the wire int64 mantissa', () => {
    expect(Decimal.of((1n << 63n) - 1n).fitsInt64).toBe(true);
    expect(Decimal.of(1n << 63n).fitsInt64).toBe(false);
  });

  it('refuses exponents no real value needs', () => {
    expect(() => Decimal.of(1n, 65)).toThrow('expected an integer exponent within ±64, was 65');
    expect(() => Decimal.of(1n, 0.5)).toThrow(DecimalError);
  });
});
