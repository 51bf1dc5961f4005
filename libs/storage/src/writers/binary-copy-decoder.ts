import { StorageError } from '../errors';
import { pgMicrosToNanos } from '../pg-time';
import type { CopyColumn } from './binary-copy-encoder';

const NUMERIC_NEG = 0x4000;
const JSONB_VERSION = 1;

/**
 * Reads rows back from the bytes {@link BinaryCopyEncoder} wrote (no header
 * or trailer), as parking records: column name → plain JSON value, the form
 * parked rows are kept in. Decimals, int8 and times come back as strings
 * (times as Unix nanoseconds, to the microsecond the column stores), int4 as
 * numbers, bools as booleans, jsonb as its parsed document, NULL as null.
 *
 * It lets a writer drop its row objects as soon as they are encoded: the
 * rows of a batch the database refuses are rebuilt from the batch itself.
 *
 * @throws StorageError when the bytes are not rows of `columns`.
 */
export function decodeCopyRecords(columns: readonly CopyColumn[], bytes: Buffer): Record<string, unknown>[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Record<string, unknown>[] = [];
  let p = 0;
  while (p < bytes.length) {
    const fields = view.getInt16(p);
    if (fields !== columns.length) {
      throw new StorageError(`expected a row of ${columns.length} fields at byte ${p} of the encoded rows, was ${fields}`);
    }
    p += 2;
    const record: Record<string, unknown> = {};
    for (const column of columns) {
      const length = view.getInt32(p);
      p += 4;
      if (length < 0) {
        record[column.name] = null;
        continue;
      }
      if (p + length > bytes.length) {
        throw new StorageError(`expected ${length} bytes of column ${column.name} at byte ${p}, found ${bytes.length - p}`);
      }
      record[column.name] = fieldValue(column, bytes, view, p, length);
      p += length;
    }
    records.push(record);
  }
  return records;
}

function fieldValue(column: CopyColumn, bytes: Buffer, view: DataView, at: number, length: number): unknown {
  switch (column.type) {
    case 'text':
      return bytes.toString('utf8', at, at + length);
    case 'int4':
      return view.getInt32(at);
    case 'int8':
      return view.getBigInt64(at).toString();
    case 'timestamptz':
      return pgMicrosToNanos(view.getBigInt64(at)).toString();
    case 'bool':
      return bytes[at] !== 0;
    case 'numeric':
      return numericText(view, at);
    case 'jsonb': {
      if (bytes[at] !== JSONB_VERSION) throw new StorageError(`expected jsonb version ${JSONB_VERSION} in column ${column.name}, was ${bytes[at]}`);
      return JSON.parse(bytes.toString('utf8', at + 1, at + length)) as unknown;
    }
    default:
      throw new StorageError(`expected a column type the encoder writes, was ${String(column.type)} (column ${column.name})`);
  }
}

/** A binary numeric (base-10000 digit groups) as decimal text with exactly its display scale. */
function numericText(view: DataView, at: number): string {
  const ndigits = view.getInt16(at);
  const weight = view.getInt16(at + 2);
  const sign = view.getUint16(at + 4);
  const dscale = view.getInt16(at + 6);
  const group = (i: number): number => (i >= 0 && i < ndigits ? view.getInt16(at + 8 + i * 2) : 0);
  let whole = '';
  for (let i = 0; i <= weight; i++) whole += i === 0 ? String(group(i)) : String(group(i)).padStart(4, '0');
  if (whole === '') whole = '0';
  let fraction = '';
  for (let i = weight + 1; fraction.length < dscale; i++) fraction += String(group(i)).padStart(4, '0');
  const text = dscale > 0 ? `${whole}.${fraction.slice(0, dscale)}` : whole;
  return sign === NUMERIC_NEG ? `-${text}` : text;
}
