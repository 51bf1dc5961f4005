import type { Fill } from '@ttquant/domain';
import { readFills } from '@ttquant/storage';
import type { Column } from '../output';
import { formatNanos } from './data-args';
import { dataCommand } from './data-command';
import { TRADING_FLAGS, tradingFilters } from './data-orders';

/** Columns of `ttq data fills`. */
export const FILL_COLUMNS: readonly Column<Fill>[] = [
  { heading: 'TIME', cell: (f) => formatNanos(f.eventTime) },
  { heading: 'ACCOUNT', cell: (f) => f.account },
  { heading: 'EXEC ID', cell: (f) => f.execId },
  { heading: 'CLIENT ORDER ID', cell: (f) => f.clientOrderId },
  { heading: 'STRATEGY', cell: (f) => f.strategyId },
  { heading: 'SYMBOL', cell: (f) => `${f.instrument.venue}:${f.instrument.symbol}` },
  { heading: 'SIDE', cell: (f) => f.side },
  { heading: 'QTY', cell: (f) => f.quantity.toString(), right: true },
  { heading: 'PRICE', cell: (f) => f.price.toString(), right: true },
  { heading: 'COMMISSION', cell: (f) => f.commission.toString(), right: true },
  { heading: 'CCY', cell: (f) => f.commissionCurrency },
  { heading: 'LIQ', cell: (f) => f.liquidity },
];

/** `ttq data fills`: stored executions by account, strategy, instrument, order and time. */
export const dataFillsCommand = dataCommand<Fill>({
  name: 'fills',
  summary: 'stored fills by account, strategy, instrument, order and time, in execution order',
  usage: '[--account <account>] [--strategy <id>] [--symbol <VENUE:SYMBOL>] [--client-order-id <id>] [--from <time>] [--to <time>] [--limit <rows>]',
  flags: TRADING_FLAGS,
  prepare(args, now) {
    const filters = tradingFilters(args, now);
    return async (db) => ({ rows: await readFills(db, filters) });
  },
  columns: FILL_COLUMNS,
  empty: 'no fills',
});
