import { Ema } from './ema';

describe('Ema', () => {
  it('is not ready before `period` values, then starts from their simple average', () => {
    const ema = new Ema(3);
    expect(Number.isNaN(ema.update(1))).toBe(true);
    expect(ema.update(2)).toBeNaN();
    expect(ema.ready).toBe(false);
    expect(ema.update(3)).toBe(2);
    expect(ema.ready).toBe(true);
  });

  it('smooths with 2 / (period + 1)', () => {
    const ema = new Ema(3); // alpha 0.5
    [1, 2, 3].forEach((v) => ema.update(v));
    expect(ema.update(6)).toBeCloseTo(4, 12); // 2 + 0.5 × (6 − 2)
    expect(ema.update(0)).toBeCloseTo(2, 12); // 4 + 0.5 × (0 − 4)
  });

  it.each([0, -1, 2.5, Number.NaN])('refuses period %p', (period) => {
    expect(() => new Ema(period)).toThrow(RangeError);
  });
});
