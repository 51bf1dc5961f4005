import { Long, int64ToBigInt } from '@ttquant/protocol';
import { systemClock } from '@ttquant/domain';
import { NanoClock, bitsToBigInt, writeBigInt } from './nano-time';

describe('nano-time', () => {
  it.each([0n, 1n, -1n, 1_763_686_800_123_456_789n, (1n << 63n) - 1n, -(1n << 63n), 4_294_967_296n, 4_294_967_295n])(
    'writes %s into a Long exactly',
    (value) => {
      const target = new Long(0, 0);
      writeBigInt(target, value);
      expect(int64ToBigInt(target)).toBe(value);
      expect(bitsToBigInt(target.low, target.high)).toBe(value);
    },
  );

  it('reads unsigned Longs above 2^63', () => {
    const max = Long.fromString('18446744073709551615', true);
    expect(bitsToBigInt(max.low, max.high >>> 0)).toBe((1n << 64n) - 1n);
  });

  it('tracks the system clock without bigint arithmetic', () => {
    const clock = new NanoClock();
    const target = new Long(0, 0);
    const before = systemClock.nowNanos();
    clock.writeNow(target);
    const after = systemClock.nowNanos();
    const value = int64ToBigInt(target);
    // Two clocks anchored a moment apart: agree to well within a millisecond.
    expect(value).toBeGreaterThanOrEqual(before - 1_000_000n);
    expect(value).toBeLessThanOrEqual(after + 1_000_000n);
    expect(clock.now()).toBeGreaterThanOrEqual(value);
  });

  it('uses an injected clock as is', () => {
    const clock = new NanoClock({ nowNanos: () => 1_763_686_800_123_456_789n });
    const target = new Long(0, 0);
    clock.writeNow(target);
    expect(int64ToBigInt(target)).toBe(1_763_686_800_123_456_789n);
  });
});

describe('bitsToBigInt', () => {
  it('converts halves exactly, signed and unsigned, across changes of the high half', () => {
    expect(bitsToBigInt(1, 0)).toBe(1n);
    expect(bitsToBigInt(-1, -1)).toBe(-1n);
    expect(bitsToBigInt(0xffffffff | 0, 0xffffffff)).toBe((1n << 64n) - 1n);
    expect(bitsToBigInt(5, 410_000_000)).toBe((410_000_000n << 32n) + 5n);
    expect(bitsToBigInt(6, 410_000_000)).toBe((410_000_000n << 32n) + 6n);
    expect(bitsToBigInt(7, -410_000_000)).toBe((-410_000_000n << 32n) + 7n);
  });
});
