import { booleanFlag, helpText, parseCommandArgs } from './args';
import { loadCliConfig, type CliConfig } from './cli-config';
import { CLI_EXIT, CliError, UsageError } from './cli-errors';
import type { Command, CommandContext } from './command';
import { backfillCommand } from './commands/backfill';
import { dataAccountCommand } from './commands/data-account';
import { dataAlertsCommand } from './commands/data-alerts';
import { dataBarsCommand } from './commands/data-bars';
import { dataFillsCommand } from './commands/data-fills';
import { dataOrdersCommand } from './commands/data-orders';
import { dataPositionsCommand } from './commands/data-positions';
import { dataRunsCommand } from './commands/data-runs';
import { dataTicksCommand } from './commands/data-ticks';
import { dbMigrateCommand } from './commands/db-migrate';
import { dbServeCommand } from './commands/db-serve';
import { orderCancelCommand } from './commands/order-cancel';
import { orderSubmitCommand } from './commands/order-submit';
import { ordersCommand } from './commands/orders';
import { positionsCommand } from './commands/positions';
import { simCommand } from './commands/sim';
import { statusCommand } from './commands/status';
import type { CliIo } from './output';

/** Every `ttq` command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  statusCommand,
  ordersCommand,
  positionsCommand,
  orderSubmitCommand,
  orderCancelCommand,
  dbMigrateCommand,
  dbServeCommand,
  dataBarsCommand,
  dataTicksCommand,
  dataOrdersCommand,
  dataFillsCommand,
  dataPositionsCommand,
  dataAccountCommand,
  dataRunsCommand,
  dataAlertsCommand,
  backfillCommand,
  simCommand,
];

/** What {@link runCli} needs from its process. */
export interface CliEnvironment {
  readonly io: CliIo;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
}

/** The general help: every command with its summary. */
export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: ttq <command> [options]',
    '',
    'TTQuant operator commands. Endpoints come from config/cli.toml and TTQ_* variables',
    '(TTQ_BUS_XPUB_ENDPOINT, TTQ_CLI_GATEWAY_ORDERS, TTQ_CLI_GATEWAY_CONTROL), as for services.',
    '',
    'commands:',
    ...lines,
    '',
    'Every command takes --help and --json. Exit codes: 0 ok, 1 operation failed, 2 usage error,',
    '69 a service did not answer (the message names the endpoint), 130 stopped by Ctrl-C.',
    '',
  ].join('\n');
}

/** Finds the command named by the leading words of `argv`; returns it and the remaining arguments. */
export function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } {
  const [first, second] = argv;
  if (first === undefined || first.startsWith('-')) throw new UsageError(`expected a command\n\n${generalHelp()}`);
  const two = COMMANDS.find((c) => c.name === `${first} ${second ?? ''}`);
  if (two) return { command: two, rest: argv.slice(2) };
  const one = COMMANDS.find((c) => c.name === first);
  if (one) return { command: one, rest: argv.slice(1) };
  const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name);
  if (group.length > 0) {
    const found = second === undefined ? 'nothing' : JSON.stringify(second);
    throw new UsageError(`${first}: expected one of ${group.map((g) => g.slice(first.length + 1)).join(', ')}, was ${found}`);
  }
  throw new UsageError(`unknown command ${JSON.stringify(first)}; expected one of ${COMMANDS.map((c) => c.name).join(', ')} (see ttq --help)`);
}

/**
 * Runs one `ttq` command line and returns the exit code. Errors become one
 * message on stderr: usage errors exit 2, unreachable services 69, failed
 * operations 1.
 */
export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  const { io } = environment;
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help')) {
    io.out(generalHelp());
    return CLI_EXIT.ok;
  }
  let config: CliConfig | undefined;
  const ctx: CommandContext = {
    io,
    env: environment.env,
    cwd: environment.cwd,
    signal: environment.signal,
    config: () => (config ??= loadCliConfig(environment.env)),
  };
  try {
    const { command, rest } = findCommand(argv);
    const args = parseCommandArgs(command.name, rest, command.flags, command.maxPositionals ?? 0);
    if (booleanFlag(args, 'help')) {
      io.out(helpText(command.usage, command.summary, command.flags, command.details));
      return CLI_EXIT.ok;
    }
    return await command.run(args, ctx);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`ttq: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`ttq: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return CLI_EXIT.failed;
  }
}
