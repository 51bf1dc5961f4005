import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { booleanFlag, durationFlag, stringFlag, type FlagSpecs, type ParsedArgs } from '../args';
import { OperationFailedError, UsageError } from '../cli-errors';
import type { Command } from '../command';
import { runSimulation } from '../sim/sim-launcher';
import { SIM_SERVICES } from '../sim/sim-endpoints';
import { IB_SIM_DEFAULTS, parseVenueProfile, profileVenueName } from '../sim/sim-venue-profile';

/** Defaults that make the simulation trade visibly within 20 s: several round trips. */
export const SIM_DEFAULTS = { ticksPerSecond: 50, fastPeriod: 5, slowPeriod: 20, quantity: '10', symbol: 'ACME', account: 'SIM001' } as const;

const flags = {
  duration: { type: 'string', value: '<s>', help: 'stop after this long (seconds, or 90s, 2m); default: run until Ctrl-C' },
  summary: { type: 'string', value: '<file>', help: 'also write the summary as JSON to this file' },
  'ticks-per-second': { type: 'string', value: '<n>', help: `random-walk quotes per second per instrument (default ${SIM_DEFAULTS.ticksPerSecond})` },
  'fast-period': { type: 'string', value: '<n>', help: `fast EMA of the strategy, in quotes (default ${SIM_DEFAULTS.fastPeriod})` },
  'slow-period': { type: 'string', value: '<n>', help: `slow EMA of the strategy, in quotes (default ${SIM_DEFAULTS.slowPeriod})` },
  venue: { type: 'string', value: '<sim|ib>', help: 'sim (default): the simulated venue; ib: a TWS / IB Gateway paper session (--ib-port)' },
  'ib-port': { type: 'string', value: '<port>', help: 'with --venue ib: the TWS / IB Gateway API port (paper: 7497, 4002)' },
  'ib-host': { type: 'string', value: '<host>', help: `with --venue ib: the TWS / IB Gateway host (default ${IB_SIM_DEFAULTS.host})` },
  symbol: { type: 'string', value: '<symbol>', help: `with --venue ib: the SMART-routed US stock the strategy trades (default ${IB_SIM_DEFAULTS.symbol})` },
  'drop-tick-every': {
    type: 'string',
    value: '<n>',
    help: 'fault drill: market-data journals but does not send every Nth tick; persistence must detect the gaps and replay them',
  },
} as const satisfies FlagSpecs;

function positiveNumber(args: ParsedArgs, name: string, fallback: number, integer: boolean, max: number): number {
  const text = stringFlag(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0) || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name}: expected ${integer ? 'a whole number' : 'a number'} in 1..${max}, was ${JSON.stringify(text)}`);
  }
  return value;
}

/** Where the built apps are: the CLI bundle is `dist/apps/cli/main.cjs`, the services are its siblings. */
export function builtAppsDir(): string {
  return resolve(__dirname, '..');
}

/** `ttq sim` (behind `npm start`): the whole platform on the simulated venue, with a summary. */
export const simCommand: Command = {
  name: 'sim',
  summary: 'run hub, persistence, gateway, strategy-engine and market-data on the sim venue (or IB paper with --venue ib); print a summary',
  details:
    'Each run gets a folder .data/runs/<run id>/ (logs, journals, config) and a database ttq_sim_<run id>\n' +
    "on DATABASE_URL's server, or on the embedded PostgreSQL in .data/postgres when DATABASE_URL is unset.\n" +
    'With --venue ib the gateway and market-data log in to TWS / IB Gateway at --ib-host:--ib-port instead, trading the\n' +
    `paper account in IB_ACCOUNT (environment only: it is a secret; unset: the first account TWS manages) under the name ${IB_SIM_DEFAULTS.account}.\n` +
    'Exit 0 when every service ran and stopped cleanly, 1 otherwise.',
  usage:
    'ttq sim [--duration <s>] [--summary <file>] [--ticks-per-second <n>] [--fast-period <n>] [--slow-period <n>] [--drop-tick-every <n>]\n' +
    '        [--venue ib --ib-port <port> [--ib-host <host>] [--symbol <symbol>]] [--json]',
  flags,
  async run(args, ctx) {
    const durationText = stringFlag(args, 'duration');
    const durationMs = durationText === undefined ? undefined : durationFlag(args, 'duration', 0);
    const fastPeriod = positiveNumber(args, 'fast-period', SIM_DEFAULTS.fastPeriod, true, 10_000);
    const slowPeriod = positiveNumber(args, 'slow-period', SIM_DEFAULTS.slowPeriod, true, 10_000);
    if (fastPeriod >= slowPeriod) throw new UsageError(`expected --fast-period < --slow-period, was ${fastPeriod} >= ${slowPeriod}`);
    const ticksPerSecond = positiveNumber(args, 'ticks-per-second', SIM_DEFAULTS.ticksPerSecond, false, 1_000);
    const dropTickEvery = stringFlag(args, 'drop-tick-every') === undefined ? 0 : positiveNumber(args, 'drop-tick-every', 0, true, 1_000_000);
    const summaryFile = stringFlag(args, 'summary');
    const venue = parseVenueProfile(args);
    const account = venue.kind === 'ib' ? venue.account : SIM_DEFAULTS.account;
    const symbol = venue.kind === 'ib' ? venue.symbol : SIM_DEFAULTS.symbol;

    const appsDir = builtAppsDir();
    const missing = [...SIM_SERVICES, 'cli'].filter((app) => !existsSync(join(appsDir, app, 'main.cjs')));
    if (missing.length > 0) {
      throw new OperationFailedError(`apps not built in ${appsDir}: ${missing.join(', ')}; run npm start, or npx nx run-many -t build -p ${missing.join(' ')}`);
    }
    const config = ctx.config();
    return runSimulation(
      {
        durationMs,
        summaryFile: summaryFile === undefined ? undefined : resolve(ctx.cwd, summaryFile),
        json: booleanFlag(args, 'json'),
        account,
        venue,
        ticksPerSecond,
        dropTickEvery,
        strategy: { venue: profileVenueName(venue), symbol, fastPeriod, slowPeriod, quantity: SIM_DEFAULTS.quantity },
        databaseUrl: config.database.url,
        cwd: ctx.cwd,
        appsDir,
        bus: config.bus,
      },
      ctx.io,
      ctx.signal,
    );
  },
};
