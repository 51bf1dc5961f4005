import { ALWAYS_OPEN, TradingCalendar, US_EQUITY_EXTENDED, US_EQUITY_RTH } from './trading-calendar';
import { ibEndDateTime, ibBarSize } from './bar-sizes';

describe('TradingCalendar', () => {
  it('gives US regular hours in UTC, following daylight saving', () => {
    const calendar = new TradingCalendar(US_EQUITY_RTH);
    // Winter (EST, UTC-5) and summer (EDT, UTC-4).
    expect(calendar.session('2025-01-02')).toEqual({ day: '2025-01-02', fromMs: Date.UTC(2025, 0, 2, 14, 30), toMs: Date.UTC(2025, 0, 2, 21) });
    expect(calendar.session('2025-07-01')).toEqual({ day: '2025-07-01', fromMs: Date.UTC(2025, 6, 1, 13, 30), toMs: Date.UTC(2025, 6, 1, 20) });
    // The Monday after the March switch (2025-03-09) is already on EDT.
    expect(calendar.session('2025-03-10')?.fromMs).toBe(Date.UTC(2025, 2, 10, 13, 30));
    expect(calendar.session('2025-03-07')?.fromMs).toBe(Date.UTC(2025, 2, 7, 14, 30));
  });

  it('skips weekends and holidays and applies early closes', () => {
    const calendar = new TradingCalendar({ ...US_EQUITY_RTH, holidays: ['2024-12-25', '2025-01-01'], earlyCloses: { '2024-12-24': '13:00' } });
    const sessions = calendar.sessions(Date.UTC(2024, 11, 23), Date.UTC(2025, 0, 6));
    expect(sessions.map((s) => s.day)).toEqual(['2024-12-23', '2024-12-24', '2024-12-26', '2024-12-27', '2024-12-30', '2024-12-31', '2025-01-02', '2025-01-03']);
    const christmasEve = sessions[1];
    expect(christmasEve && (christmasEve.toMs - christmasEve.fromMs) / 60_000).toBe(210);
  });

  it('clips sessions to the range asked for', () => {
    const calendar = new TradingCalendar(US_EQUITY_EXTENDED);
    const sessions = calendar.sessions(Date.UTC(2025, 0, 2, 20), Date.UTC(2025, 0, 3, 10));
    expect(sessions).toEqual([
      { day: '2025-01-02', fromMs: Date.UTC(2025, 0, 2, 20), toMs: Date.UTC(2025, 0, 3, 1) },
      { day: '2025-01-03', fromMs: Date.UTC(2025, 0, 3, 9), toMs: Date.UTC(2025, 0, 3, 10) },
    ]);
    expect(calendar.sessions(Date.UTC(2025, 0, 4), Date.UTC(2025, 0, 4))).toEqual([]);
  });

  it('runs round the clock for crypto', () => {
    const sessions = new TradingCalendar(ALWAYS_OPEN).sessions(Date.UTC(2025, 0, 4), Date.UTC(2025, 0, 6));
    expect(sessions).toEqual([
      { day: '2025-01-04', fromMs: Date.UTC(2025, 0, 4), toMs: Date.UTC(2025, 0, 5) },
      { day: '2025-01-05', fromMs: Date.UTC(2025, 0, 5), toMs: Date.UTC(2025, 0, 6) },
    ]);
  });

  it('refuses a bad configuration naming what it expected', () => {
    expect(() => new TradingCalendar({ ...US_EQUITY_RTH, timeZone: 'Mars/Olympus' })).toThrow(
      'expected an IANA time zone such as America/New_York, was "Mars/Olympus"',
    );
    expect(() => new TradingCalendar({ ...US_EQUITY_RTH, close: '09:00' })).toThrow('expected close after open, was open 09:30 and close 09:00');
    expect(() => new TradingCalendar({ ...US_EQUITY_RTH, open: '9.30' })).toThrow('expected open as HH:mm between 00:00 and 24:00, was "9.30"');
    expect(() => new TradingCalendar({ ...US_EQUITY_RTH, holidays: ['2025-02-30'] })).toThrow('expected holiday as a date YYYY-MM-DD, was "2025-02-30"');
    expect(() => new TradingCalendar({ ...US_EQUITY_RTH, weekdays: [7] })).toThrow('expected weekdays between 0 (Sunday) and 6 (Saturday), was 7');
  });
});

describe('bar sizes', () => {
  it('knows IB spellings, lengths and the longest window per request', () => {
    expect(ibBarSize('1 min')).toEqual({ text: '1 min', seconds: 60, maxWindowSeconds: 86_400, daily: false });
    expect(ibBarSize('1 day')).toMatchObject({ seconds: 86_400, maxWindowSeconds: 365 * 86_400, daily: true });
    expect(() => ibBarSize('1 minute')).toThrow(/expected an IB bar size \(1 secs, .*1 day\), was "1 minute"/);
  });

  it('formats IB UTC end times', () => {
    expect(ibEndDateTime(Date.UTC(2025, 0, 2, 21, 0, 5))).toBe('20250102-21:00:05');
  });
});
