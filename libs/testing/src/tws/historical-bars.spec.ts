import { DEFAULT_FAKE_TWS_CONTRACTS } from './contract-registry';
import type { FakeTwsContract } from './fake-tws-types';
import { generateBars, HistoricalRequestError, parseBarSize, parseDuration, parseEndDateTime } from './historical-bars';
import { formatTwsTime } from './tws-time';

const [aapl, , , , btc] = DEFAULT_FAKE_TWS_CONTRACTS as [FakeTwsContract, FakeTwsContract, FakeTwsContract, FakeTwsContract, FakeTwsContract];

describe('historical bars', () => {
  it('parses IB bar sizes and durations', () => {
    expect(['1 secs', '30 secs', '1 min', '5 mins', '1 hour', '4 hours', '1 day', '1 week', '1 month'].map(parseBarSize)).toEqual([1, 30, 60, 300, 3600, 14400, 86400, 604800, 2592000]);
    expect(['60 S', '2 D', '1 W', '1 M', '1 Y'].map(parseDuration)).toEqual([60, 172800, 604800, 2592000, 31536000]);
    expect(() => parseBarSize('5 minutes please')).toThrow(HistoricalRequestError);
    expect(() => parseDuration('2 days')).toThrow('expected a duration like "2 D" (units S, D, W, M, Y), got "2 days"');
  });

  it('reads end times in UTC, with a dash, or in a named zone across daylight saving', () => {
    const now = Date.UTC(2025, 5, 1);
    expect(parseEndDateTime('', now)).toBe(now);
    expect(parseEndDateTime('20250102-16:00:00', now)).toBe(Date.UTC(2025, 0, 2, 16));
    expect(parseEndDateTime('20250102 16:00:00 UTC', now)).toBe(Date.UTC(2025, 0, 2, 16));
    expect(parseEndDateTime('20250102 16:00:00 US/Eastern', now)).toBe(Date.UTC(2025, 0, 2, 21));
    expect(parseEndDateTime('20250702 16:00:00 US/Eastern', now)).toBe(Date.UTC(2025, 6, 2, 20));
    expect(() => parseEndDateTime('20250102 16:00:00 Mars/Olympus', now)).toThrow('unknown time zone "Mars/Olympus"');
    expect(() => parseEndDateTime('yesterday', now)).toThrow('expected endDateTime like');
    expect(formatTwsTime(Date.UTC(2025, 0, 2, 9, 5, 7))).toBe('20250102 09:05:07 UTC');
  });

  it('gives the same bars for the same query, skips weekends for stocks but not for crypto', () => {
    const query = { contract: aapl, endMs: Date.UTC(2025, 0, 6, 0, 0), durationSec: 4 * 86_400, barSec: 3600, useRth: false, formatDate: 1 };
    const first = generateBars(query);
    expect(generateBars(query)).toEqual(first);
    // Thu 2 Jan 00:00 to Mon 6 Jan 00:00 UTC: stock weekdays are New York's, so Friday ends Sat 05:00 UTC.
    expect(first.bars).toHaveLength(24 + 24 + 5);
    expect(first.bars.at(-1)?.time).toBe('20250104 04:00:00 UTC');
    expect(first.bars[0]?.time).toBe('20250102 00:00:00 UTC');
    expect(generateBars({ ...query, contract: btc }).bars).toHaveLength(96);
    // Regular hours follow New York time: 9:30-16:00 is 14:30-21:00 UTC in January, 13:30-20:00 UTC in July.
    const rth = generateBars({ ...query, useRth: true, barSec: 1800 });
    expect(rth.bars.map((b) => b.time).slice(0, 2)).toEqual(['20250102 14:30:00 UTC', '20250102 15:00:00 UTC']);
    expect(rth.bars.filter((b) => String(b.time).startsWith('20250102'))).toHaveLength(13);
    const july = generateBars({ ...query, endMs: Date.UTC(2025, 6, 3), durationSec: 86_400, barSec: 1800, useRth: true });
    expect([july.bars[0]?.time, july.bars.at(-1)?.time, july.bars.length]).toEqual(['20250702 13:30:00 UTC', '20250702 19:30:00 UTC', 13]);
  });

  it('refuses a request for more bars than it serves with 162', () => {
    try {
      generateBars({ contract: btc, endMs: Date.UTC(2025, 0, 6), durationSec: 2 * 86_400, barSec: 1, useRth: false, formatDate: 2 });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(HistoricalRequestError);
      expect((error as HistoricalRequestError).code).toBe(162);
    }
  });
});
