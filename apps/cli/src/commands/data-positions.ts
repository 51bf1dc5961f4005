import type { PositionSnapshot } from '@ttquant/domain';
import { readLatestPositions, readPositionHistory, type Timed } from '@ttquant/storage';
import { booleanFlag, requiredFlag, stringFlag } from '../args';
import { UsageError } from '../cli-errors';
import type { Column } from '../output';
import { formatNanos, limitFlag, parseInstrument, rangeFlags, timeFlag } from './data-args';
import { dataCommand, LIMIT_FLAG, RANGE_FLAGS } from './data-command';

const DAY_NS = 86_400_000_000_000n;

/** Columns of `ttq data positions`. */
export const STORED_POSITION_COLUMNS: readonly Column<Timed<PositionSnapshot>>[] = [
  { heading: 'TIME', cell: (p) => formatNanos(p.time) },
  { heading: 'ACCOUNT', cell: (p) => p.value.account },
  { heading: 'INSTRUMENT', cell: (p) => `${p.value.instrument.venue}:${p.value.instrument.symbol}` },
  { heading: 'QTY', cell: (p) => p.value.quantity.toString(), right: true },
  { heading: 'AVG PRICE', cell: (p) => (p.value.quantity.isZero() ? '' : p.value.avgPrice.toFixed(4)), right: true },
  { heading: 'REALISED PNL', cell: (p) => p.value.realizedPnl.toFixed(4), right: true },
  { heading: 'UNREALISED PNL', cell: (p) => p.value.unrealizedPnl.toFixed(4), right: true },
  { heading: 'CCY', cell: (p) => p.value.currency },
];

/** `ttq data positions`: an account's positions as stored, now or at a time, or their history. */
export const dataPositionsCommand = dataCommand<Timed<PositionSnapshot>>({
  name: 'positions',
  summary: "an account's stored positions as of now or --at, or their history with --history",
  usage: '--account <account> [--at <time>] [--history [--symbol <VENUE:SYMBOL>] [--from <time>] [--to <time>] [--limit <rows>]]',
  flags: {
    account: { type: 'string', value: '<account>', help: 'the account' },
    at: { type: 'string', value: '<time>', help: 'positions held just before this time (default: now)' },
    history: { type: 'boolean', help: 'every position snapshot in --from/--to (default: the last day)' },
    symbol: { type: 'string', value: '<VENUE:SYMBOL>', help: 'with --history: only this instrument' },
    ...RANGE_FLAGS,
    ...LIMIT_FLAG,
  },
  prepare(args, now) {
    const account = requiredFlag(args, 'account', 'SIM001');
    if (!booleanFlag(args, 'history')) {
      for (const flag of ['from', 'to', 'symbol', 'limit']) {
        if (stringFlag(args, flag) !== undefined) throw new UsageError(`--${flag} applies to --history; for positions at a time use --at`);
      }
      const at = timeFlag(args, 'at', now);
      return async (db) => ({ rows: await readLatestPositions(db, account, at) });
    }
    if (stringFlag(args, 'at') !== undefined) throw new UsageError('--at gives positions at one time; with --history use --from/--to');
    const symbol = stringFlag(args, 'symbol');
    const range = rangeFlags(args, now, DAY_NS);
    const limit = stringFlag(args, 'limit') === undefined ? undefined : limitFlag(args, 1);
    return async (db) => ({
      rows: await readPositionHistory(db, {
        account,
        ...range,
        ...(symbol !== undefined && { instrument: parseInstrument(symbol) }),
        ...(limit !== undefined && { limit }),
      }),
    });
  },
  columns: STORED_POSITION_COLUMNS,
  empty: 'no positions',
});
