import type { CliIo } from '../output';
import { BackfillProgressLine, progressText } from './backfill-progress-line';

function io(tty: boolean, columns?: number): CliIo & { text: string } {
  const target = {
    text: '',
    errIsTty: tty,
    ...(columns !== undefined && { errColumns: columns }),
    out: () => undefined,
    err: (chunk: string) => void (target.text += chunk),
  };
  return target;
}

const request = (done: number, symbol: string, day: string) => ({ kind: 'request' as const, done, total: 4, symbol, day });
const progress = (done: number, bars: number, symbol: string, day: string, failed = 0) => ({
  kind: 'progress' as const,
  done,
  total: 4,
  bars,
  failed,
  symbol,
  day,
  outcome: failed > 0 ? ('failed' as const) : ('stored' as const),
});

describe('progressText', () => {
  it('shows the bar, done of total, bars stored, the request in hand and a pacing wait', () => {
    expect(progressText({ done: 3, total: 6, bars: 1170, failed: 0, current: 'SPY 2026-07-01', waitingMs: 2_500 }, 20)).toBe(
      '[##########----------]  3/6   50.0%  1170 bars  SPY 2026-07-01  waiting 3s for IB pacing',
    );
    expect(progressText({ done: 12, total: 200, bars: 4680, failed: 2, current: 'AAPL 2026-07-20' }, 10)).toBe(
      '[#---------]   12/200    6.0%  4680 bars  2 failed  AAPL 2026-07-20',
    );
  });

  it('shows a plan with nothing to do as done', () => {
    expect(progressText({ done: 0, total: 0, bars: 0, failed: 0, current: '' }, 4)).toBe('[####]  0/0  100.0%  0 bars');
  });
});

describe('BackfillProgressLine on a terminal', () => {
  it('redraws one line in place and says when IB pacing holds the next request', () => {
    const out = io(true, 120);
    const line = new BackfillProgressLine(out, 0);
    line.onEvent(request(0, 'AAPL', '2026-07-06'));
    line.onEvent(progress(1, 390, 'AAPL', '2026-07-06'));
    line.onEvent(request(1, 'AAPL', '2026-07-07'));
    line.onPacingWait(9_000);
    const frames = out.text.split('\r').filter((f) => f !== '');
    expect(out.text).not.toContain('\n');
    expect(frames.map((f) => f.replace('\x1b[K', ''))).toEqual([
      progressText({ done: 0, total: 4, bars: 0, failed: 0, current: 'AAPL 2026-07-06' }),
      progressText({ done: 1, total: 4, bars: 390, failed: 0, current: 'AAPL 2026-07-06' }),
      progressText({ done: 1, total: 4, bars: 390, failed: 0, current: 'AAPL 2026-07-07' }),
      progressText({ done: 1, total: 4, bars: 390, failed: 0, current: 'AAPL 2026-07-07', waitingMs: 9_000 }),
    ]);
    expect(frames.at(-1)).toContain('waiting 9s for IB pacing');
    // The next request clears the wait.
    line.onEvent(progress(2, 780, 'AAPL', '2026-07-07'));
    expect(out.text.split('\r').at(-1)).not.toContain('waiting');
  });

  it('never draws wider than the terminal', () => {
    const out = io(true, 40);
    const line = new BackfillProgressLine(out, 0);
    line.onEvent(request(0, 'VERYLONGSYMBOL', '2026-07-06'));
    const drawn = (out.text.split('\r').at(-1) ?? '').replace('\x1b[K', '');
    expect(drawn.length).toBeLessThan(40);
    expect(drawn.endsWith('…')).toBe(true);
  });

  it('keeps messages above the line and draws it again below them', () => {
    const out = io(true, 120);
    const line = new BackfillProgressLine(out, 0);
    line.onEvent(request(0, 'AAPL', '2026-07-06'));
    line.onEvent({ kind: 'retry', symbol: 'AAPL', day: '2026-07-06', reason: 'network', attempt: 2, delayMs: 2_000, error: 'DisconnectedError: link down' });
    line.finish();
    expect(out.text).toBe(
      `\r${progressText({ done: 0, total: 4, bars: 0, failed: 0, current: 'AAPL 2026-07-06' })}\x1b[K` +
        '\r\x1b[Kretry 2 of AAPL 2026-07-06 in 2s (network: DisconnectedError: link down)\n' +
        `\r${progressText({ done: 0, total: 4, bars: 0, failed: 0, current: 'AAPL 2026-07-06' })}\x1b[K` +
        '\n',
    );
  });
});

describe('BackfillProgressLine elsewhere (pipe, log file)', () => {
  it('writes a plain line per finished request, per retry and per pacing wait of a second or more', () => {
    const out = io(false);
    const line = new BackfillProgressLine(out, 0);
    line.onEvent(request(0, 'AAPL', '2026-07-06'));
    line.onEvent(progress(1, 390, 'AAPL', '2026-07-06'));
    line.onEvent(request(1, 'AAPL', '2026-07-07'));
    line.onPacingWait(300);
    line.onPacingWait(61_000);
    line.onEvent(progress(2, 390, 'AAPL', '2026-07-07', 1));
    line.finish();
    expect(out.text).toBe(
      `${progressText({ done: 1, total: 4, bars: 390, failed: 0, current: 'AAPL 2026-07-06' })}  stored\n` +
        'waiting 1m 1s for IB pacing (next: AAPL 2026-07-07)\n' +
        `${progressText({ done: 2, total: 4, bars: 390, failed: 1, current: 'AAPL 2026-07-07' })}  failed\n`,
    );
    expect(out.text).not.toContain('\r');
  });
});
