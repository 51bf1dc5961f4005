import { Decimal } from '@ttquant/domain';
import { EncodeError } from '../errors';
import { PG_EPOCH_UNIX_MICROS } from '../pg-time';
import type { ColumnType } from '../schema/schema-types';

/**
 * A value for one column of a COPY row. What each column type takes:
 * - `text`: string
 * - `int4`: number (safe integer in int32 range)
 * - `int8`: bigint, or a safe-integer number
 * - `numeric`: {@link Decimal}
 * - `timestamptz`: bigint Unix nanoseconds (stored rounded down to the microsecond)
 * - `bool`: boolean
 * - `jsonb`: any JSON-serialisable value (Decimals serialise as strings)
 * - `null` for NULL in nullable columns.
 */
export type CopyValue = string | number | bigint | boolean | Decimal | null | JsonValue;

/** A JSON document as jsonb takes it. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | Decimal
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/** A column as the encoder needs it. */
export interface CopyColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** One row: values in the order of the table's writable columns. */
export type CopyRow = readonly CopyValue[];

/** `PGCOPY\n\377\r\n\0`, then int32 flags (0: no OIDs) and int32 header-extension length (0). */
export const COPY_HEADER: Buffer = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/** The int16 field count -1 that ends binary COPY data. */
export const COPY_TRAILER: Buffer = Buffer.from([0xff, 0xff]);

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const JSONB_VERSION = 1;
/** Mantissas up to this fit a double exactly even after scaling by 1000. */
const MAX_SMALL = 2 ** 43;
const SMALL_POW10 = [1, 10, 100, 1000];
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const TWO_POW_32 = 2 ** 32;
/** PostgreSQL's timestamp origin (2000-01-01) in Unix microseconds, as a number (exact: below 2^53). */
const PG_EPOCH_MICROS = Number(PG_EPOCH_UNIX_MICROS);
/** Strings up to this length are tried as ASCII in JavaScript before calling into the UTF-8 encoder. */
const ASCII_FAST_MAX = 64;
/**
 * The Decimal class, bound once: a CommonJS build reads an imported name
 * through the re-exporting module's getter on every use, and this one is
 * checked for four values of every quote row.
 */
const DecimalClass = Decimal;

/**
 * Encodes rows in PostgreSQL's binary COPY format (see the COPY page of the
 * PostgreSQL manual, "Binary Format"): per row an int16 field count, then per
 * field an int32 byte length (-1 for NULL) and the value in the type's binary
 * send format, big-endian.
 *
 * Rows are appended to one growing buffer and remembered by offset, so a batch
 * (or any contiguous slice of it, when a batch must be split) is sent as
 * `COPY_HEADER + slice + COPY_TRAILER` without re-encoding.
 *
 * This is the writer's hot path (a quote row is 14 values): fixed-size fields
 * go through a DataView (Buffer's checked `write*BE` methods, `writeBigInt64BE`
 * above all, cost several times more), times and safe integers are converted
 * with number arithmetic instead of bigint, and short ASCII text is copied
 * byte by byte rather than through the UTF-8 encoder.
 *
 * @example
 * const encoder = new BinaryCopyEncoder([{ name: 'symbol', type: 'text' }, { name: 'price', type: 'numeric' }]);
 * encoder.addRow(['BTCUSDT', Decimal.parse('101.5')]);
 * stream.write(COPY_HEADER); stream.write(encoder.slice(0, 1)); stream.end(COPY_TRAILER);
 */
export class BinaryCopyEncoder {
  private buffer: Buffer;
  /** Big-endian view of {@link buffer}; replaced with it when it grows. */
  private view: DataView;
  private position = 0;
  /** Start offset of each row, plus the end of the last one. */
  private readonly offsets: number[] = [0];
  /** Column being written, to name it when a value does not fit. */
  private failedColumn = 0;
  /** Scratch space for base-10000 digits of small numerics. */
  private readonly groups: number[] = new Array<number>(8).fill(0);

