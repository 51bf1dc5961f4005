import { parseCommandArgs } from '../args';
import { UsageError } from '../cli-errors';
import { formatNanos, listFlag, parseInstrument, parseInterval, parseTime, rangeFlags } from './data-args';

const NOW = 1_709_294_400_123_456_789n; // 2024-03-01T12:00:00.123456789Z
const MARCH_1 = 1_709_251_200_000_000_000n;

describe('parseTime', () => {
  it.each([
    ['2024-03-01', MARCH_1],
    ['2024-03-01T00:00:10Z', MARCH_1 + 10_000_000_000n],
    ['2024-03-01T09:30', MARCH_1 + 34_200_000_000_000n],
    ['2024-03-01T00:00:00.000000007Z', MARCH_1 + 7n],
    ['2024-03-01T00:00:00.5', MARCH_1 + 500_000_000n],
    ['2024-03-01T01:00:00+01:00', MARCH_1],
    ['1709251200000000042', MARCH_1 + 42n],
    ['now', NOW],
    ['-2h', NOW - 7_200_000_000_000n],
    ['-15m', NOW - 900_000_000_000n],
    ['-1d', NOW - 86_400_000_000_000n],
  ])('reads %s exactly', (text, expected) => {
    expect(parseTime(text, 'from', NOW)).toBe(expected);
  });

  it.each(['yesterday', '2024-02-30', '2024-03-01T25:00Z', '2024-03-01 10:00', '-2w', '1.5', ''])('refuses %j, naming the flag', (text) => {
    expect(() => parseTime(text, 'from', NOW)).toThrow(UsageError);
    expect(() => parseTime(text, 'from', NOW)).toThrow(/^--from: expected a time such as 2024-03-01/);
  });
});

describe('rangeFlags', () => {
  const parse = (...argv: string[]) => parseCommandArgs('data ticks', argv, { from: { type: 'string', help: '' }, to: { type: 'string', help: '' } });

  it('defaults to the span before now, and refuses a range that ends before it starts', () => {
    expect(rangeFlags(parse(), NOW, 100n)).toEqual({ from: NOW - 100n, to: NOW });
    expect(rangeFlags(parse('--from', '2024-03-01'), NOW, 100n)).toEqual({ from: MARCH_1, to: NOW });
    expect(() => rangeFlags(parse('--from', 'now', '--to', '2024-03-01'), NOW, 100n)).toThrow(
      '--from must not be after --to, was --from 2024-03-01T12:00:00.123456789Z --to 2024-03-01T00:00:00Z',
    );
  });
});

describe('parseInterval and parseInstrument', () => {
  it.each([
    ['30s', 30],
    ['1m', 60],
    ['5m', 300],
    ['1h', 3_600],
    ['1d', 86_400],
    ['90', 90],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseInterval(text)).toBe(seconds);
  });

  it.each(['0', '1w', '-1m', 'm', '1.5m', '400d'])('refuses interval %j', (text) => {
    expect(() => parseInterval(text)).toThrow(`--interval: expected a bar interval such as 30s, 1m, 5m, 1h, 1d or a number of seconds, was ${JSON.stringify(text)}`);
  });

  it('splits VENUE:SYMBOL at the first colon only', () => {
    expect(parseInstrument('SIM:ACME')).toEqual({ venue: 'SIM', symbol: 'ACME' });
    expect(parseInstrument('BINANCEUSDM:BTC/USDT:USDT')).toEqual({ venue: 'BINANCEUSDM', symbol: 'BTC/USDT:USDT' });
    for (const bad of ['ACME', ':ACME', 'SIM:']) expect(() => parseInstrument(bad)).toThrow(/^--symbol: expected VENUE:SYMBOL/);
  });
});

describe('listFlag', () => {
  it('reads comma-separated words case-insensitively and names the one that is wrong', () => {
    const args = parseCommandArgs('data orders', ['--status', 'filled, canceled'], { status: { type: 'string', help: '' } });
    expect(listFlag(args, 'status', ['FILLED', 'CANCELED', 'REJECTED'] as const)).toEqual(['FILLED', 'CANCELED']);
    const bad = parseCommandArgs('data orders', ['--status', 'FILLED,DONE'], { status: { type: 'string', help: '' } });
    expect(() => listFlag(bad, 'status', ['FILLED', 'CANCELED'] as const)).toThrow('--status: expected one or more of FILLED, CANCELED (comma-separated), was "DONE"');
  });
});

describe('formatNanos', () => {
  it.each([
    [MARCH_1, '2024-03-01T00:00:00Z'],
    [MARCH_1 + 120_000_000n, '2024-03-01T00:00:00.120Z'],
    [MARCH_1 + 123_456_000n, '2024-03-01T00:00:00.123456Z'],
    [MARCH_1 + 7n, '2024-03-01T00:00:00.000000007Z'],
    [-1n, '1969-12-31T23:59:59.999999999Z'],
  ])('prints %s as %s, and reads back the same', (nanos, text) => {
    expect(formatNanos(nanos)).toBe(text);
    if (nanos > 0n) expect(parseTime(text, 'at', NOW)).toBe(nanos);
  });
});
