import { formatIbUtc, parseIbTime, parseIbTimeNanos } from './times';

describe('IB times', () => {
  it('formats UTC the way TWS reads it', () => {
    expect(formatIbUtc(1735810200000000000n)).toBe('20250102-09:30:00');
  });

  it.each([
    ['20250102-09:30:00', Date.UTC(2025, 0, 2, 9, 30)],
    ['20250102 09:30:00', Date.UTC(2025, 0, 2, 9, 30)],
    ['20250102  09:30:00 UTC', Date.UTC(2025, 0, 2, 9, 30)],
    ['20250102 09:30:00 US/Eastern', Date.UTC(2025, 0, 2, 14, 30)],
    ['20250702 09:30:00 US/Eastern', Date.UTC(2025, 6, 2, 13, 30)],
    ['20250102 09:30:00 EST', Date.UTC(2025, 0, 2, 14, 30)],
    ['20250102', Date.UTC(2025, 0, 2)],
    ['1735810200', Date.UTC(2025, 0, 2, 9, 30)],
  ])('parses %j', (text, expected) => {
    expect(parseIbTime(text)).toBe(expected);
  });

  it('gives undefined for text that is no time, and the fallback in nanoseconds', () => {
    expect(parseIbTime('yesterday')).toBeUndefined();
    expect(parseIbTime('20250102 09:30:00 Mars/Olympus')).toBeUndefined();
    expect(parseIbTimeNanos('nope', 42n)).toBe(42n);
  });
});
