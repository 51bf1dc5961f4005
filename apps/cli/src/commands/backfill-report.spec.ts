import { US_EQUITY_RTH, type BackfillPlan, type BackfillResult, type CompletenessReport, type RequestOutcome } from '@ttquant/adapter-ib';
import { parseCommandArgs } from '../args';
import { BACKFILL_FLAGS, parseBackfillArgs } from './backfill-args';
import { backfillExitCode, backfillJson, completenessRows, isComplete, renderBackfillReport } from './backfill-report';

const options = parseBackfillArgs(
  parseCommandArgs('backfill', ['--symbols', 'AAPL,MSFT', '--from', '2026-07-06', '--to', '2026-07-07', '--rth'], BACKFILL_FLAGS),
);

function report(msftSecondDay: number): CompletenessReport {
  return {
    barSize: '1 min',
    expected: 4 * 390,
    stored: 3 * 390 + msftSecondDay,
    symbols: [
      { venue: 'IB', symbol: 'AAPL', expected: 780, stored: 780, days: [{ day: '2026-07-06', expected: 390, stored: 390 }, { day: '2026-07-07', expected: 390, stored: 390 }] },
      {
        venue: 'IB',
        symbol: 'MSFT',
        expected: 780,
        stored: 390 + msftSecondDay,
        days: [{ day: '2026-07-06', expected: 390, stored: 390 }, { day: '2026-07-07', expected: 390, stored: msftSecondDay }],
      },
    ],
  };
}

const failedOutcome: RequestOutcome = {
  symbol: 'MSFT',
  day: '2026-07-07',
  request: { contract: { conId: 272093, symbol: 'MSFT', secType: 'STK', exchange: 'SMART', currency: 'USD' }, endDateTime: '20260707-20:00:00', duration: '1 D', barSize: '1 min', whatToShow: 'TRADES', useRth: true },
  status: 'failed',
  bars: 0,
  attempts: 6,
  error: 'DisconnectedError: IB connection is reconnecting',
};

function result(overrides: Partial<BackfillResult> = {}): BackfillResult {
  return {
    total: 3,
    done: 3,
    barsWritten: 780,
    barsRejected: 0,
    barsOutsideWindow: 0,
    noData: [],
    failed: [],
    unknownSymbols: [],
    pacingViolations: 0,
    retries: 0,
    stopped: false,
    completeness: report(390),
    ...overrides,
  };
}

const plan = { storedBars: 780, expectedBars: 1560, requests: [] } as unknown as BackfillPlan;

describe('the backfill report', () => {
  it('prints expected against stored bars per symbol and day, and says the range is complete', () => {
    const text = renderBackfillReport(options, plan, result());
    expect(text.split('\n')).toEqual([
      'AAPL, MSFT  1 min TRADES (regular hours)  2026-07-06 – 2026-07-07',
      'requests: 3 of 3 done; bars written: 780 (780 already stored)',
      '',
      'SYMBOL  DAY         EXPECTED  STORED  MISSING  COMPLETE',
      'AAPL    2026-07-06       390     390        0    100.0%',
      'AAPL    2026-07-07       390     390        0    100.0%',
      'MSFT    2026-07-06       390     390        0    100.0%',
      'MSFT    2026-07-07       390     390        0    100.0%',
      '',
      'AAPL: 780/780 bars (100.0%)',
      'MSFT: 780/780 bars (100.0%)',
      '',
      'complete: 1560/1560 bars stored',
      '',
    ]);
  });

  it('lists what failed and how much is missing; a failure exits 1', () => {
    const failed = result({ completeness: report(389), failed: [failedOutcome], barsWritten: 389 });
    const text = renderBackfillReport(options, plan, failed);
    expect(text).toContain('requests: 3 of 3 done, 1 failed; bars written: 389 (780 already stored)');
    // One bar short is not rounded up to a complete day.
    expect(text).toMatch(/MSFT\s+2026-07-07\s+390\s+389\s+1\s+99\.7%/);
    expect(text).toContain('MSFT 2026-07-07: failed — DisconnectedError: IB connection is reconnecting');
    expect(text.trimEnd().split('\n').at(-1)).toBe('incomplete: 1 of 1560 bars missing');
    expect(backfillExitCode(failed)).toBe(1);
  });

  it('warns when the IB client could not decode messages from TWS', () => {
    const text = renderBackfillReport(options, plan, result(), { pacingWaitMs: 0, ibDecodeErrors: 2 });
    expect(text).toContain('warning: 2 message(s) from TWS could not be decoded (IB 505): the TWS version may not match the pinned client');
    expect(renderBackfillReport(options, plan, result(), { pacingWaitMs: 0, ibDecodeErrors: 0 })).not.toContain('warning');
  });

  it('counts bars IB sent around the days asked for, and unusable ones', () => {
    const text = renderBackfillReport(options, plan, result({ barsOutsideWindow: 1_140, barsRejected: 2 }));
    expect(text).toContain('requests: 3 of 3 done; bars written: 780 (780 already stored); 1140 bars outside the days asked for, not stored; 2 unusable bars rejected');
  });

  it('says how to resume a stopped run, which exits 130', () => {
    const stopped = result({ done: 1, stopped: true, completeness: report(0) });
    expect(renderBackfillReport(options, plan, stopped)).toContain('stopped: 1 of 3 requests done; run the same command again to fetch the rest');
    expect(backfillExitCode(stopped)).toBe(130);
  });

  it('counts a day without data as shown, not failed: exit 0', () => {
    const noData = result({ noData: [{ ...failedOutcome, status: 'no-data', error: 'IB sent no bars' }], completeness: report(0) });
    expect(renderBackfillReport(options, plan, noData)).toContain('MSFT 2026-07-07: no-data — IB sent no bars');
    expect(backfillExitCode(noData)).toBe(0);
  });

  it('gives scripts one JSON object with the counts, the failures and the completeness per day', () => {
    const json = backfillJson(options, plan, result({ completeness: report(389), failed: [failedOutcome] }), { pacingWaitMs: 2_900, ibDecodeErrors: 0 });
    expect(json).toMatchObject({
      symbols: ['AAPL', 'MSFT'],
      from: '2026-07-06',
      to: '2026-07-07',
      barSize: '1 min',
      whatToShow: 'TRADES',
      useRth: true,
      requests: { planned: 3, done: 3, failed: 1, noData: 0 },
      storedBefore: 780,
      pacingWaitMs: 2_900,
      ibDecodeErrors: 0,
      failed: [{ symbol: 'MSFT', day: '2026-07-07', status: 'failed', error: 'DisconnectedError: IB connection is reconnecting', attempts: 6 }],
      complete: false,
      completeness: { expected: 1560, stored: 1559 },
    });
  });

  it('has rows in report order and knows completeness', () => {
    expect(completenessRows(report(10)).map((r) => `${r.symbol} ${r.day} ${r.stored}/${r.expected}`)).toEqual([
      'AAPL 2026-07-06 390/390',
      'AAPL 2026-07-07 390/390',
      'MSFT 2026-07-06 390/390',
      'MSFT 2026-07-07 10/390',
    ]);
    expect(isComplete(report(390))).toBe(true);
    expect(isComplete(report(389))).toBe(false);
    expect(options.calendar).toEqual(US_EQUITY_RTH);
  });
});
