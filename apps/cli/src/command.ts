import type { FlagSpecs, ParsedArgs } from './args';
import type { CliConfig } from './cli-config';
import type { CliExitCode } from './cli-errors';
import type { CliIo } from './output';

/** What every command gets besides its arguments. */
export interface CommandContext {
  readonly io: CliIo;
  readonly env: NodeJS.ProcessEnv;
  /** The working directory: where `config/` and `.data/` are. */
  readonly cwd: string;
  /** Loads the configuration on first use (so `--help` and usage errors never need it). */
  config(): CliConfig;
  /** Aborted on Ctrl-C: long-running commands stop cleanly. */
  readonly signal: AbortSignal;
}

/** One `ttq` command. */
export interface Command {
  /** The words that select it, e.g. `order submit`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line, e.g. `ttq orders [--account <account>] [--json]`. */
  readonly usage: string;
  /** What `--help` says below the summary (exit codes, files, secrets), when the summary is not enough. */
  readonly details?: string;
  readonly flags: FlagSpecs;
  /** Positional arguments accepted after the command words (default 0). */
  readonly maxPositionals?: number;
  run(args: ParsedArgs, ctx: CommandContext): Promise<CliExitCode>;
}
