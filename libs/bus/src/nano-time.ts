import { Long } from '@ttquant/protocol';
import { systemClock, type Clock } from '@ttquant/domain';

const TWO_32 = 4294967296;

/**
 * Writes a bigint into an existing Long (two's complement, 64 bits), so that
 * hot paths reuse one scratch Long instead of allocating one per message.
 */
export function writeBigInt(target: Long, value: bigint): void {
  // Two bigint operations: `>>` floors and `&` works on two's complement, so
  // negative values split correctly too; `| 0` wraps to 64 bits.
  target.high = Number(value >> 32n) | 0;
  target.low = Number(value & 0xffffffffn) | 0;
}

/**
 * The wall clock in UTC nanoseconds, written straight into a Long. Anchored
 * once to `systemClock` and advanced with `performance.now()` in plain double
 * arithmetic (exact below 2^53 ns of uptime, about 104 days; after that the
 * last digits round), which avoids bigint work on every message. A custom
 * {@link Clock} (tests, backtests) is used as is.
 */
export class NanoClock {
  private readonly originLow: number;
  private readonly originHigh: number;
  private readonly originPerf: number;

  constructor(private readonly clock?: Clock) {
    const origin = systemClock.nowNanos();
    this.originPerf = performance.now();
    this.originLow = Number(BigInt.asUintN(32, origin));
    this.originHigh = Number(BigInt.asIntN(32, origin >> 32n));
  }

  /** Writes the current time into `target`. */
  writeNow(target: Long): void {
    if (this.clock) {
      writeBigInt(target, this.clock.nowNanos());
      return;
    }
    const offset = Math.round((performance.now() - this.originPerf) * 1e6);
    const lowPart = offset % TWO_32;
    let low = this.originLow + lowPart;
    let carry = 0;
    if (low >= TWO_32) {
      low -= TWO_32;
      carry = 1;
    }
    target.low = low | 0;
    target.high = (this.originHigh + (offset - lowPart) / TWO_32 + carry) | 0;
  }

  /** The current time as a bigint (for code that is not on a hot path). */
  now(): bigint {
    if (this.clock) return this.clock.nowNanos();
    const scratch = new Long(0, 0);
    this.writeNow(scratch);
    return (BigInt(scratch.high) << 32n) + BigInt(scratch.low >>> 0);
  }
}

// The high half of nanosecond times changes every 2^32 ns (about 4.3 s): keep
// its shifted bigint, so that a conversion costs two bigint operations, not four.
let lastHigh = 0;
let lastHighShifted = 0n;

/**
 * Exact 64-bit value from its halves: `high` as a signed int32 for signed
 * values, or as an unsigned number (`>>> 0`) for unsigned ones.
 */
export function bitsToBigInt(low: number, high: number): bigint {
  if (high !== lastHigh) {
    lastHighShifted = BigInt(high) << 32n;
    lastHigh = high;
  }
  return lastHighShifted + BigInt(low >>> 0);
}

