import { US_EQUITY_EXTENDED, US_EQUITY_RTH } from '@ttquant/adapter-ib';
import { parseCommandArgs } from '../args';
import { UsageError } from '../cli-errors';
import { BACKFILL_FLAGS, localMidnightMs, parseBackfillArgs, parseBarSize } from './backfill-args';

const parse = (...argv: string[]) => parseBackfillArgs(parseCommandArgs('backfill', argv, BACKFILL_FLAGS));
const BASE = ['--symbols', 'AAPL,SPY', '--from', '2026-07-01', '--to', '2026-07-31'];

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

describe('parseBackfillArgs', () => {
  it('reads the brief example with its defaults: 1-minute TRADES bars, extended hours', () => {
    const options = parse(...BASE, '--bar', '1m');
    expect(options).toMatchObject({
      symbols: ['AAPL', 'SPY'],
      fromDay: '2026-07-01',
      toDay: '2026-07-31',
      barSize: '1 min',
      whatToShow: 'TRADES',
      useRth: false,
      calendar: US_EQUITY_EXTENDED,
      toleratedMissingBars: 0,
      ib: {},
    });
    // New York midnights (EDT, UTC-4): the range holds whole New York sessions, --to included.
    expect(new Date(options.fromMs).toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(new Date(options.toMs).toISOString()).toBe('2026-08-01T04:00:00.000Z');
  });

  it('takes --rth, --what, --holidays, --tolerate and the IB overrides', () => {
    const options = parse(...BASE, '--rth', '--what', 'midpoint', '--holidays', '2026-07-03', '--tolerate', '5', '--ib-host', 'tws.lan', '--ib-port', '7497', '--client-id', '44');
    expect(options.useRth).toBe(true);
    expect(options.whatToShow).toBe('MIDPOINT');
    expect(options.calendar).toEqual({ ...US_EQUITY_RTH, holidays: ['2026-07-03'] });
    expect(options.toleratedMissingBars).toBe(5);
    expect(options.ib).toEqual({ host: 'tws.lan', port: 7497, clientId: 44 });
  });

  it('upper-cases symbols and drops repeats, keeping their order', () => {
    expect(parse('--symbols', ' spy, aapl ,SPY', '--from', '2026-07-01').symbols).toEqual(['SPY', 'AAPL']);
  });

  it('defaults --to to --from (one day)', () => {
    const options = parse('--symbols', 'AAPL', '--from', '2026-01-05');
    expect(options.toDay).toBe('2026-01-05');
    // Winter: New York is UTC-5.
    expect(new Date(options.fromMs).toISOString()).toBe('2026-01-05T05:00:00.000Z');
    expect(options.toMs - options.fromMs).toBe(86_400_000);
  });

  it.each([
    [['--from', '2026-07-01'], '--symbols is required, e.g. --symbols AAPL,SPY'],
    [['--symbols', 'AAPL'], '--from is required, e.g. --from 2026-07-01'],
    [['--symbols', 'AAPL,,SPY', '--from', '2026-07-01'], '--symbols: expected symbols separated by commas such as AAPL,SPY, was "AAPL,,SPY"'],
    [['--symbols', 'AA$PL', '--from', '2026-07-01'], '--symbols: expected an IB symbol such as AAPL or EUR.USD, was "AA$PL"'],
    [['--symbols', 'AAPL', '--from', '2026-02-30'], '--from: expected a date YYYY-MM-DD such as 2026-07-01, was "2026-02-30"'],
    [['--symbols', 'AAPL', '--from', '07/01/2026'], '--from: expected a date YYYY-MM-DD such as 2026-07-01, was "07/01/2026"'],
    [['--symbols', 'AAPL', '--from', '2026-07-10', '--to', '2026-07-01'], '--to: expected a date on or after --from 2026-07-10, was 2026-07-01'],
    [['--symbols', 'AAPL', '--from', '2026-07-01', '--what', 'volume'], '--what: expected one of trades, midpoint, bid, ask, was "volume"'],
    [['--symbols', 'AAPL', '--from', '2026-07-01', '--ib-port', '70000'], '--ib-port: expected a whole number from 1 to 65535 such as 4002, was "70000"'],
    [['--symbols', 'AAPL', '--from', '2026-07-01', '--client-id=-3'], '--client-id: expected a whole number from 0 to 2147483647 such as 90, was "-3"'],
    [['--symbols', 'AAPL', '--from', '2026-07-01', '--tolerate', 'some'], '--tolerate: expected a whole number from 0 to 100000 such as 5, was "some"'],
    [['--symbols', 'AAPL', '--from', '2026-07-01', '--holidays', '2026-07-03,July 4'], '--holidays: expected a date YYYY-MM-DD such as 2026-07-01, was "July 4"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(usageMessage(() => parse(...argv))).toBe(message);
  });
});

describe('parseBarSize', () => {
  it.each([
    ['1m', '1 min'],
    ['5M', '5 mins'],
    ['30s', '30 secs'],
    ['1h', '1 hour'],
    ['1d', '1 day'],
    ['1 min', '1 min'],
    ['2 hours', '2 hours'],
  ])('%s is IB %s', (text, ib) => {
    expect(parseBarSize(text)).toBe(ib);
  });

  it('lists the sizes it knows when given another', () => {
    expect(usageMessage(() => parseBarSize('7m'))).toMatch(/^--bar: expected one of 1s, 5s, .*, 1d \(or IB's spelling such as "1 min"\), was "7m"$/);
  });
});

describe('localMidnightMs', () => {
  it('is the zone midnight on both sides of a daylight saving change', () => {
    // New York moved from UTC-5 to UTC-4 at 02:00 on 2026-03-08.
    expect(new Date(localMidnightMs('2026-03-08', 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(localMidnightMs('2026-03-09', 'America/New_York')).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(new Date(localMidnightMs('2026-03-09', 'UTC')).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(new Date(localMidnightMs('2026-03-09', 'Asia/Tokyo')).toISOString()).toBe('2026-03-08T15:00:00.000Z');
  });
});
