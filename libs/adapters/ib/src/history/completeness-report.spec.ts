import { completenessReport, formatCompleteness } from './completeness-report';
import { ibBarSize } from './bar-sizes';
import { toDomainBar } from './bar-conversion';
import { MemoryHistoryStore } from './test-support/memory-history-store';
import { AAPL, MSFT, minuteBars, minuteTradesSpec } from './test-support/history-fixtures';

const spec = minuteTradesSpec(Date.UTC(2025, 0, 2), Date.UTC(2025, 0, 4));

describe('completenessReport', () => {
  it('counts expected bars from the calendar and stored bars from the store, per symbol and day', async () => {
    const store = new MemoryHistoryStore();
    const size = ibBarSize('1 min');
    const write = (symbol: typeof AAPL, from: number, to: number) =>
      store.writeBars(minuteBars(from, to).map((b) => toDomainBar(symbol.instrument, size, b, 0n)));
    await write(AAPL, Date.UTC(2025, 0, 2, 14, 30), Date.UTC(2025, 0, 2, 21));
    await write(AAPL, Date.UTC(2025, 0, 3, 14, 30), Date.UTC(2025, 0, 3, 21));
    await write(MSFT, Date.UTC(2025, 0, 2, 14, 30), Date.UTC(2025, 0, 2, 21));
    // MSFT on the 3rd: a ten-minute hole and nothing after 20:00 UTC.
    await write(MSFT, Date.UTC(2025, 0, 3, 14, 30), Date.UTC(2025, 0, 3, 15));
    await write(MSFT, Date.UTC(2025, 0, 3, 15, 10), Date.UTC(2025, 0, 3, 20));
    // Bars outside the sessions do not count.
    await write(MSFT, Date.UTC(2025, 0, 3, 22), Date.UTC(2025, 0, 3, 23));
    const report = await completenessReport(spec, store, Date.UTC(2026, 0, 1));
    expect(report).toMatchObject({ barSize: '1 min', expected: 1560, stored: 1560 - 70 });
    expect(report.symbols.map((s) => [s.symbol, s.expected, s.stored])).toEqual([
      ['AAPL', 780, 780],
      ['MSFT', 780, 710],
    ]);
    expect(report.symbols[1]?.days).toEqual([
      { day: '2025-01-02', expected: 390, stored: 390 },
      { day: '2025-01-03', expected: 390, stored: 320 },
    ]);
    expect(formatCompleteness(report)).toBe(
      ['AAPL    1 min  780/780 bars  100.0%  2 days complete', 'MSFT    1 min  710/780 bars   91.0%  1 day complete, 1 incomplete', '  2025-01-03  320/390'].join('\n'),
    );
  });

  it('expects only bars finished by now', async () => {
    const report = await completenessReport({ ...spec, symbols: [AAPL] }, new MemoryHistoryStore(), Date.UTC(2025, 0, 2, 15, 0, 30));
    expect(report.symbols[0]?.days).toEqual([{ day: '2025-01-02', expected: 30, stored: 0 }]);
  });
});
