/**
 * Exponential moving average with the usual smoothing 2 / (period + 1),
 * seeded by the simple average of the first `period` values.
 *
 * Works on floats: indicators drive decisions, never money.
 */
export class Ema {
  private readonly alpha: number;
  private count = 0;
  private sum = 0;
  private current = Number.NaN;

  constructor(readonly period: number) {
    if (!Number.isInteger(period) || period < 1) {
      throw new RangeError(`expected an EMA period that is a positive integer, was ${period}`);
    }
    this.alpha = 2 / (period + 1);
  }

  /** Feeds one value and returns the average (NaN until `period` values were seen). */
  update(value: number): number {
    if (this.count < this.period) {
      this.count++;
      this.sum += value;
      if (this.count === this.period) this.current = this.sum / this.period;
      return this.current;
    }
    this.current += this.alpha * (value - this.current);
    return this.current;
  }

  /** The latest average, NaN until ready. */
  get value(): number {
    return this.current;
  }

  /** True once `period` values were seen. */
  get ready(): boolean {
    return this.count >= this.period;
  }
}
