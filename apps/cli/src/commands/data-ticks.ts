import type { QuoteTick, TradeTick } from '@ttquant/domain';
import { readQuoteTicks, readTradeTicks } from '@ttquant/storage';
import { choiceFlag, requiredFlag } from '../args';
import type { Column } from '../output';
import { formatNanos, limitFlag, parseInstrument, rangeFlags } from './data-args';
import { dataCommand, LIMIT_FLAG, RANGE_FLAGS, type DataResult } from './data-command';

const HOUR_NS = 3_600_000_000_000n;
const DEFAULT_LIMIT = 1_000;

/** A stored tick of either kind, for one table. */
export type StoredTick = QuoteTick | TradeTick;

/** Columns of `ttq data ticks`: trades fill PRICE/SIZE/SIDE, quotes the bid and ask. */
export const TICK_COLUMNS: readonly Column<StoredTick>[] = [
  { heading: 'TIME', cell: (t) => formatNanos(t.eventTime) },
  { heading: 'KIND', cell: (t) => t.kind },
  { heading: 'PRICE', cell: (t) => (t.kind === 'trade' ? t.price.toString() : ''), right: true },
  { heading: 'SIZE', cell: (t) => (t.kind === 'trade' ? t.size.toString() : ''), right: true },
  { heading: 'SIDE', cell: (t) => (t.kind === 'trade' ? t.aggressor : '') },
  { heading: 'BID', cell: (t) => (t.kind === 'quote' ? t.bidPrice.toString() : ''), right: true },
  { heading: 'BID SIZE', cell: (t) => (t.kind === 'quote' ? t.bidSize.toString() : ''), right: true },
  { heading: 'ASK', cell: (t) => (t.kind === 'quote' ? t.askPrice.toString() : ''), right: true },
  { heading: 'ASK SIZE', cell: (t) => (t.kind === 'quote' ? t.askSize.toString() : ''), right: true },
  { heading: 'TRADE ID', cell: (t) => (t.kind === 'trade' ? t.tradeId : '') },
];

/** `ttq data ticks`: stored trades or quotes of an instrument, oldest first. */
export const dataTicksCommand = dataCommand<StoredTick>({
  name: 'ticks',
  summary: 'stored trades (or quotes) of an instrument in a time range, oldest first',
  usage: '--symbol <VENUE:SYMBOL> [--kind trades|quotes] [--from <time>] [--to <time>] [--limit <rows>]',
  flags: {
    symbol: { type: 'string', value: '<VENUE:SYMBOL>', help: 'instrument, e.g. SIM:ACME' },
    kind: { type: 'string', value: '<kind>', help: 'trades (default) or quotes' },
    ...RANGE_FLAGS,
    ...LIMIT_FLAG,
  },
  prepare(args, now) {
    const instrument = parseInstrument(requiredFlag(args, 'symbol', 'SIM:ACME'));
    const kind = choiceFlag(args, 'kind', { trades: 'trades', trade: 'trades', quotes: 'quotes', quote: 'quotes' } as const) ?? 'trades';
    const range = rangeFlags(args, now, HOUR_NS);
    const limit = limitFlag(args, DEFAULT_LIMIT);
    return async (db): Promise<DataResult<StoredTick>> => {
      // One more than shown tells whether the range held more.
      const query = { instrument, ...range, limit: limit + 1 };
      const ticks: StoredTick[] = kind === 'trades' ? await readTradeTicks(db, query) : await readQuoteTicks(db, query);
      const more = ticks.length > limit;
      const rows = more ? ticks.slice(0, limit) : ticks;
      return {
        rows,
        ...(more && { note: `showing the first ${limit} ${kind}; narrow --from/--to or raise --limit for more` }),
      };
    };
  },
  columns: TICK_COLUMNS,
  empty: 'no ticks',
});
