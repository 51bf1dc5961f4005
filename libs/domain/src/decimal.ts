/**
 * How a value that does not fit the requested scale or increment is rounded.
 * - `half-even`: to nearest, ties to the even neighbour (banker's rounding; the default)
 * - `half-up`: to nearest, ties away from zero
 * - `down`: towards zero (truncate)
 * - `up`: away from zero
 * - `floor`: towards negative infinity
 * - `ceil`: towards positive infinity
 */
export type RoundingMode = 'half-even' | 'half-up' | 'down' | 'up' | 'floor' | 'ceil';

/** Raised when a text, number or operation cannot give an exact decimal. */
export class DecimalError extends Error {
  override readonly name = 'DecimalError';
}

const DECIMAL_TEXT = /^([+-])?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
/** Exponents outside this range are refused: they only arise from corrupt input. */
const MAX_ABS_EXPONENT = 64;

/** Largest integer a double holds exactly. */
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);
/** Powers of ten that are exact doubles (10^0 … 10^22). */
const POW10_NUMBER = Array.from({ length: 23 }, (_, i) => 10 ** i);

const POW10: bigint[] = [];
for (let i = 0n, p = 1n; i <= BigInt(MAX_ABS_EXPONENT * 2); i++, p *= 10n) POW10.push(p);

function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

/**
 * An exact decimal number: `mantissa × 10^exponent`, the same shape as the wire's
 * `Decimal` message, so encoding and decoding never go through text or floats.
 *
 * Immutable. Addition, subtraction and multiplication are exact; division and
 * rounding take an explicit scale and {@link RoundingMode}.
 * Values are not normalised on construction (so `1.50` keeps its two places);
 * equality and ordering compare numeric value.
 *
 * @example
 * const price = Decimal.parse('101.25');
 * const notional = price.mul(Decimal.parse('3')); // 303.75
 * notional.toFixed(2); // '303.75'
 */
export class Decimal {
  static readonly ZERO = new Decimal(0n, 0);
  static readonly ONE = new Decimal(1n, 0);

  private constructor(
    /** Signed integer significand. */
    readonly mantissa: bigint,
    /** Power of ten the mantissa is scaled by; negative for fractions. */
    readonly exponent: number,
  ) {}

  /**
   * Builds `mantissa × 10^exponent`.
   * @throws DecimalError when the exponent is not an integer within ±64.
   */
  static of(mantissa: bigint | number, exponent = 0): Decimal {
    if (!Number.isInteger(exponent) || Math.abs(exponent) > MAX_ABS_EXPONENT) {
      throw new DecimalError(`expected an integer exponent within ±${MAX_ABS_EXPONENT}, was ${exponent}`);
    }
    if (typeof mantissa === 'number') {
      if (!Number.isSafeInteger(mantissa)) {
        throw new DecimalError(`expected a safe integer mantissa, was ${mantissa}`);
      }
      mantissa = BigInt(mantissa);
    }
    return new Decimal(mantissa, exponent);
  }

  /**
   * Parses decimal text such as `"-12.50"` or `"1e-8"`.
   * @throws DecimalError naming the text when it is not a decimal number.
   */
  static parse(text: string): Decimal {
    const m = DECIMAL_TEXT.exec(text.trim());
    if (!m) throw new DecimalError(`expected a decimal number, was ${JSON.stringify(text)}`);
    const [, sign, int, frac = '', exp = '0'] = m;
    const exponent = Number(exp) - frac.length;
    let mantissa = BigInt(int + frac);
    if (sign === '-') mantissa = -mantissa;
    return Decimal.of(mantissa, exponent);
  }

  /**
   * Converts a venue's binary float once, at the edge: the shortest decimal text
   * that round-trips the double (what `String(x)` prints), so `0.1` becomes
   * exactly `0.1`. Round to the instrument's tick or lot afterwards.
   * @throws DecimalError for NaN and infinities.
   */
  static fromNumber(value: number): Decimal {
    if (!Number.isFinite(value)) throw new DecimalError(`expected a finite number, was ${value}`);
    return Decimal.parse(String(value));
  }

