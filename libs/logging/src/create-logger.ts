import pino, { type DestinationStream, type Level, type LevelWithSilent, type Logger } from 'pino';
import { REDACTED, redactPaths } from './redaction';

/** What every TTQuant logger is built from. */
export interface LoggerOptions {
  /** Service name, added to every line as `service`. */
  readonly service: string;
  /** Instance id, added to every line as `instance`. */
  readonly instance: string;
  /** Lowest level written; `info` when omitted. */
  readonly level?: LevelWithSilent;
  /**
   * Human-readable output through pino-pretty. When omitted: pretty when stdout is a
   * terminal and `CI` is not set. Ignored when a destination stream is given.
   */
  readonly pretty?: boolean;
  /** Further keys (or pino redact paths) to censor, e.g. `['account']`. */
  readonly redactKeys?: readonly string[];
}

/** The facts {@link wantsPrettyOutput} decides on, separated out so tests can vary them. */
export interface TerminalFacts {
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Whether to pretty-print: when asked explicitly, or on an interactive terminal outside CI.
 * Production (containers, CI) gets one JSON object per line for the log collector.
 */
export function wantsPrettyOutput(pretty: boolean | undefined, facts: TerminalFacts): boolean {
  if (pretty !== undefined) return pretty;
  const ci = facts.env['CI'];
  return facts.isTTY && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
}

/**
 * Creates the root logger of a service: JSON lines with `time` (ISO), `level` (as a word),
 * `service`, `instance` and the message; secrets censored as `****`.
 *
 * @param destination where to write instead of stdout (tests, files); always JSON
 * @example
 * const logger = createLogger({ service: 'gateway', instance: config.get('service.instance'), level: 'debug' });
 * const risk = child(logger, 'risk');
 * risk.warn({ clientOrderId, reason }, 'order denied');
 */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service, instance: options.instance },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Words instead of numbers: log collectors and people filter on "error", not 50.
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactPaths(options.redactKeys), censor: REDACTED },
  };
  if (destination !== undefined) return pino(settings, destination);
  if (wantsPrettyOutput(options.pretty, { isTTY: process.stdout.isTTY === true, env: process.env }) && prettyInstalled()) {
    return pino({ ...settings, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(settings);
}

/**
 * A logger for one component of a service, every line tagged `component`. Create it once
 * per component, not per message.
 *
 * @example
 * const log = child(logger, 'ib-execution-client');
 */
export function child(logger: Logger, component: string): Logger {
  return logger.child({ component });
}

/** pino-pretty is a development dependency: production images may not have it. */
function prettyInstalled(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** pino's types, re-exported so services type their loggers without importing pino. */
export type { DestinationStream, Level, LevelWithSilent, Logger };
