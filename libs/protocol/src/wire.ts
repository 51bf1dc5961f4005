import Long from 'long';
import * as protobuf from 'protobufjs/minimal';
import { ttquant } from './generated/ttquant';

// The generated code must see `long` so that int64 fields decode as Long, never as lossy numbers.
protobuf.util.Long = Long;
protobuf.configure();

/** The generated protobufjs classes for package `ttquant.v1`. */
export import wire = ttquant.v1;
export { Long };

/** The schema version this build writes and accepts. */
export const SCHEMA_VERSION = 1;

/** An int64 as protobufjs hands it over: a Long, or a number for small values set by hand. */
export type Int64Like = Long | number;

/** Exact conversion of an int64 field to bigint. */
export function int64ToBigInt(value: Int64Like | null | undefined, unsigned = false): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(value);
  const high = BigInt(value.high >>> 0) << 32n;
  const combined = high | BigInt(value.low >>> 0);
  return unsigned || value.unsigned ? combined : BigInt.asIntN(64, combined);
}

/** Exact conversion of a bigint to the Long the encoder writes (wrapping to 64 bits). */
export function bigIntToInt64(value: bigint, unsigned = false): Long {
  const bits = BigInt.asUintN(64, value);
  return new Long(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0, unsigned);
}
