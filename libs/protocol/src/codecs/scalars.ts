import { Decimal, DecimalError, isValidClientOrderId, type UnixNanos } from '@ttquant/domain';
import { ProtocolError } from '../errors';
import { bigIntToInt64, Long, wire, type Int64Like } from '../wire';
import { fieldPath } from './field-path';
import { isWellFormedText } from './text';

// Readers and writers for the scalar fields every message shares. Readers take the
// parent path and the field name separately and join them only when they throw.

/** What sign a decoded decimal must have. */
export type SignRule = 'any' | 'non-negative' | 'positive';

const INT64_MAX = (1n << 63n) - 1n;
const UINT32_MAX = 0xffffffff;
const TWO_POW_32 = 4294967296;
const TWO_POW_32N = 4294967296n;
/** Longs whose high word lies in ±2^21 hold values within ±2^53: a double carries them exactly. */
const SAFE_HIGH = 0x200000;
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIGINT = -MAX_SAFE_BIGINT;

const EMPTY_MAP: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Exact bigint of an int64 field, or undefined when the value is not an integer
 * (only possible for hand-built messages: decoded ones always hold a Long).
 */
export function int64Value(value: Int64Like | null | undefined, unsigned: boolean): bigint | undefined {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (!Long.isLong(value)) return undefined;
  const high = value.high;
  const isUnsigned = unsigned || value.unsigned;
  // Most mantissas are small: one double and one bigint instead of a 64-bit assembly.
  if (high >= 0 ? high < SAFE_HIGH : !isUnsigned && high >= -SAFE_HIGH) {
    return BigInt(high * TWO_POW_32 + (value.low >>> 0));
  }
  const top = BigInt(isUnsigned ? high >>> 0 : high);
  return top * TWO_POW_32N + BigInt(value.low >>> 0);
}

function describe(value: unknown): string {
  if (Long.isLong(value)) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** Decodes a required Decimal message and checks its sign. */
export function readDecimal(
  d: wire.IDecimal | null | undefined,
  parent: string,
  name: string,
  sign: SignRule,
): Decimal {
  if (d === null || d === undefined) throw new ProtocolError(fieldPath(parent, name), 'a decimal', 'none');
  const mantissa = int64Value(d.mantissa, false);
  if (mantissa === undefined) {
    throw new ProtocolError(`${fieldPath(parent, name)}.mantissa`, 'an int64', describe(d.mantissa));
  }
  let value: Decimal;
  try {
    value = Decimal.of(mantissa, d.exponent ?? 0);
  } catch (err) {
    if (err instanceof DecimalError) {
      throw new ProtocolError(`${fieldPath(parent, name)}.exponent`, 'an integer within ±64', describe(d.exponent));
    }
    throw err;
  }
  if (sign !== 'any' && (mantissa < 0n || (sign === 'positive' && mantissa === 0n))) {
    const expected = sign === 'positive' ? 'a decimal > 0' : 'a decimal >= 0';
    throw new ProtocolError(fieldPath(parent, name), expected, value.toString());
  }
  return value;
}

/** Decodes an optional Decimal message: absent gives undefined, present must be valid. */
export function readOptionalDecimal(
  d: wire.IDecimal | null | undefined,
  parent: string,
  name: string,
  sign: SignRule,
): Decimal | undefined {
  return d === null || d === undefined ? undefined : readDecimal(d, parent, name, sign);
}

/** A required non-empty string. */
export function readRequiredString(s: string | null | undefined, parent: string, name: string): string {
  const value = readString(s, parent, name);
  if (value === '') throw new ProtocolError(fieldPath(parent, name), 'a non-empty string', 'empty');
  return value;
}

/** A string the domain allows to be empty. */
export function readString(s: string | null | undefined, parent: string, name: string): string {
  if (s === null || s === undefined) return '';
  if (typeof s !== 'string') throw new ProtocolError(fieldPath(parent, name), 'a string', describe(s));
  if (!isWellFormedText(s)) throw new ProtocolError(fieldPath(parent, name), 'well-formed UTF-8 text', describe(s));
  return s;
}

/** A string whose emptiness on the wire means "absent" in the domain. */
export function readOmittableString(s: string | null | undefined, parent: string, name: string): string | undefined {
  const value = readString(s, parent, name);
  return value === '' ? undefined : value;
}

/** A client order id as the domain defines it: 1 to 32 characters of [A-Za-z0-9]. */
export function readClientOrderId(s: string | null | undefined, parent: string, name: string): string {
  if (typeof s !== 'string' || !isValidClientOrderId(s)) {
    const found = s === '' ? 'empty' : describe(s);
    throw new ProtocolError(fieldPath(parent, name), '1 to 32 characters of [A-Za-z0-9]', found);
  }
  return s;
}

/** An optional client order id: empty means absent. */
export function readOptionalClientOrderId(
  s: string | null | undefined,
  parent: string,
  name: string,
): string | undefined {
  return s === null || s === undefined || s === '' ? undefined : readClientOrderId(s, parent, name);
}

/** A signed int64 nanosecond time that must not be negative. */
export function readTime(value: Int64Like | null | undefined, parent: string, name: string): UnixNanos {
  const t = int64Value(value, false);
  if (t === undefined || t < 0n) {
    throw new ProtocolError(fieldPath(parent, name), 'UTC nanoseconds >= 0', describe(value));
  }
  return t;
}

/** An optional time: zero on the wire means absent. */
export function readOptionalTime(
  value: Int64Like | null | undefined,
  parent: string,
  name: string,
): UnixNanos | undefined {
  const t = readTime(value, parent, name);
  return t === 0n ? undefined : t;
}

/** A uint32 field with a lower bound. */
export function readUint32(n: number | null | undefined, parent: string, name: string, min: number): number {
  const value = n ?? 0;
  if (!Number.isInteger(value) || value < min || value > UINT32_MAX) {
    throw new ProtocolError(fieldPath(parent, name), `an integer from ${min} to ${UINT32_MAX}`, describe(n));
  }
  return value;
}

/** A uint64 field that must fit a JavaScript number exactly. */
export function readUint64AsNumber(value: Int64Like | null | undefined, parent: string, name: string): number {
  const v = int64Value(value, true);
  if (v === undefined || v < 0n || v > MAX_SAFE_BIGINT) {
    throw new ProtocolError(fieldPath(parent, name), 'an integer from 0 to 2^53-1', describe(value));
  }
  return Number(v);
}

/** A map<string, string>, copied so the domain object shares nothing with the wire message. */
export function readStringMap(
  map: { [k: string]: string } | null | undefined,
  parent: string,
  name: string,
): Readonly<Record<string, string>> {
  if (map === null || map === undefined) return EMPTY_MAP;
  const keys = Object.keys(map);
  if (keys.length === 0) return EMPTY_MAP;
  const entries: [string, string][] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value: unknown = map[key];
    if (!isWellFormedText(key)) {
      throw new ProtocolError(fieldPath(parent, name), 'keys of well-formed UTF-8 text', describe(key));
    }
    if (typeof value !== 'string' || !isWellFormedText(value)) {
      const path = `${fieldPath(parent, name)}[${JSON.stringify(key)}]`;
      throw new ProtocolError(path, 'well-formed UTF-8 text', describe(value));
    }
    entries[i] = [key, value];
  }
  // fromEntries defines own properties, so a "__proto__" key stays a plain key.
  return Object.fromEntries(entries);
}