  private readonly types: readonly ColumnType[];
  private readonly names: readonly string[];

  /** @param columns the columns of the COPY, in row order */
  constructor(columns: readonly CopyColumn[], initialBytes = 64 * 1024) {
    this.types = columns.map((c) => c.type);
    this.names = columns.map((c) => c.name);
    this.buffer = Buffer.allocUnsafe(Math.max(16, initialBytes));
    this.view = viewOf(this.buffer);
  }

  /** Rows encoded so far. */
  get rowCount(): number {
    return this.offsets.length - 1;
  }

  /** Bytes of row data encoded so far (header and trailer excluded). */
  get byteLength(): number {
    return this.position;
  }

  /**
   * Appends one row. On failure nothing is appended.
   * @throws EncodeError naming the column, what it takes and what it was given.
   */
  addRow(row: CopyRow): void {
    const types = this.types;
    if (row.length !== types.length) {
      throw new EncodeError(`expected a row of ${types.length} values, was ${row.length}`);
    }
    const start = this.position;
    try {
      this.ensure(2);
      this.view.setInt16(this.position, types.length);
      this.position += 2;
      for (let i = 0; i < types.length; i++) {
        this.failedColumn = i;
        this.writeValue(types[i] as ColumnType, row[i] as CopyValue);
      }
    } catch (err) {
      this.position = start;
      if (err instanceof EncodeError) {
        const column = this.names[this.failedColumn] ?? `#${this.failedColumn + 1}`;
        throw new EncodeError(`column ${column}: ${err.message}`);
      }
      throw err;
    }
    this.offsets.push(this.position);
  }

  /** The encoded rows `[from, to)`, without header or trailer. Shares memory with the encoder. */
  slice(from: number, to: number): Buffer {
    return this.buffer.subarray(this.offsets[from], this.offsets[to]);
  }

  /** Byte length of rows `[from, to)`. */
  sliceLength(from: number, to: number): number {
    return (this.offsets[to] as number) - (this.offsets[from] as number);
  }

