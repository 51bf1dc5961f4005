import convict from 'convict';
import { describeValue, MASK } from './describe-value';

/**
 * Names of the strict formats this library registers with convict. Use them as the
 * `format` of a schema entry. They replace convict's own `port`, `nat` and `int`, whose
 * coercion (`parseInt`) turns `"12abc"` into 12, and they are used in place of
 * `Number` and `Boolean`, which accept `"abc"` as `NaN` and `"flase"` as `true`.
 */
export type ConfigFormat =
  | 'port'
  | 'nat'
  | 'int'
  | 'number'
  | 'boolean'
  | 'string'
  | 'positive-decimal'
  | 'duration'
  | 'zmq-endpoint'
  | 'url'
  | 'nonempty-string'
  | 'secret';

/** One strict format: how to read it from text and how to check the result. */
export interface FormatDefinition {
  /** Completes the sentence "expected …" in error messages. */
  readonly expected: string;
  /** True when the (already coerced) value is acceptable. */
  readonly check: (value: unknown) => boolean;
  /**
   * Turns text from the environment or a flag into the typed value. Text that does not
   * parse is returned unchanged, so the error shows what the operator actually wrote.
   */
  readonly coerce?: (text: string) => unknown;
}

const NAT_TEXT = /^\d+$/;
const INT_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// Plain digits only: exponent notation and signs have no place in a price or size limit.
const DECIMAL_TEXT = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;
const DURATION_TEXT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const MS_PER_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TCP_ENDPOINT = /^tcp:\/\/(\*|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\*|!|\d{1,5})$/;
const NAMED_ENDPOINT = /^(?:ipc|inproc):\/\/\S+$/;
const URL_TEXT = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/;

const isNat = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function parseWhen(pattern: RegExp): (text: string) => unknown {
  return (text) => (pattern.test(text) ? Number(text) : text);
}

function parseDuration(text: string): unknown {
  const match = DURATION_TEXT.exec(text);
  if (!match) return text;
  const ms = Number(match[1]) * (MS_PER_UNIT[match[2] ?? 'ms'] ?? Number.NaN);
  // Fractions of a millisecond would be silently lost by timers; refuse them instead.
  return Number.isSafeInteger(ms) ? ms : text;
}

function isZmqEndpoint(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (NAMED_ENDPOINT.test(value)) return true;
  const tcp = TCP_ENDPOINT.exec(value);
  if (!tcp) return false;
  const port = tcp[2] ?? '';
  return port === '*' || port === '!' || (Number(port) >= 1 && Number(port) <= 65535);
}

function isUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !URL_TEXT.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** Every strict format by name. */
export const FORMATS: Readonly<Record<ConfigFormat, FormatDefinition>> = Object.freeze({
  port: {
    expected: 'a port number from 0 to 65535',
    check: (v: unknown) => isNat(v) && v <= 65535,
    coerce: parseWhen(NAT_TEXT),
  },
  nat: { expected: 'a natural number', check: isNat, coerce: parseWhen(NAT_TEXT) },
  int: { expected: 'an integer', check: (v: unknown) => Number.isSafeInteger(v), coerce: parseWhen(INT_TEXT) },
  number: {
    expected: 'a finite number',
    check: (v: unknown) => typeof v === 'number' && Number.isFinite(v),
    coerce: parseWhen(NUMBER_TEXT),
  },
  boolean: {
    expected: 'true or false',
    check: (v: unknown) => typeof v === 'boolean',
    coerce: (text: string) => {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      return text;
    },
  },
  string: { expected: 'a string', check: (v: unknown) => typeof v === 'string' },
  'positive-decimal': {
    expected: 'a positive decimal written as a string, such as "0.01"',
    check: (v: unknown) => typeof v === 'string' && DECIMAL_TEXT.test(v) && /[1-9]/.test(v),
  },
  duration: {
    expected: 'a duration such as "250ms", "5s", "2m" or "1h" (a bare integer means milliseconds)',
    check: isNat,
    coerce: parseDuration,
  },
  'zmq-endpoint': {
    expected: 'a ZeroMQ endpoint such as "tcp://host:port", "ipc:///path" or "inproc://name"',
    check: isZmqEndpoint,
  },
  url: { expected: 'an absolute URL such as "http://host:port/path"', check: isUrl },
  'nonempty-string': {
    expected: 'a non-empty string',
    check: (v: unknown) => typeof v === 'string' && v.trim().length > 0,
  },
  secret: { expected: 'a string', check: (v: unknown) => typeof v === 'string' },
});

/** True when `name` is one of this library's formats. */
export function isConfigFormat(name: unknown): name is ConfigFormat {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(FORMATS, name);
}

/** The problem text for a value that failed `format`, with secrets masked. */
export function formatProblem(format: FormatDefinition, value: unknown, sensitive: boolean): string {
  return `expected ${format.expected}, was ${sensitive ? MASK : describeValue(value)}`;
}

let registered = false;

/**
 * Registers the strict formats and their coercions with convict. Convict keeps formats
 * in one process-wide table, so this runs once; {@link loadConfig} calls it for you.
 */
export function registerFormats(): void {
  if (registered) return;
  registered = true;
  for (const [name, format] of Object.entries(FORMATS)) {
    convict.addFormat({
      name,
      validate(value: unknown, schema: convict.SchemaObj) {
        if (!format.check(value)) throw new Error(formatProblem(format, value, schema.sensitive === true));
      },
      coerce: format.coerce,
    });
  }
}
