import type { BackfillEvent } from './backfill-runner';

/** Options of {@link formatBackfillProgress}. */
export interface ProgressFormatOptions {
  /** Characters of the bar itself (default 30). */
  readonly width?: number;
}

/**
 * One line of a terminal progress bar for a backfill event, so a command can
 * redraw it in place (`\r`) as events arrive.
 *
 * @example
 * formatBackfillProgress({ kind: 'progress', done: 42, total: 200, failed: 1, bars: 16380, symbol: 'AAPL', day: '2025-01-03', outcome: 'stored' });
 * // '[######------------------------]   42/200   21.0%  16380 bars  1 failed  AAPL 2025-01-03'
 */
export function formatBackfillProgress(event: BackfillEvent, options: ProgressFormatOptions = {}): string {
  if (event.kind === 'request') {
    return `${event.done}/${event.total}  next: ${event.symbol} ${event.day}`;
  }
  if (event.kind === 'retry') {
    return `retry ${event.attempt} of ${event.symbol} ${event.day} in ${formatWait(event.delayMs)} (${event.reason}: ${event.error})`;
  }
  const width = options.width ?? 30;
  const ratio = event.total === 0 ? 1 : event.done / event.total;
  const filled = Math.round(ratio * width);
  const count = `${String(event.done).padStart(String(event.total).length)}/${event.total}`;
  const failed = event.failed > 0 ? `  ${event.failed} failed` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]  ${count}  ${(ratio * 100).toFixed(1).padStart(5)}%  ${event.bars} bars${failed}  ${event.symbol} ${event.day}`;
}

/**
 * A pacing wait for humans: IB allows 60 requests per ten minutes, so a long
 * backfill spends most of its time waiting and should say so.
 *
 * @example
 * formatPacingWait(552_000); // 'waiting 9m 12s for IB pacing'
 */
export function formatPacingWait(waitMs: number): string {
  return `waiting ${formatWait(waitMs)} for IB pacing`;
}

function formatWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}
