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

/**
 * The machine's wall clock with sub-microsecond steps. Its origin is
 * `performance.timeOrigin` (microsecond precision), not `Date.now()`
 * (milliseconds), so two processes on one host agree to within microseconds:
 * cross-process latencies (tick created → order received) stay meaningful.
 */
export const systemClock: Clock = (() => {
  const originMicros = BigInt(Math.round(performance.timeOrigin * 1_000));
  const originNanos = originMicros * 1_000n;
  return { nowNanos: () => originNanos + BigInt(Math.round(performance.now() * 1e6)) };
})();
