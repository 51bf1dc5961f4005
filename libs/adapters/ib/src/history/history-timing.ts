import { setTimeout as delay } from 'node:timers/promises';

/** Epoch milliseconds; injected so tests share one controllable clock with the fake TWS. */
export interface HistoryClock {
  now(): number;
}

/**
 * Waits `ms` milliseconds, or rejects when `signal` aborts. Injected so tests
 * can move a simulated clock forward instead of waiting for real.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The machine's wall clock. */
export const systemHistoryClock: HistoryClock = { now: () => Date.now() };

/** Real waiting on Node's timers; rejects with an `AbortError` when `signal` aborts. */
export const realSleep: Sleep = async (ms, signal) => {
  await delay(Math.max(0, ms), undefined, signal === undefined ? undefined : { signal });
};

/**
 * A sleep on a simulated clock: it moves the clock forward by `ms` and returns
 * at once, so ten minutes of pacing take no real time.
 *
 * @example
 * const clock = new ManualClock(Date.UTC(2025, 0, 2));
 * const pacer = new HistoryPacer({ clock, sleep: advancingSleep(clock) });
 */
export function advancingSleep(clock: { advance(ms: number): void }): Sleep {
  return async (ms, signal) => {
    signal?.throwIfAborted();
    if (ms > 0) clock.advance(ms);
  };
}
