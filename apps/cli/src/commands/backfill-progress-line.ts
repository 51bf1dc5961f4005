import { formatPacingWait, type BackfillEvent } from '@ttquant/adapter-ib';
import type { CliIo } from '../output';

/** Shortest pacing wait worth a line of its own when stderr is not a terminal. */
const PLAIN_WAIT_MIN_MS = 1_000;
/** Clears from the cursor to the end of the line (ANSI EL). */
const CLEAR_TO_END = '\x1b[K';

/** Where a backfill stands, as the progress display knows it. */
export interface BackfillProgressState {
  readonly done: number;
  readonly total: number;
  readonly bars: number;
  readonly failed: number;
  /** Symbol and day of the request being fetched or next. */
  readonly current: string;
  /** Set while the pacer holds the next request back. */
  readonly waitingMs?: number;
}

/**
 * The text of the progress line: a bar, requests done of planned, bars stored,
 * failures, the request in hand, and why nothing moves when IB's pacing holds
 * the next request back.
 *
 * @example
 * progressText({ done: 3, total: 6, bars: 1170, failed: 0, current: 'SPY 2026-07-01', waitingMs: 2500 }, 20);
 * // '[##########----------]  3/6  50.0%  1170 bars  SPY 2026-07-01  waiting 3s for IB pacing'
 */
export function progressText(state: BackfillProgressState, width = 24): string {
  const ratio = state.total === 0 ? 1 : state.done / state.total;
  const filled = Math.min(width, Math.round(ratio * width));
  const count = `${String(state.done).padStart(String(state.total).length)}/${state.total}`;
  const parts = [
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`,
    count,
    `${(ratio * 100).toFixed(1).padStart(5)}%`,
    `${state.bars} bars`,
    ...(state.failed > 0 ? [`${state.failed} failed`] : []),
    ...(state.current ? [state.current] : []),
    ...(state.waitingMs !== undefined ? [formatPacingWait(state.waitingMs)] : []),
  ];
  return parts.join('  ');
}

/**
 * Shows a running backfill on stderr. On a terminal one line is redrawn in
 * place as events arrive (never wider than the terminal, so it never wraps);
 * otherwise (a log file, a pipe, CI) each finished request, each retry and
 * each noticeable pacing wait is a line of its own, so the log tells the story
 * without control characters.
 */
export class BackfillProgressLine {
  private state: BackfillProgressState;
  private drawn = false;

  constructor(
    private readonly io: CliIo,
    total: number,
  ) {
    this.state = { done: 0, total, bars: 0, failed: 0, current: '' };
  }

  /** What the display shows now (for tests and the final summary). */
  get current(): BackfillProgressState {
    return this.state;
  }

  /** Feeds one runner event. */
  onEvent(event: BackfillEvent): void {
    // Any event means the pacer let a request through: the wait is over.
    const rest: BackfillProgressState = { done: this.state.done, total: this.state.total, bars: this.state.bars, failed: this.state.failed, current: this.state.current };
    switch (event.kind) {
      case 'request':
        this.state = { ...rest, done: event.done, total: event.total, current: `${event.symbol} ${event.day}` };
        this.redraw();
        return;
      case 'progress':
        this.state = { ...rest, done: event.done, total: event.total, bars: event.bars, failed: event.failed, current: `${event.symbol} ${event.day}` };
        if (this.io.errIsTty) this.redraw();
        else this.io.err(`${progressText(this.state)}  ${event.outcome}\n`);
        return;
      case 'retry':
        this.state = rest;
        this.line(`retry ${event.attempt} of ${event.symbol} ${event.day} in ${Math.ceil(event.delayMs / 1000)}s (${event.reason}: ${event.error})`);
        return;
    }
  }

  /** The pacer holds the next request back for `waitMs`. */
  onPacingWait(waitMs: number): void {
    this.state = { ...this.state, waitingMs: waitMs };
    if (this.io.errIsTty) this.redraw();
    else if (waitMs >= PLAIN_WAIT_MIN_MS) this.io.err(`${formatPacingWait(waitMs)} (next: ${this.state.current || 'first request'})\n`);
  }

  /** A message of its own (connection, plan, stop), kept above the progress line. */
  line(text: string): void {
    if (this.io.errIsTty && this.drawn) {
      this.io.err(`\r${CLEAR_TO_END}${text}\n`);
      this.drawn = false;
      this.redraw();
    } else {
      this.io.err(`${text}\n`);
    }
  }

  /** Leaves the last drawn line in place and moves below it. */
  finish(): void {
    if (this.io.errIsTty && this.drawn) this.io.err('\n');
    this.drawn = false;
  }

  private redraw(): void {
    if (!this.io.errIsTty) return;
    const columns = this.io.errColumns ?? 80;
    const text = progressText(this.state);
    const fitted = text.length >= columns ? `${text.slice(0, Math.max(0, columns - 2))}…` : text;
    this.io.err(`\r${fitted}${CLEAR_TO_END}`);
    this.drawn = true;
  }
}
