import type { Bar } from '@ttquant/domain';
import { readBarsAtInterval, type BarSource, type BarSourceChoice } from '@ttquant/storage';
import { choiceFlag, requiredFlag, stringFlag } from '../args';
import type { Column } from '../output';
import { formatNanos, limitFlag, parseInstrument, parseInterval, rangeFlags } from './data-args';
import { dataCommand, LIMIT_FLAG, RANGE_FLAGS } from './data-command';

const DAY_NS = 86_400_000_000_000n;

/** Columns of `ttq data bars`. */
export const BAR_COLUMNS: readonly Column<Bar>[] = [
  { heading: 'START', cell: (b) => formatNanos(b.startTime) },
  { heading: 'OPEN', cell: (b) => b.open.toString(), right: true },
  { heading: 'HIGH', cell: (b) => b.high.toString(), right: true },
  { heading: 'LOW', cell: (b) => b.low.toString(), right: true },
  { heading: 'CLOSE', cell: (b) => b.close.toString(), right: true },
  { heading: 'VOLUME', cell: (b) => b.volume.toString(), right: true },
  { heading: 'TRADES', cell: (b) => String(b.tradeCount), right: true },
];

/** Where bars came from, for people. */
export function describeBarSource(source: BarSource, intervalSeconds: number): string {
  switch (source.kind) {
    case 'stored':
      return `bars of ${intervalSeconds}s as stored`;
    case 'rolled-up':
      return `bars of ${intervalSeconds}s rolled up from stored ${source.sourceIntervalSeconds}s bars`;
    case 'trades':
      return `bars of ${intervalSeconds}s computed from stored trades`;
  }
}

/** `ttq data bars`: OHLCV bars of any interval, from stored bars or trades. */
export const dataBarsCommand = dataCommand<Bar>({
  name: 'bars',
  summary: 'OHLCV bars of an instrument at any interval, from stored bars (rolled up if needed) or trades',
  usage: '--symbol <VENUE:SYMBOL> --interval <1m|5m|1h|…> [--from <time>] [--to <time>] [--source auto|bars|trades] [--limit <rows>]',
  flags: {
    symbol: { type: 'string', value: '<VENUE:SYMBOL>', help: 'instrument, e.g. SIM:ACME or BINANCE:BTCUSDT' },
    interval: { type: 'string', value: '<interval>', help: 'bar length: 30s, 1m, 5m, 1h, 1d or seconds' },
    ...RANGE_FLAGS,
    source: { type: 'string', value: '<source>', help: 'auto (stored bars, else roll-up, else trades), bars or trades' },
    ...LIMIT_FLAG,
  },
  prepare(args, now) {
    const instrument = parseInstrument(requiredFlag(args, 'symbol', 'SIM:ACME'));
    const intervalSeconds = parseInterval(requiredFlag(args, 'interval', '1m'));
    const range = rangeFlags(args, now, DAY_NS);
    const source = choiceFlag<BarSourceChoice>(args, 'source', { auto: 'auto', bars: 'bars', trades: 'trades' }) ?? 'auto';
    const limit = stringFlag(args, 'limit') === undefined ? undefined : limitFlag(args, 1);
    return async (db) => {
      const result = await readBarsAtInterval(db, { instrument, intervalSeconds, ...range, source, ...(limit !== undefined && { limit }) });
      return {
        rows: result.bars,
        json: { instrument, intervalSeconds, source: result.source, bars: result.bars },
        note: describeBarSource(result.source, intervalSeconds),
      };
    };
  },
  columns: BAR_COLUMNS,
  empty: 'no bars',
});
