import { formatBackfillProgress, formatPacingWait } from './backfill-progress';

describe('backfill progress text', () => {
  it('draws a bar with the count, share, bars, failures and position', () => {
    const line = formatBackfillProgress({ kind: 'progress', done: 42, total: 200, failed: 1, bars: 16380, symbol: 'AAPL', day: '2025-01-03', outcome: 'stored' });
    expect(line).toBe('[######------------------------]   42/200   21.0%  16380 bars  1 failed  AAPL 2025-01-03');
    const done = formatBackfillProgress({ kind: 'progress', done: 4, total: 4, failed: 0, bars: 1560, symbol: 'MSFT', day: '2025-01-06', outcome: 'stored' }, { width: 8 });
    expect(done).toBe('[########]  4/4  100.0%  1560 bars  MSFT 2025-01-06');
  });

  it('names the request that waits for pacing next', () => {
    expect(formatBackfillProgress({ kind: 'request', symbol: 'AAPL', day: '2025-01-06', done: 60, total: 200 })).toBe('60/200  next: AAPL 2025-01-06');
  });

  it('says when and why a request is retried, and how long pacing waits', () => {
    expect(formatBackfillProgress({ kind: 'retry', symbol: 'AAPL', day: '2025-01-03', reason: 'network', attempt: 2, delayMs: 2_000, error: 'DisconnectedError: connection to TWS lost' })).toBe(
      'retry 2 of AAPL 2025-01-03 in 2s (network: DisconnectedError: connection to TWS lost)',
    );
    expect(formatPacingWait(552_000)).toBe('waiting 9m 12s for IB pacing');
    expect(formatPacingWait(1_500)).toBe('waiting 2s for IB pacing');
  });
});
