import type { AccountState, Balance, UnixNanos } from '@ttquant/domain';
import { readAccountHistory, readLatestAccountState, type Timed } from '@ttquant/storage';
import { booleanFlag, requiredFlag, stringFlag } from '../args';
import { UsageError } from '../cli-errors';
import type { Column } from '../output';
import { formatNanos, rangeFlags, timeFlag } from './data-args';
import { dataCommand, RANGE_FLAGS } from './data-command';

const DAY_NS = 86_400_000_000_000n;

/** One currency of one published account state: a table row. */
export interface BalanceRow {
  readonly time: UnixNanos;
  readonly account: string;
  readonly venue: string;
  readonly balance: Balance;
}

/** Columns of `ttq data account`. */
export const BALANCE_COLUMNS: readonly Column<BalanceRow>[] = [
  { heading: 'TIME', cell: (r) => formatNanos(r.time) },
  { heading: 'ACCOUNT', cell: (r) => r.account },
  { heading: 'VENUE', cell: (r) => r.venue },
  { heading: 'CCY', cell: (r) => r.balance.currency },
  { heading: 'CASH', cell: (r) => r.balance.cash.toString(), right: true },
  { heading: 'EQUITY', cell: (r) => r.balance.equity.toString(), right: true },
  { heading: 'MARGIN USED', cell: (r) => r.balance.marginUsed.toString(), right: true },
  { heading: 'BUYING POWER', cell: (r) => r.balance.buyingPower.toString(), right: true },
];

function balanceRows(states: readonly Timed<AccountState>[]): BalanceRow[] {
  return states.flatMap(({ time, value }) => value.balances.map((balance) => ({ time, account: value.account, venue: value.venue, balance })));
}

/** `ttq data account`: an account's latest stored state (as of --at), or its history. */
export const dataAccountCommand = dataCommand<BalanceRow>({
  name: 'account',
  summary: "an account's stored balances: the latest state (or as of --at), or their history with --history",
  usage: '--account <account> [--at <time>] [--history [--from <time>] [--to <time>]]',
  flags: {
    account: { type: 'string', value: '<account>', help: 'the account' },
    at: { type: 'string', value: '<time>', help: 'the state published last before this time (default: now)' },
    history: { type: 'boolean', help: 'every published state in --from/--to (default: the last day)' },
    ...RANGE_FLAGS,
  },
  prepare(args, now) {
    const account = requiredFlag(args, 'account', 'SIM001');
    if (!booleanFlag(args, 'history')) {
      for (const flag of ['from', 'to']) {
        if (stringFlag(args, flag) !== undefined) throw new UsageError(`--${flag} applies to --history; for the state at a time use --at`);
      }
      const at = timeFlag(args, 'at', now);
      return async (db) => {
        const latest = await readLatestAccountState(db, account, at);
        return { rows: balanceRows(latest ? [latest] : []), json: latest ?? null };
      };
    }
    if (stringFlag(args, 'at') !== undefined) throw new UsageError('--at gives the state at one time; with --history use --from/--to');
    const range = rangeFlags(args, now, DAY_NS);
    return async (db) => {
      const states = await readAccountHistory(db, { account, ...range });
      return { rows: balanceRows(states), json: states };
    };
  },
  columns: BALANCE_COLUMNS,
  empty: 'no account state stored',
});
