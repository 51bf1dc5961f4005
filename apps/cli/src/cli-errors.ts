/** Exit codes of `ttq`: what a script calling it can rely on. */
export const CLI_EXIT = {
  /** Done as asked. */
  ok: 0,
  /** The operation ran and failed: an order denied or rejected, a run that broke. */
  failed: 1,
  /** The command line is wrong; the message says what was expected. */
  usage: 2,
  /** A service did not answer in time; the message names the endpoint. */
  unreachable: 69,
  /** Stopped by Ctrl-C (SIGINT) before finishing; what was done is kept. 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;

/** One of {@link CLI_EXIT}. */
export type CliExitCode = (typeof CLI_EXIT)[keyof typeof CLI_EXIT];

/** Base of the errors `ttq` turns into an exit code and one message on stderr. */
export abstract class CliError extends Error {
  abstract readonly exitCode: CliExitCode;
}

/** Wrong arguments: exit 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  readonly exitCode = CLI_EXIT.usage;
}

/** A service did not answer within the deadline: exit 69. The message names the endpoint. */
export class UnreachableError extends CliError {
  override readonly name = 'UnreachableError';
  readonly exitCode = CLI_EXIT.unreachable;

  constructor(
    /** What was being reached, e.g. `gateway control endpoint`. */
    readonly what: string,
    readonly endpoint: string,
    detail: string,
  ) {
    super(`${what} ${endpoint}: ${detail}`);
  }
}

/** The operation was carried out and did not succeed (order denied, run failed): exit 1. */
export class OperationFailedError extends CliError {
  override readonly name = 'OperationFailedError';
  readonly exitCode = CLI_EXIT.failed;
}