  private writeValue(type: ColumnType, value: CopyValue): void {
    if (value === null || value === undefined) {
      this.ensure(4);
      this.view.setInt32(this.position, -1);
      this.position += 4;
      return;
    }
    switch (type) {
      case 'text':
        if (typeof value !== 'string') throw wrongType(type, 'a string', value);
        this.writeText(value, 0);
        return;
      case 'int4':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
          throw wrongType(type, 'an integer within int32', value);
        }
        this.ensure(8);
        this.view.setInt32(this.position, 4);
        this.view.setInt32(this.position + 4, value);
        this.position += 8;
        return;
      case 'int8':
        if (typeof value === 'bigint') {
          if (value < INT64_MIN || value > INT64_MAX) throw wrongType(type, 'a bigint within int64', value);
          this.writeBigInt8(value);
        } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
          this.writeSafeInt8(value);
        } else {
          throw wrongType(type, 'a bigint or safe integer', value);
        }
        return;
      case 'timestamptz':
        if (typeof value !== 'bigint') throw wrongType(type, 'bigint Unix nanoseconds', value);
        this.writeTimestamp(value);
        return;
      case 'bool':
        if (typeof value !== 'boolean') throw wrongType(type, 'a boolean', value);
        this.ensure(5);
        this.view.setInt32(this.position, 1);
        this.buffer[this.position + 4] = value ? 1 : 0;
        this.position += 5;
        return;
      case 'numeric':
        if (!(value instanceof DecimalClass)) throw wrongType(type, 'a Decimal', value);
        this.writeNumeric(value);
        return;
      case 'jsonb':
        this.writeText(toJson(value), JSONB_VERSION);
        return;
    }
  }

  /** An int8 field from a bigint already checked to be within int64. */
  private writeBigInt8(value: bigint): void {
    this.ensure(12);
    this.view.setInt32(this.position, 8);
    this.view.setBigInt64(this.position + 4, value);
    this.position += 12;
  }

  /** An int8 field from a safe integer, as two 32-bit halves: no bigint made. */
  private writeSafeInt8(value: number): void {
    this.ensure(12);
    const high = Math.floor(value / TWO_POW_32);
    const view = this.view;
    view.setInt32(this.position, 8);
    view.setInt32(this.position + 4, high);
    view.setUint32(this.position + 8, value - high * TWO_POW_32);
    this.position += 12;
  }

  /**
   * Unix nanoseconds as PostgreSQL's timestamptz: microseconds since
   * 2000-01-01, rounded down. One bigint division; the rest is exact number
   * arithmetic while the microseconds are safe integers (±285 years around
   * 1970), the general bigint path otherwise.
   */
  private writeTimestamp(nanos: bigint): void {
    // Floor division: `/` truncates towards zero, which is wrong before 1970.
    const unixMicros = nanos >= 0n ? nanos / 1000n : (nanos - 999n) / 1000n;
    const micros = Number(unixMicros);
    if (Number.isSafeInteger(micros)) {
      this.writeSafeInt8(micros - PG_EPOCH_MICROS);
      return;
    }
    const pgMicros = unixMicros - PG_EPOCH_UNIX_MICROS;
    if (pgMicros < INT64_MIN || pgMicros > INT64_MAX) throw wrongType('timestamptz', 'nanoseconds within int64 microseconds', nanos);
    this.writeBigInt8(pgMicros);
  }

  /** UTF-8 text; jsonb prefixes it with its format version byte. */
  private writeText(text: string, versionByte: number): void {
    const prefix = versionByte === 0 ? 0 : 1;
    const length = text.length;
    this.ensure(4 + prefix + length * 3);
    const buf = this.buffer;
    const start = this.position + 4 + prefix;
    if (prefix) buf[start - 1] = versionByte;
    let written = 0;
    if (length <= ASCII_FAST_MAX) {
      // Ids, symbols and topics are short ASCII: a byte loop beats the call into the UTF-8 encoder.
      while (written < length) {
        const code = text.charCodeAt(written);
        if (code >= 0x80) break;
        buf[start + written] = code;
        written++;
      }
    }
    if (written < length) written = buf.write(text, start, 'utf8');
    this.view.setInt32(this.position, written + prefix);
    this.position = start + written;
  }

  private writeNumeric(value: Decimal): void {
    if (this.writeSmallNumeric(value)) return;
    const { digits, weight, sign, dscale } = numericParts(value);
    this.ensure(12 + digits.length * 2);
    const view = this.view;
    let p = this.position;
    view.setInt32(p, 8 + digits.length * 2);
    view.setInt16(p + 4, digits.length);
    view.setInt16(p + 6, weight);
    view.setUint16(p + 8, sign);
    view.setInt16(p + 10, dscale);
    p += 12;
    for (const digit of digits) {
      view.setInt16(p, digit);
      p += 2;
    }
    this.position = p;
  }

  /**
   * The common case (prices and sizes: a mantissa below 2^53 and at most 12
   * decimal places) with number arithmetic instead of text: same bytes as
   * {@link numericParts}, several times faster. Returns false when it does not apply.
   */
  private writeSmallNumeric(value: Decimal): boolean {
    const exponent = value.exponent;
    // Exact while |mantissa| <= 2^43; anything larger converts to a number above the bound.
    let rest = Number(value.mantissa);
    if (exponent > 0 || exponent < -12 || rest > MAX_SMALL || rest < -MAX_SMALL) return false;
    const dscale = -exponent;
    const padRight = (4 - (dscale % 4)) % 4;
    const negative = rest < 0;
    rest = (negative ? -rest : rest) * (SMALL_POW10[padRight] as number);
    if (!Number.isSafeInteger(rest)) return false;
    // Base-10000 groups from the lowest; trailing zero groups are not sent.
    const groups = this.groups;
    let count = 0;
    while (rest > 0) {
      const group = rest % 10000;
      rest = (rest - group) / 10000;
      groups[count++] = group;
    }
    let low = 0;
    while (low < count && groups[low] === 0) low++;
    const ndigits = count - low;
    const weight = ndigits === 0 ? 0 : count - 1 - (dscale + padRight) / 4;
    this.ensure(12 + ndigits * 2);
    const view = this.view;
    let p = this.position;
    view.setInt32(p, 8 + ndigits * 2);
    view.setInt16(p + 4, ndigits);
    view.setInt16(p + 6, weight);
    view.setUint16(p + 8, negative && ndigits > 0 ? NUMERIC_NEG : NUMERIC_POS);
    view.setInt16(p + 10, dscale);
    p += 12;
    for (let i = count - 1; i >= low; i--) {
      view.setInt16(p, groups[i] as number);
      p += 2;
    }
    this.position = p;
    return true;
  }

  private ensure(bytes: number): void {
    const needed = this.position + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buffer.copy(bigger, 0, 0, this.position);
    this.buffer = bigger;
    this.view = viewOf(bigger);
  }
}