/** A bool field; absent is false. */
export function readBool(b: boolean | null | undefined, parent: string, name: string): boolean {
  if (b === null || b === undefined) return false;
  if (typeof b !== 'boolean') throw new ProtocolError(fieldPath(parent, name), 'a boolean', describe(b));
  return b;
}

/**
 * Encodes a Decimal. Mantissas within ±2^53 take the short way through a double.
 * @throws ProtocolError when the mantissa does not fit int64 or the exponent leaves ±64.
 */
export function writeDecimal(x: Decimal, parent: string, name: string): wire.IDecimal {
  const m = x.mantissa;
  if (!x.fitsInt64) throw new ProtocolError(`${fieldPath(parent, name)}.mantissa`, 'an int64 mantissa', m.toString());
  if (!Number.isInteger(x.exponent) || x.exponent > 64 || x.exponent < -64) {
    throw new ProtocolError(`${fieldPath(parent, name)}.exponent`, 'an integer within ±64', String(x.exponent));
  }
  const mantissa = m <= MAX_SAFE_BIGINT && m >= MIN_SAFE_BIGINT ? Long.fromNumber(Number(m)) : bigIntToInt64(m);
  return { mantissa, exponent: x.exponent };
}

/** Encodes an optional Decimal: undefined stays absent. */
export function writeOptionalDecimal(x: Decimal | undefined, parent: string, name: string): wire.IDecimal | null {
  return x === undefined ? null : writeDecimal(x, parent, name);
}

/**
 * Encodes a nanosecond time as the signed int64 the wire carries.
 * @throws ProtocolError for negative times and values beyond int64.
 */
export function writeTime(t: UnixNanos, parent: string, name: string): Long {
  if (typeof t !== 'bigint' || t < 0n || t > INT64_MAX) {
    throw new ProtocolError(fieldPath(parent, name), 'UTC nanoseconds from 0 to 2^63-1', describe(t));
  }
  return bigIntToInt64(t);
}

/** Encodes an optional time: undefined becomes zero. */
export function writeOptionalTime(t: UnixNanos | undefined, parent: string, name: string): Long | null {
  return t === undefined ? null : writeTime(t, parent, name);
}

/** Checks a number destined for a uint32 field. */
export function writeUint32(n: number, parent: string, name: string): number {
  if (!Number.isInteger(n) || n < 0 || n > UINT32_MAX) {
    throw new ProtocolError(fieldPath(parent, name), `an integer from 0 to ${UINT32_MAX}`, describe(n));
  }
  return n;
}

/** Encodes a non-negative safe integer as a uint64. */
export function writeUint64(n: number, parent: string, name: string): Long {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ProtocolError(fieldPath(parent, name), 'an integer from 0 to 2^53-1', describe(n));
  }
  return Long.fromNumber(n, true);
}

/**
 * Decodes a wire Decimal; `field` names it in errors.
 * @throws ProtocolError when it is absent, its exponent leaves ±64 or its sign breaks `sign`.
 *
 * @example
 * decodeDecimal({ mantissa: 12550, exponent: -2 }, 'quote.bidPrice', 'non-negative').toString(); // '125.50'
 */
export function decodeDecimal(d: wire.IDecimal | null | undefined, field: string, sign: SignRule = 'any'): Decimal {
  return readDecimal(d, field, '', sign);
}

/**
 * Encodes a Decimal for the wire; `field` names it in errors.
 * @throws ProtocolError when the mantissa does not fit int64.
 */
export function encodeDecimal(x: Decimal, field: string): wire.IDecimal {
  return writeDecimal(x, field, '');
}
