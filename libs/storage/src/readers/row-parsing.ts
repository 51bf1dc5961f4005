import { Decimal } from '@ttquant/domain';
import { RowDecodeError } from '../errors';

/*
 * Stored values back to domain values. pg returns numeric and int8 as text
 * (exact), jsonb parsed, int4 as number and bool as boolean; times are read
 * from the *_ns columns, never from a millisecond Date.
 */

/** numeric text to a Decimal, keeping its scale. */
export function decimalOf(text: string, column: string): Decimal {
  try {
    return Decimal.parse(text);
  } catch {
    throw new RowDecodeError(`${column}: expected a decimal, was ${JSON.stringify(text)}`);
  }
}

/** A nullable numeric. */
export function optionalDecimalOf(text: string | null, column: string): Decimal | undefined {
  return text === null ? undefined : decimalOf(text, column);
}

/** int8 text to a bigint. */
export function bigintOf(text: string, column: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new RowDecodeError(`${column}: expected an integer, was ${JSON.stringify(text)}`);
  return BigInt(text);
}

/** int8 text that must fit a JavaScript number (counts, sequences). */
export function safeIntegerOf(text: string, column: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RowDecodeError(`${column}: expected a safe integer, was ${text}`);
  return value;
}

/** Text that must be one of a domain enum's values. */
export function enumOf<T extends string>(allowed: readonly T[], text: string, column: string): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new RowDecodeError(`${column}: expected one of ${allowed.join(', ')}, was ${JSON.stringify(text)}`);
  }
  return text as T;
}

/** A jsonb object of strings (tags, alert context). */
export function stringMapOf(value: unknown, column: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RowDecodeError(`${column}: expected a JSON object of strings, was ${JSON.stringify(value)}`);
  }
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new RowDecodeError(`${column}.${key}: expected a string, was ${JSON.stringify(entry)}`);
    result[key] = entry;
  }
  return result;
}
