export {
  child,
  createLogger,
  wantsPrettyOutput,
  type DestinationStream,
  type Level,
  type LevelWithSilent,
  type Logger,
  type LoggerOptions,
  type TerminalFacts,
} from './create-logger';
export { DEFAULT_REDACT_KEYS, REDACTED, redactPaths } from './redaction';
