/**
 * Process exit codes every TTQuant service uses, after BSD sysexits so that
 * supervisors and operators can tell a bad config from a crash.
 */
export const EXIT_CODES = {
  /** Stopped cleanly (also after SIGTERM/SIGINT). */
  ok: 0,
  /** A graceful shutdown did not finish within `service.shutdownTimeout`. */
  shutdownTimeout: 1,
  /** Bad command-line usage. */
  usage: 64,
  /** A dependency (database, venue, journal folder) could not be reached at start-up. */
  unavailable: 69,
  /** An unexpected error: a bug. The log's last `fatal` line says what. */
  internal: 70,
  /** The configuration is invalid; the log lists every problem. */
  config: 78,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** An error that ends start-up with a specific exit code. */
export class StartupError extends Error {
  override readonly name = 'StartupError';

  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT_CODES.unavailable,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
