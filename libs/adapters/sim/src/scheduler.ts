import type { Clock, UnixNanos } from '@ttquant/domain';

/** Cancels a scheduled task; calling it after the task ran is harmless. */
export type CancelTask = () => void;

/**
 * Where the simulator's delays come from: real timers by default; a backtest
 * or a test can pass its own to drive simulated time deterministically.
 */
export interface SimScheduler {
  /** Runs `task` once after `delayMs`; with 0, soon but never synchronously. */
  schedule(delayMs: number, task: () => void): CancelTask;
  /** Runs `task` every `intervalMs` until cancelled. */
  every(intervalMs: number, task: () => void): CancelTask;
}

/** The scheduler on Node's timers: `setImmediate` for zero delays, so answers keep their order. */
export const timerScheduler: SimScheduler = {
  schedule(delayMs, task) {
    if (delayMs <= 0) {
      const handle = setImmediate(task);
      return () => clearImmediate(handle);
    }
    const handle = setTimeout(task, delayMs);
    return () => clearTimeout(handle);
  },
  every(intervalMs, task) {
    const handle = setInterval(task, Math.max(1, intervalMs));
    return () => clearInterval(handle);
  },
};

interface ManualTask {
  due: number;
  seq: number;
  readonly task: () => void;
  readonly intervalMs?: number;
  cancelled: boolean;
}

/**
 * A scheduler on virtual time: nothing runs until {@link advanceBy} moves the
 * time forward, then due tasks run in time order (ties in scheduling order).
 * It is also the matching {@link Clock}, so times stamped by the simulator
 * follow the virtual time. For deterministic tests and for backtests that drive
 * the simulator from stored data.
 *
 * @example
 * const scheduler = new ManualScheduler(1_700_000_000_000_000_000n);
 * const sim = createSimAdapter(config, { clock: scheduler }, { scheduler });
 * scheduler.advanceBy(200); // five random-walk steps at 25 ticks per second
 */
export class ManualScheduler implements SimScheduler, Clock {
  private tasks: ManualTask[] = [];
  private seq = 0;
  private time = 0;

  /** @param startNanos the clock time at virtual time zero */
  constructor(private readonly startNanos: UnixNanos = 0n) {}

  /** The clock: start time plus the virtual time elapsed. */
  nowNanos(): UnixNanos {
    return this.startNanos + BigInt(Math.round(this.time * 1_000_000));
  }

  /** Virtual milliseconds elapsed since the scheduler was made. */
  get nowMs(): number {
    return this.time;
  }

  /** Tasks waiting to run. */
  get pending(): number {
    return this.tasks.length;
  }

  schedule(delayMs: number, task: () => void): CancelTask {
    return this.add(this.time + Math.max(0, delayMs), task);
  }

  every(intervalMs: number, task: () => void): CancelTask {
    return this.add(this.time + Math.max(1, intervalMs), task, Math.max(1, intervalMs));
  }

  /** Moves virtual time forward by `ms`, running every task that falls due, in order. */
  advanceBy(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.time = next.due;
      if (next.intervalMs === undefined) {
        this.tasks = this.tasks.filter((t) => t !== next);
      } else {
        // An interval task stays the same entry, so its cancel function keeps working.
        next.due += next.intervalMs;
        next.seq = ++this.seq;
      }
      next.task();
    }
    this.time = end;
  }

  /** Runs what is due now (zero-delay tasks) without moving time. */
  runDue(): void {
    this.advanceBy(0);
  }

  private add(due: number, task: () => void, intervalMs?: number): CancelTask {
    const entry: ManualTask = { due, seq: ++this.seq, task, intervalMs, cancelled: false };
    this.tasks.push(entry);
    return () => {
      entry.cancelled = true;
      this.tasks = this.tasks.filter((t) => t !== entry);
    };
  }

  private nextDue(end: number): ManualTask | undefined {
    let best: ManualTask | undefined;
    for (const task of this.tasks) {
      if (task.cancelled || task.due > end) continue;
      if (!best || task.due < best.due || (task.due === best.due && task.seq < best.seq)) best = task;
    }
    return best;
  }
}
