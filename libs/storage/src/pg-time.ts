import type { UnixNanos } from '@ttquant/domain';

/** PostgreSQL counts timestamps in microseconds from 2000-01-01 UTC. */
export const PG_EPOCH_UNIX_MICROS = 946_684_800_000_000n;

/** Floor division for bigints (`/` truncates towards zero, which is wrong for times before 1970). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Unix nanoseconds to PostgreSQL's binary timestamptz: microseconds since 2000-01-01, rounded down. */
export function nanosToPgMicros(nanos: UnixNanos): bigint {
  return floorDiv(nanos, 1000n) - PG_EPOCH_UNIX_MICROS;
}

/** PostgreSQL's binary timestamptz back to Unix nanoseconds. */
export function pgMicrosToNanos(micros: bigint): UnixNanos {
  return (micros + PG_EPOCH_UNIX_MICROS) * 1000n;
}

/**
 * ISO-8601 UTC text with microseconds (what a timestamptz holds), rounded down
 * or, with `roundUp`, up to the next whole microsecond. Used as a query
 * parameter so time bounds never go through a millisecond `Date`.
 *
 * @example
 * nanosToTimestampText(1_700_000_000_123_456_789n); // '2023-11-14T22:13:20.123456Z'
 */
export function nanosToTimestampText(nanos: UnixNanos, roundUp = false): string {
  let micros = floorDiv(nanos, 1000n);
  if (roundUp && micros * 1000n !== nanos) micros += 1n;
  const seconds = floorDiv(micros, 1_000_000n);
  const fraction = micros - seconds * 1_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${fraction.toString().padStart(6, '0')}Z`;
}

/** A `Date` (milliseconds) as Unix nanoseconds. */
export function dateToNanos(date: Date): UnixNanos {
  return BigInt(date.getTime()) * 1_000_000n;
}
