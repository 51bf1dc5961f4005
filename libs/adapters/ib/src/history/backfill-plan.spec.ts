import { planBackfill } from './backfill-plan';
import { ibBarSize } from './bar-sizes';
import { toDomainBar } from './bar-conversion';
import { TradingCalendar, US_EQUITY_RTH } from './trading-calendar';
import { MemoryHistoryStore } from './test-support/memory-history-store';
import { AAPL, ibBar, minuteBars, minuteTradesSpec } from './test-support/history-fixtures';

const calendar = new TradingCalendar({ ...US_EQUITY_RTH, holidays: ['2025-01-01'] });
const LATER = Date.UTC(2026, 0, 1);
// Thursday 2 January 2025 to Monday 6 January 2025 (exclusive): sessions on the 2nd and 3rd.
const spec = minuteTradesSpec(Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 7), calendar);
const open = (day: number): number => Date.UTC(2025, 0, day, 14, 30);
const close = (day: number): number => Date.UTC(2025, 0, day, 21);

async function store(symbol = AAPL, ...spans: [number, number][]): Promise<MemoryHistoryStore> {
  const s = new MemoryHistoryStore();
  const size = ibBarSize('1 min');
  for (const [from, to] of spans) await s.writeBars(minuteBars(from, to).map((b) => toDomainBar(symbol.instrument, size, b, 0n)));
  return s;
}

