import type { InstrumentId, UnixNanos } from '@ttquant/domain';
import { stringFlag, type ParsedArgs } from '../args';
import { UsageError } from '../cli-errors';

/*
 * Arguments of the `ttq data …` commands: instruments, times, intervals and
 * limits, parsed exactly (times to the nanosecond, never through a float) with
 * errors that say what was expected.
 */

const NANOS_PER_MS = 1_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;
const UNIT_NANOS: Readonly<Record<string, bigint>> = {
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

/** `VENUE:SYMBOL`, split at the first colon (ccxt perpetuals such as `BINANCEUSDM:BTC/USDT:USDT` keep theirs). */
export function parseInstrument(text: string, flag = 'symbol'): InstrumentId {
  const colon = text.indexOf(':');
  const venue = colon > 0 ? text.slice(0, colon).trim() : '';
  const symbol = colon > 0 ? text.slice(colon + 1).trim() : '';
  if (venue === '' || symbol === '') {
    throw new UsageError(`--${flag}: expected VENUE:SYMBOL such as SIM:ACME or BINANCE:BTCUSDT, was ${JSON.stringify(text)}`);
  }
  return { venue, symbol };
}

const ISO = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;
const RELATIVE = /^-(\d+)([smhd])$/;

/**
 * A point in time as Unix nanoseconds, from
 * - ISO-8601: `2024-03-01`, `2024-03-01T09:30`, `2024-03-01T09:30:00.123456789Z`
 *   (UTC unless an offset such as `+01:00` is given; up to nine fraction digits),
 * - `now`, or a time before now: `-15m`, `-2h`, `-7d`, `-30s`,
 * - a bare integer: Unix nanoseconds as stored.
 *
 * @throws UsageError naming the flag and the value
 */
export function parseTime(text: string, flag: string, now: UnixNanos): UnixNanos {
  const value = text.trim();
  if (value === 'now') return now;
  if (/^\d+$/.test(value)) return BigInt(value);
  const relative = RELATIVE.exec(value);
  if (relative) return now - BigInt(relative[1] ?? '0') * (UNIT_NANOS[relative[2] ?? 's'] ?? 0n);
  const iso = ISO.exec(value);
  if (iso) {
    const [, date, hm, seconds, fraction, zone] = iso;
    const base = `${date}T${hm ?? '00:00'}:${seconds ?? '00'}${zone ?? 'Z'}`;
    const ms = Date.parse(base);
    const day = Date.parse(`${date}T00:00:00Z`);
    // Date.parse rolls 2024-02-30 over to March: the day must read back as written.
    if (Number.isFinite(ms) && Number.isFinite(day) && new Date(day).toISOString().slice(0, 10) === date) {
      return BigInt(ms) * NANOS_PER_MS + BigInt((fraction ?? '').padEnd(9, '0') || '0');
    }
  }
  throw new UsageError(
    `--${flag}: expected a time such as 2024-03-01, 2024-03-01T09:30:00Z, now, -2h or Unix nanoseconds, was ${JSON.stringify(text)}`,
  );
}

/** A time flag, or `fallback` when absent. */
export function timeFlag(args: ParsedArgs, name: string, now: UnixNanos, fallback: UnixNanos): UnixNanos;
export function timeFlag(args: ParsedArgs, name: string, now: UnixNanos): UnixNanos | undefined;
export function timeFlag(args: ParsedArgs, name: string, now: UnixNanos, fallback?: UnixNanos): UnixNanos | undefined {
  const text = stringFlag(args, name);
  return text === undefined ? fallback : parseTime(text, name, now);
}

/** `--from`/`--to` as a half-open range; `to` defaults to now, `from` to `defaultSpan` before `to`. */
export function rangeFlags(args: ParsedArgs, now: UnixNanos, defaultSpan: UnixNanos): { from: UnixNanos; to: UnixNanos } {
  const to = timeFlag(args, 'to', now, now);
  const from = timeFlag(args, 'from', now, to - defaultSpan);
  if (from > to) throw new UsageError(`--from must not be after --to, was --from ${formatNanos(from)} --to ${formatNanos(to)}`);
  return { from, to };
}

/** A bar interval in seconds from `30s`, `1m`, `5m`, `1h`, `1d` or a bare number of seconds. */
export function parseInterval(text: string, flag = 'interval'): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  const nanos = match ? BigInt(match[1] ?? '0') * (UNIT_NANOS[match[2] || 's'] ?? 0n) : 0n;
  const seconds = Number(nanos / NANOS_PER_SECOND);
  if (seconds <= 0 || !Number.isSafeInteger(seconds) || seconds > 366 * 86_400) {
    throw new UsageError(`--${flag}: expected a bar interval such as 30s, 1m, 5m, 1h, 1d or a number of seconds, was ${JSON.stringify(text)}`);
  }
  return seconds;
}

/** `--limit`: a positive whole number of rows, or `fallback`. */
export function limitFlag(args: ParsedArgs, fallback: number): number {
  const text = stringFlag(args, 'limit');
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`--limit: expected a positive whole number of rows, was ${JSON.stringify(text)}`);
  }
  return value;
}

/** A comma-separated list flag (`--status FILLED,CANCELED`), upper-cased, each checked against `allowed`. */
export function listFlag<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[]): T[] | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  return text.split(',').map((part) => {
    const word = part.trim().toUpperCase();
    if (!(allowed as readonly string[]).includes(word)) {
      throw new UsageError(`--${name}: expected one or more of ${allowed.join(', ')} (comma-separated), was ${JSON.stringify(part.trim())}`);
    }
    return word as T;
  });
}

/**
 * Unix nanoseconds as ISO-8601 UTC, with as many fraction digits as needed in
 * groups of three (none, ms, µs or ns), so whole-minute bar starts stay short
 * and tick times keep their nanoseconds.
 *
 * @example
 * formatNanos(1_709_251_200_000_000_000n); // '2024-03-01T00:00:00Z'
 * formatNanos(1_709_251_200_000_000_007n); // '2024-03-01T00:00:00.000000007Z'
 */
export function formatNanos(nanos: UnixNanos): string {
  const seconds = nanos >= 0n ? nanos / 1_000_000_000n : (nanos - 999_999_999n) / 1_000_000_000n;
  const fraction = nanos - seconds * 1_000_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (fraction === 0n) return `${whole}Z`;
  let digits = fraction.toString().padStart(9, '0');
  while (digits.endsWith('000')) digits = digits.slice(0, -3);
  return `${whole}.${digits}Z`;
}
