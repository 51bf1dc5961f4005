import { Decimal } from '@ttquant/domain';
import { EncodeError } from '../errors';
import { nanosToTimestampText } from '../pg-time';
import type { ColumnType } from '../schema/schema-types';
import type { CopyValue } from './binary-copy-encoder';

/**
 * A row value as a text query parameter, for the few writes that go through
 * INSERT (upserts) instead of COPY: decimals and int8 as exact text,
 * timestamps as microsecond ISO text, jsonb as JSON.
 */
export function toQueryParam(type: ColumnType, value: CopyValue): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'timestamptz':
      if (typeof value !== 'bigint') throw new EncodeError(`expected bigint Unix nanoseconds (timestamptz), was ${typeof value}`);
      return nanosToTimestampText(value);
    case 'jsonb':
      return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    case 'numeric':
      if (!(value instanceof Decimal)) throw new EncodeError(`expected a Decimal (numeric), was ${typeof value}`);
      return value.toString();
    case 'int8':
      return typeof value === 'bigint' ? value.toString() : (value as number);
    default:
      return value as string | number | boolean;
  }
}

/** `($1, $2, …), ($n+1, …)` placeholders for `rows` rows of `width` values. */
export function valuesPlaceholders(rows: number, width: number): string {
  const groups: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(`$${r * width + c}`);
    groups.push(`(${cells.join(', ')})`);
  }
  return groups.join(', ');
}
