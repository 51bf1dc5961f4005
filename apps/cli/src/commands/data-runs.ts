import { readTradingRuns, type TradingRun } from '@ttquant/storage';
import { stringFlag } from '../args';
import type { Column } from '../output';
import { formatNanos, limitFlag } from './data-args';
import { dataCommand, LIMIT_FLAG } from './data-command';

/** Columns of `ttq data runs`. */
export const RUN_COLUMNS: readonly Column<TradingRun>[] = [
  { heading: 'RUN ID', cell: (r) => r.runId },
  { heading: 'STRATEGY', cell: (r) => r.strategyId },
  { heading: 'MODE', cell: (r) => r.mode },
  { heading: 'STATUS', cell: (r) => r.status },
  { heading: 'STARTED', cell: (r) => formatNanos(r.startedAt) },
  { heading: 'STOPPED', cell: (r) => (r.stoppedAt === undefined ? '' : formatNanos(r.stoppedAt)) },
  { heading: 'ACCOUNTS', cell: (r) => r.accounts.join(',') },
  { heading: 'INSTANCE', cell: (r) => r.instance },
  { heading: 'CODE VERSION', cell: (r) => r.codeVersion },
];

/** `ttq data runs`: stored strategy runs, newest first. */
export const dataRunsCommand = dataCommand<TradingRun>({
  name: 'runs',
  summary: 'stored strategy runs (mode, status, accounts, code version), newest first',
  usage: '[--strategy <id>] [--limit <rows>]',
  flags: {
    strategy: { type: 'string', value: '<id>', help: 'only runs of this strategy' },
    ...LIMIT_FLAG,
  },
  prepare(args) {
    const strategyId = stringFlag(args, 'strategy');
    const limit = limitFlag(args, 50);
    return async (db) => ({ rows: await readTradingRuns(db, { limit, ...(strategyId !== undefined && { strategyId }) }) });
  },
  columns: RUN_COLUMNS,
  empty: 'no runs',
});