  /** Accepts a Decimal, decimal text, a bigint or a finite number. */
  static from(value: Decimal | string | bigint | number): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === 'string') return Decimal.parse(value);
    if (typeof value === 'bigint') return new Decimal(value, 0);
    return Decimal.fromNumber(value);
  }

  static min(a: Decimal, b: Decimal): Decimal {
    return a.cmp(b) <= 0 ? a : b;
  }

  static max(a: Decimal, b: Decimal): Decimal {
    return a.cmp(b) >= 0 ? a : b;
  }

  /** Number of digits after the point this value is written with (0 for integers). */
  get scale(): number {
    return this.exponent < 0 ? -this.exponent : 0;
  }

  /** True when the mantissa fits the wire's int64. */
  get fitsInt64(): boolean {
    return this.mantissa >= INT64_MIN && this.mantissa <= INT64_MAX;
  }

  add(other: Decimal): Decimal {
    if (this.exponent === other.exponent) return new Decimal(this.mantissa + other.mantissa, this.exponent);
    const [a, b, e] = align(this, other);
    return new Decimal(a + b, e);
  }

  sub(other: Decimal): Decimal {
    if (this.exponent === other.exponent) return new Decimal(this.mantissa - other.mantissa, this.exponent);
    const [a, b, e] = align(this, other);
    return new Decimal(a - b, e);
  }

  mul(other: Decimal): Decimal {
    return Decimal.of(this.mantissa * other.mantissa, this.exponent + other.exponent).clampExponent();
  }

  /**
   * Divides and rounds the quotient to `scale` places.
   * @throws DecimalError on division by zero.
   */
  div(other: Decimal, scale: number, mode: RoundingMode = 'half-even'): Decimal {
    if (other.mantissa === 0n) throw new DecimalError('division by zero');
    // this / other = (ma / mb) × 10^(ea - eb); scale the numerator so the
    // integer quotient carries `scale` places, then round the remainder.
    const shift = scale + this.exponent - other.exponent;
    let num = this.mantissa;
    let den = other.mantissa;
    if (shift >= 0) num *= pow10(shift);
    else den *= pow10(-shift);
    return new Decimal(divRound(num, den, mode), -scale);
  }

  neg(): Decimal {
    return new Decimal(-this.mantissa, this.exponent);
  }

  abs(): Decimal {
    return this.mantissa < 0n ? this.neg() : this;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.mantissa > 0n ? 1 : this.mantissa < 0n ? -1 : 0;
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  isPositive(): boolean {
    return this.mantissa > 0n;
  }

  isNegative(): boolean {
    return this.mantissa < 0n;
  }

  /** Numeric comparison: -1, 0 or 1. */
  cmp(other: Decimal): -1 | 0 | 1 {
    if (this.exponent === other.exponent) {
      return this.mantissa < other.mantissa ? -1 : this.mantissa > other.mantissa ? 1 : 0;
    }
    const [a, b] = align(this, other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(other: Decimal): boolean {
    return this.cmp(other) === 0;
  }

  lt(other: Decimal): boolean {
    return this.cmp(other) < 0;
  }

  lte(other: Decimal): boolean {
    return this.cmp(other) <= 0;
  }

  gt(other: Decimal): boolean {
    return this.cmp(other) > 0;
  }

  gte(other: Decimal): boolean {
    return this.cmp(other) >= 0;
  }

  /** Rounds to `scale` digits after the point (negative scales round to tens, hundreds…). */
  round(scale: number, mode: RoundingMode = 'half-even'): Decimal {
    const target = -scale;
    if (this.exponent >= target) return this.exponent === target ? this : this.rescaleExact(target);
    return new Decimal(divRound(this.mantissa, pow10(target - this.exponent), mode), target);
  }

  /**
   * Rounds to a whole multiple of `increment` (a tick size or lot size).
   * @throws DecimalError when the increment is not positive.
   */
  roundToIncrement(increment: Decimal, mode: RoundingMode = 'half-even'): Decimal {
    if (!increment.isPositive()) throw new DecimalError(`expected a positive increment, was ${increment.toString()}`);
    const steps = this.div(increment, 0, mode);
    return steps.mul(increment);
  }

  /** True when this value is a whole multiple of `increment`. */
  isMultipleOf(increment: Decimal): boolean {
    if (increment.isZero()) return false;
    const [a, b] = align(this, increment);
    return a % b === 0n;
  }

  /** Removes trailing zeros from the mantissa: `1.500` becomes `1.5`, zero becomes `0`. */
  normalize(): Decimal {
    if (this.mantissa === 0n) return Decimal.ZERO;
    let m = this.mantissa;
    let e = this.exponent;
    while (m % 10n === 0n) {
      m /= 10n;
      e++;
    }
    return e === this.exponent ? this : new Decimal(m, e);
  }

  /** Fixed-point text with exactly `places` decimals, rounded half-even unless told otherwise. */
  toFixed(places: number, mode: RoundingMode = 'half-even'): string {
    return this.round(places, mode).toPlainString(places);
  }

  /** Plain decimal text without exponent notation, keeping this value's own scale. */
  toString(): string {
    return this.toPlainString(this.scale);
  }

  /** For JSON output: the same text as {@link toString}. */
  toJSON(): string {
    return this.toString();
  }

  /** Nearest double: for display, metrics and maths that tolerate floats; never for money. */
  toNumber(): number {
    // Both operands are exact doubles here, and IEEE division rounds correctly: the same
    // double that parsing the text gives, without building the text (indicators call this per tick).
    if (this.exponent <= 0 && this.exponent >= -22 && this.mantissa <= MAX_EXACT && this.mantissa >= -MAX_EXACT) {
      return Number(this.mantissa) / (POW10_NUMBER[-this.exponent] as number);
    }
    return Number(this.toString());
  }

  private toPlainString(places: number): string {
    const negative = this.mantissa < 0n;
    let digits = (negative ? -this.mantissa : this.mantissa).toString();
    if (this.exponent > 0) digits += '0'.repeat(this.exponent);
    const fracDigits = Math.max(0, -this.exponent);
    if (fracDigits > 0 && digits.length <= fracDigits) digits = '0'.repeat(fracDigits - digits.length + 1) + digits;
    let int = fracDigits > 0 ? digits.slice(0, digits.length - fracDigits) : digits;
    let frac = fracDigits > 0 ? digits.slice(digits.length - fracDigits) : '';
    if (frac.length < places) frac += '0'.repeat(places - frac.length);
    if (int === '') int = '0';
    const text = frac.length > 0 ? `${int}.${frac}` : int;
    return negative && /[1-9]/.test(text) ? `-${text}` : text;
  }

  private rescaleExact(targetExponent: number): Decimal {
    return new Decimal(this.mantissa * pow10(this.exponent - targetExponent), targetExponent);
  }

  /** Products of many-place values can exceed the exponent range; trailing zeros are free to drop. */
  private clampExponent(): Decimal {
    return this.exponent < -MAX_ABS_EXPONENT ? this.normalize() : this;
  }
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.exponent === b.exponent) return [a.mantissa, b.mantissa, a.exponent];
  if (a.exponent > b.exponent) return [a.mantissa * pow10(a.exponent - b.exponent), b.mantissa, b.exponent];
  return [a.mantissa, b.mantissa * pow10(b.exponent - a.exponent), a.exponent];
}

/** Integer division of num by den, rounded by `mode`. */
function divRound(num: bigint, den: bigint, mode: RoundingMode): bigint {
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den; // truncates towards zero
  const r = num % den;
  if (r === 0n) return q;
  const negative = num < 0n;
  const awayFromZero = negative ? q - 1n : q + 1n;
  switch (mode) {
    case 'down':
      return q;
    case 'up':
      return awayFromZero;
    case 'floor':
      return negative ? q - 1n : q;
    case 'ceil':
      return negative ? q : q + 1n;
    case 'half-up':
    case 'half-even': {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice > den) return awayFromZero;
      if (twice < den) return q;
      if (mode === 'half-up') return awayFromZero;
      return q % 2n === 0n ? q : awayFromZero;
    }
  }
}
