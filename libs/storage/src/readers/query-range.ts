import type { UnixNanos } from '@ttquant/domain';
import { StorageError } from '../errors';
import { nanosToTimestampText } from '../pg-time';

/** A half-open time range `[from, to)` in Unix nanoseconds. */
export interface NanosRange {
  readonly from: UnixNanos;
  readonly to: UnixNanos;
}

/**
 * Parameters for `ts >= $a AND ts < $b AND ts_ns >= $c AND ts_ns < $d`: the
 * microsecond bounds let PostgreSQL prune partitions and use the time index,
 * the nanosecond ones make the range exact.
 */
export function rangeParams(range: NanosRange): [string, string, string, string] {
  if (range.to < range.from) {
    throw new StorageError(`expected a time range with from <= to, was from ${range.from} to ${range.to}`);
  }
  return [
    nanosToTimestampText(range.from),
    nanosToTimestampText(range.to, true),
    range.from.toString(),
    range.to.toString(),
  ];
}

/** `LIMIT n` when a limit is given, checked to be a positive integer. */
export function limitClause(limit: number | undefined): string {
  if (limit === undefined) return '';
  if (!Number.isInteger(limit) || limit <= 0) throw new StorageError(`expected limit to be a positive integer, was ${limit}`);
  return ` LIMIT ${limit}`;
}