/** A DataView over exactly the bytes of `buffer` (small Buffers share a pooled ArrayBuffer). */
function viewOf(buffer: Buffer): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** PostgreSQL's numeric: base-10000 digits, the weight of the first, a sign and the display scale. */
export interface NumericParts {
  readonly digits: readonly number[];
  /** Power of 10000 of the first digit. */
  readonly weight: number;
  readonly sign: number;
  /** Decimal places shown: a Decimal's scale is kept, so 1.50 stays 1.50. */
  readonly dscale: number;
}

/** Splits a Decimal into the fields of PostgreSQL's binary numeric. */
export function numericParts(value: Decimal): NumericParts {
  let mantissa = value.mantissa;
  const exponent = value.exponent;
  const dscale = exponent < 0 ? -exponent : 0;
  if (mantissa === 0n) return { digits: [], weight: 0, sign: NUMERIC_POS, dscale };
  const sign = mantissa < 0n ? NUMERIC_NEG : NUMERIC_POS;
  if (mantissa < 0n) mantissa = -mantissa;

  let text = mantissa.toString();
  if (exponent > 0) text += '0'.repeat(exponent);
  let intLength = text.length - dscale;
  if (intLength < 0) {
    text = '0'.repeat(-intLength) + text;
    intLength = 0;
  }
  // Base-10000 digits are aligned on the decimal point: pad the integer part
  // on the left and the fraction on the right to whole groups of four.
  const padLeft = (4 - (intLength % 4)) % 4;
  const padRight = (4 - (dscale % 4)) % 4;
  text = '0'.repeat(padLeft) + text + '0'.repeat(padRight);

  const digits: number[] = [];
  for (let i = 0; i < text.length; i += 4) digits.push(Number(text.slice(i, i + 4)));
  let weight = (intLength + padLeft) / 4 - 1;
  let first = 0;
  while (first < digits.length && digits[first] === 0) {
    first++;
    weight--;
  }
  let end = digits.length;
  while (end > first && digits[end - 1] === 0) end--;
  return { digits: digits.slice(first, end), weight, sign, dscale };
}

function toJson(value: CopyValue): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, jsonReplacer);
  } catch (err) {
    throw new EncodeError(`expected a JSON-serialisable value (jsonb), was one that failed: ${(err as Error).message}`);
  }
  if (json === undefined) throw wrongType('jsonb', 'a JSON-serialisable value', value);
  return json;
}

/** Decimals and bigints become strings inside jsonb: exact, and JSON has no bigint. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function wrongType(type: ColumnType, expected: string, value: unknown): EncodeError {
  return new EncodeError(`expected ${expected} (${type}), was ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value instanceof Decimal) return `Decimal ${value.toString()}`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