describe('planBackfill', () => {
  it('asks one whole session per request for every trading day of every symbol when nothing is stored', async () => {
    const plan = await planBackfill(spec, new MemoryHistoryStore(), LATER);
    expect(plan.requests.map((r) => [r.symbol.instrument.symbol, r.day, r.request.endDateTime, r.request.duration, r.expectedBars])).toEqual([
      ['AAPL', '2025-01-02', '20250102-21:00:00', '1 D', 390],
      ['AAPL', '2025-01-03', '20250103-21:00:00', '1 D', 390],
      ['AAPL', '2025-01-06', '20250106-21:00:00', '1 D', 390],
      ['MSFT', '2025-01-02', '20250102-21:00:00', '1 D', 390],
      ['MSFT', '2025-01-03', '20250103-21:00:00', '1 D', 390],
      ['MSFT', '2025-01-06', '20250106-21:00:00', '1 D', 390],
    ]);
    const first = plan.requests[0];
    expect(first?.request).toEqual({ contract: AAPL.contract, endDateTime: '20250102-21:00:00', duration: '1 D', barSize: '1 min', whatToShow: 'TRADES', useRth: true });
    expect([first?.fromMs, first?.toMs]).toEqual([open(2), close(2)]);
    expect([plan.expectedBars, plan.storedBars]).toEqual([6 * 390, 0]);
  });

  it('skips stored sessions and asks only the missing tail of a half-stored one', async () => {
    const s = await store(AAPL, [open(2), close(2)], [open(3), open(3) + 200 * 60_000]);
    const plan = await planBackfill({ ...spec, symbols: [AAPL] }, s, LATER);
    expect(plan.requests.map((r) => [r.day, r.request.endDateTime, r.request.duration, r.fromMs, r.missingBars])).toEqual([
      ['2025-01-03', '20250103-21:00:00', `${190 * 60} S`, open(3) + 200 * 60_000, 190],
      ['2025-01-06', '20250106-21:00:00', '1 D', open(6), 390],
    ]);
    expect(plan.storedBars).toBe(590);
  });

  it('asks a hole inside a session from its first to its last missing bar', async () => {
    const hole = open(2) + 100 * 60_000;
    const s = await store(AAPL, [open(2), hole], [hole + 10 * 60_000, close(2)], [open(3), close(3)], [open(6), close(6)]);
    const plan = await planBackfill({ ...spec, symbols: [AAPL] }, s, LATER);
    expect(plan.requests.map((r) => [r.request.endDateTime, r.request.duration, r.expectedBars])).toEqual([['20250102-16:20:00', '600 S', 10]]);
  });

  it('can tolerate a few missing bars per session, as illiquid symbols have', async () => {
    const at = (minute: number) => open(2) + minute * 60_000;
    // 2 January with three minutes that had no trades; 3 January not stored at all.
    const s = await store(AAPL, [at(0), at(50)], [at(51), at(200)], [at(201), at(300)], [at(301), close(2)]);
    const strict = await planBackfill({ ...spec, symbols: [AAPL], toMs: Date.UTC(2025, 0, 4) }, s, LATER);
    expect(strict.requests.map((r) => [r.day, r.missingBars])).toEqual([['2025-01-02', 3], ['2025-01-03', 390]]);
    const lenient = await planBackfill({ ...spec, symbols: [AAPL], toMs: Date.UTC(2025, 0, 4), toleratedMissingBars: 5 }, s, LATER);
    expect(lenient.requests.map((r) => [r.day, r.missingBars])).toEqual([['2025-01-03', 390]]);
    await expect(planBackfill({ ...spec, toleratedMissingBars: -1 }, s, LATER)).rejects.toThrow('expected toleratedMissingBars to be a whole number >= 0, was -1');
  });

  it('plans nothing when everything is stored', async () => {
    const s = await store(AAPL, [open(2), close(2)], [open(3), close(3)], [open(6), close(6)]);
    const plan = await planBackfill({ ...spec, symbols: [AAPL] }, s, LATER);
    expect(plan.requests).toEqual([]);
    expect([plan.expectedBars, plan.storedBars]).toEqual([1170, 1170]);
  });

  it('leaves out bars that are still forming', async () => {
    const now = open(6) + 30 * 60_000 + 20_000;
    const plan = await planBackfill({ ...spec, symbols: [AAPL] }, new MemoryHistoryStore(), now);
    const last = plan.requests[plan.requests.length - 1];
    expect([last?.day, last?.request.duration, last?.request.endDateTime, last?.expectedBars]).toEqual(['2025-01-06', '1800 S', '20250106-15:00:00', 30]);
  });

  it('splits a session into the longest windows IB allows for second bars', async () => {
    const plan = await planBackfill({ ...spec, symbols: [AAPL], barSize: '1 secs', toMs: Date.UTC(2025, 0, 3) }, new MemoryHistoryStore(), LATER);
    expect(plan.requests).toHaveLength(13);
    expect(plan.requests.every((r) => r.request.duration === '1800 S' && r.expectedBars === 1800)).toBe(true);
    expect(plan.requests[12]?.request.endDateTime).toBe('20250102-21:00:00');
  });

  it('keys hourly bars by clock hour, the first one holding the half hour after the open', async () => {
    const s = new MemoryHistoryStore();
    const size = ibBarSize('1 hour');
    const first = { ...ibBar(open(2)) };
    await s.writeBars([toDomainBar(AAPL.instrument, size, first, 0n)]);
    const plan = await planBackfill({ ...spec, symbols: [AAPL], barSize: '1 hour', toMs: Date.UTC(2025, 0, 3) }, s, LATER);
    // 09:00 bucket (stored from IB's 09:30 bar), 10:00 … 15:00: six missing, from 15:00 UTC.
    expect(plan.expectedBars).toBe(7);
    expect(plan.requests.map((r) => [r.fromMs, r.expectedBars, r.request.duration, r.request.endDateTime])).toEqual([
      [Date.UTC(2025, 0, 2, 15), 6, `${6 * 3600} S`, '20250102-21:00:00'],
    ]);
    const empty = await planBackfill({ ...spec, symbols: [AAPL], barSize: '1 hour', toMs: Date.UTC(2025, 0, 3) }, new MemoryHistoryStore(), LATER);
    expect(empty.requests.map((r) => [r.fromMs, r.request.duration])).toEqual([[Date.UTC(2025, 0, 2, 14), '1 D']]);
  });

  it('asks daily bars in runs of missing sessions, at most a year per request', async () => {
    const daily = { ...spec, symbols: [AAPL], barSize: '1 day', fromMs: Date.UTC(2023, 0, 1), toMs: Date.UTC(2025, 0, 1) };
    const s = new MemoryHistoryStore();
    const size = ibBarSize('1 day');
    // Stored: the week of 3–7 July 2023, stamped as IB dates at any hour.
    await s.writeBars([3, 5, 6, 7].map((d) => toDomainBar(AAPL.instrument, size, ibBar(Date.UTC(2023, 6, d, 5)), 0n)));
    const plan = await planBackfill(daily, s, LATER);
    expect(plan.requests.map((r) => [r.day, r.lastDay, r.request.duration, r.request.endDateTime])).toEqual([
      ['2023-01-02', '2023-06-30', '180 D', '20230630-20:00:00'],
      ['2023-07-04', '2023-07-04', '1 D', '20230704-20:00:00'],
      ['2023-07-10', '2024-07-08', '365 D', '20240708-20:00:00'],
      ['2024-07-09', '2024-12-31', '176 D', '20241231-21:00:00'],
    ]);
    // With 4 July configured as a holiday the stored week is complete.
    const withHoliday = { ...daily, calendar: new TradingCalendar({ ...US_EQUITY_RTH, holidays: ['2023-07-04'] }) };
    const week = await planBackfill({ ...withHoliday, fromMs: Date.UTC(2023, 6, 3), toMs: Date.UTC(2023, 6, 8) }, s, LATER);
    expect([week.requests, week.expectedBars, week.storedBars]).toEqual([[], 4, 4]);
  });

  it('refuses a reversed range or an empty symbol list', async () => {
    await expect(planBackfill({ ...spec, toMs: spec.fromMs }, new MemoryHistoryStore(), LATER)).rejects.toThrow(
      'expected a range with from before to, was 2025-01-01T00:00:00.000Z – 2025-01-01T00:00:00.000Z',
    );
    await expect(planBackfill({ ...spec, symbols: [] }, new MemoryHistoryStore(), LATER)).rejects.toThrow(
      'expected at least one symbol to backfill, was none',
    );
    await expect(planBackfill({ ...spec, barSize: '7 mins' }, new MemoryHistoryStore(), LATER)).rejects.toThrow('was "7 mins"');
  });
});
