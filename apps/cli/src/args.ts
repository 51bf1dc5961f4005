import { Decimal } from '@ttquant/domain';
import { parseArgs } from 'node:util';
import { UsageError } from './cli-errors';

/** How one flag of a command is declared (the subset of `util.parseArgs` options `ttq` uses). */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** One line for `--help`, e.g. `account to list (default: every account)`. */
  readonly help: string;
  /** Placeholder shown in help, e.g. `<account>`. */
  readonly value?: string;
}

/** The flags of a command by long name. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Flags every command accepts. */
export const COMMON_FLAGS = {
  json: { type: 'boolean', help: 'print JSON for scripts instead of a table' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies FlagSpecs;

/** A command line split into flag values and positionals. */
export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses a command's arguments with `util.parseArgs` in strict mode; every
 * mistake becomes a {@link UsageError} that says what was expected.
 */
export function parseCommandArgs(command: string, argv: readonly string[], flags: FlagSpecs, maxPositionals = 0): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  const all: FlagSpecs = { ...COMMON_FLAGS, ...flags };
  for (const [name, spec] of Object.entries(all)) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw new UsageError(`${command}: ${describeParseError(error)} (see ttq ${command} --help)`);
  }
  if (!parsed.values['help'] && parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).map((p) => JSON.stringify(p)).join(' ');
    throw new UsageError(`${command}: expected at most ${maxPositionals} argument(s), was also given ${extra}`);
  }
  return { flags: parsed.values, positionals: parsed.positionals };
}

function describeParseError(error: unknown): string {
  // Duck-typed: errors of Node's internals may come from another realm (e.g. under jest).
  const text = (error as { message?: unknown } | null)?.message;
  const message = typeof text === 'string' ? text : String(error);
  // Node's messages are clear but long; keep the first sentence.
  const first = message.split('\n')[0]?.split('. ')[0] ?? message;
  return first.replace(/\.$/, '');
}

/** A string flag, or `undefined` when absent. Rejects an empty value. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (value.trim() === '') throw new UsageError(`--${name}: expected a value, was empty`);
  return value;
}

/** A string flag that must be given. */
export function requiredFlag(args: ParsedArgs, name: string, example: string): string {
  const value = stringFlag(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required, e.g. --${name} ${example}`);
  return value;
}

/** A boolean flag. */
export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000 };

/**
 * Milliseconds from `250ms`, `10s`, `2m` or a bare number of seconds (`1.5`).
 * @throws UsageError naming the flag and the value
 */
export function parseDuration(text: string, flag: string): number {
  const match = DURATION.exec(text.trim());
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1_000) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(`--${flag}: expected a duration > 0 such as 10s, 500ms, 2m or a number of seconds, was ${JSON.stringify(text)}`);
  }
  return Math.round(ms);
}

/** A duration flag in milliseconds, or `fallbackMs` when absent. */
export function durationFlag(args: ParsedArgs, name: string, fallbackMs: number): number {
  const text = stringFlag(args, name);
  return text === undefined ? fallbackMs : parseDuration(text, name);
}

/**
 * A decimal flag (`--qty 10`, `--price 101.25`), exact: never through a float.
 * @throws UsageError naming the flag and the value
 */
export function decimalFlag(args: ParsedArgs, name: string): Decimal | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  try {
    return Decimal.parse(text.trim());
  } catch {
    throw new UsageError(`--${name}: expected a decimal number such as 10 or 0.25, was ${JSON.stringify(text)}`);
  }
}

/** A flag restricted to a few words (case-insensitive); returns the canonical word. */
export function choiceFlag<T extends string>(args: ParsedArgs, name: string, choices: Readonly<Record<string, T>>): T | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  const found = choices[text.toLowerCase()];
  if (found === undefined) {
    throw new UsageError(`--${name}: expected one of ${Object.keys(choices).join(', ')}, was ${JSON.stringify(text)}`);
  }
  return found;
}

/** The help text of a command: usage line, summary, details when it has any, and its flags. */
export function helpText(usage: string, summary: string, flags: FlagSpecs, details?: string): string {
  const all: FlagSpecs = { ...flags, ...COMMON_FLAGS };
  const rows = Object.entries(all).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const left = `${short}--${name}${spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : ''}`;
    return [left, spec.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`);
  const about = details === undefined ? summary : `${summary}\n\n${details}`;
  return `usage: ${usage}\n\n${about}\n\noptions:\n${lines.join('\n')}\n`;
}
