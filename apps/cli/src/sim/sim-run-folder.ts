import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where run folders go, under the working directory. */
export const RUNS_DIR = '.data/runs';

/** How many run folders (logs, journals, config) are kept, the newest. */
export const RUN_FOLDERS_KEPT = 10;

const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** A run id: its UTC start time and a random suffix, e.g. `20250301-120000-ab12`; ids sort by time. */
export function newRunId(now: Date = new Date(), suffix: string = randomBytes(2).toString('hex')): string {
  const iso = now.toISOString(); // 2025-03-01T12:00:00.000Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${suffix}`;
}

/** What the strategy engine runs during the simulation. */
export interface SimStrategySettings {
  /** Venue in the instrument id; `SIM` when absent. */
  readonly venue?: string;
  readonly symbol: string;
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  /** Decimal text. */
  readonly quantity: string;
}

/** The strategy engine's config file for the run (TOML), with the EMA periods of the sim. */
export function strategyEngineToml(runId: string, strategy: SimStrategySettings): string {
  return [
    `# Written by ttq sim for run ${runId}. Endpoints and the account come from TTQ_* variables.`,
    '[[strategyEngine.strategies]]',
    'type = "ema-cross"',
    'id = "ema1"',
    '',
    '[strategyEngine.strategies.params]',
    `venue = ${JSON.stringify(strategy.venue ?? 'SIM')}`,
    `symbol = ${JSON.stringify(strategy.symbol)}`,
    `fastPeriod = ${strategy.fastPeriod}`,
    `slowPeriod = ${strategy.slowPeriod}`,
    `quantity = ${JSON.stringify(strategy.quantity)}`,
    'mode = "long-only"',
    '',
  ].join('\n');
}

/**
 * Creates the run folder `<cwd>/.data/runs/<runId>/`: the services' working
 * directory, so each run has fresh journals (`.data/journal/…` inside it), its
 * own `config/` and one log file per service. Older run folders beyond
 * {@link RUN_FOLDERS_KEPT} are removed.
 */
export function createRunFolder(cwd: string, runId: string, strategy: SimStrategySettings): string {
  const runs = join(cwd, RUNS_DIR);
  const dir = join(runs, runId);
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(join(dir, 'config', 'strategy-engine.toml'), strategyEngineToml(runId, strategy));
  const older = readdirSync(runs)
    .filter((name) => RUN_ID.test(name) && name !== runId)
    .sort()
    .reverse()
    .slice(RUN_FOLDERS_KEPT - 1);
  for (const name of older) rmSync(join(runs, name), { recursive: true, force: true });
  return dir;
}
