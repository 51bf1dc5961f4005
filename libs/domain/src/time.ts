/**
 * Wall-clock UTC nanoseconds since the Unix epoch. Always a bigint: nanosecond
 * timestamps (~1.7e18) exceed 2^53 and would silently lose precision as numbers.
 */
export type UnixNanos = bigint;

const NANOS_PER_MILLI = 1_000_000n;

/** Converts epoch milliseconds (e.g. `Date.now()`) to nanoseconds. */
export function millisToNanos(millis: number): UnixNanos {
  return BigInt(Math.trunc(millis)) * NANOS_PER_MILLI;
}

/** Truncates nanoseconds to epoch milliseconds, for `Date` and display. */
export function nanosToMillis(nanos: UnixNanos): number {
  return Number(nanos / NANOS_PER_MILLI);
}

/** ISO-8601 UTC text with millisecond precision. */
export function nanosToIso(nanos: UnixNanos): string {
  return new Date(nanosToMillis(nanos)).toISOString();
}

/** A source of the current time; injected so tests and backtests control the clock. */
export interface Clock {
  nowNanos(): UnixNanos;
}

/** The machine's wall clock, with sub-millisecond resolution from the monotonic timer. */
export const systemClock: Clock = (() => {
  const originNanos = millisToNanos(Date.now());
  const originPerf = performance.now();
  // Offsets stay small, so the float-to-nanosecond conversion keeps full precision.
  return { nowNanos: () => originNanos + BigInt(Math.round((performance.now() - originPerf) * 1e6)) };
})();
