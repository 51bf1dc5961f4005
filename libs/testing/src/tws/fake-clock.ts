/**
 * The clock the fake TWS reads for every time it reports or enforces (bar times, execution times,
 * historical pacing windows). Tests inject a {@link ManualClock} so pacing rules can be exercised
 * in milliseconds of real time.
 */
export interface FakeTwsClock {
  /** Current time in epoch milliseconds. */
  now(): number;
}

/** The wall clock. */
export const systemClock: FakeTwsClock = { now: () => Date.now() };

/**
 * A clock that moves only when told to.
 *
 * @example
 * const clock = new ManualClock(Date.UTC(2025, 0, 2, 14, 30));
 * clock.advance(15_000); // past the 15 s identical-request window
 */
export class ManualClock implements FakeTwsClock {
  private current: number;

  /** @param startMs start time in epoch ms; defaults to the wall clock at construction */
  constructor(startMs: number = Date.now()) {
    assertFiniteTime(startMs, 'startMs');
    this.current = startMs;
  }

  /** Current time in epoch milliseconds. */
  now(): number {
    return this.current;
  }

  /** Moves the clock forward; a negative step is refused because real clocks used for pacing never go back. */
  advance(ms: number): void {
    assertFiniteTime(ms, 'advance(ms)');
    if (ms < 0) throw new RangeError(`expected advance(ms) >= 0, was ${ms}`);
    this.current += ms;
  }

  /** Jumps to an absolute time (either direction, e.g. to replay a scenario). */
  set(ms: number): void {
    assertFiniteTime(ms, 'set(ms)');
    this.current = ms;
  }
}

function assertFiniteTime(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`expected ${what} to be a finite number of ms, was ${value}`);
}
