import { ALERT_SEVERITIES, type Alert } from '@ttquant/domain';
import { readAlerts, type Timed } from '@ttquant/storage';
import { stringFlag } from '../args';
import type { Column } from '../output';
import { formatNanos, limitFlag, listFlag, rangeFlags } from './data-args';
import { dataCommand, LIMIT_FLAG, RANGE_FLAGS } from './data-command';

const DAY_NS = 86_400_000_000_000n;

/** Columns of `ttq data alerts`. */
export const ALERT_COLUMNS: readonly Column<Timed<Alert>>[] = [
  { heading: 'TIME', cell: (a) => formatNanos(a.time) },
  { heading: 'SEVERITY', cell: (a) => a.value.severity },
  { heading: 'SOURCE', cell: (a) => a.value.source },
  { heading: 'CODE', cell: (a) => a.value.code },
  { heading: 'MESSAGE', cell: (a) => a.value.message },
  {
    heading: 'CONTEXT',
    cell: (a) =>
      Object.entries(a.value.context)
        .map(([key, value]) => `${key}=${value}`)
        .join(' '),
  },
];

/** `ttq data alerts`: the stored alerts and audit entries (risk denials, parked rows, halts), oldest first. */
export const dataAlertsCommand = dataCommand<Timed<Alert>>({
  name: 'alerts',
  summary: 'stored alerts and audit entries in a time range, oldest first',
  usage: '[--severity INFO,WARNING,CRITICAL] [--from <time>] [--to <time>] [--limit <rows>]',
  flags: {
    severity: { type: 'string', value: '<S,…>', help: 'only these severities: INFO, WARNING, CRITICAL (comma-separated)' },
    ...RANGE_FLAGS,
    ...LIMIT_FLAG,
  },
  prepare(args, now) {
    const severities = listFlag(args, 'severity', ALERT_SEVERITIES);
    const range = rangeFlags(args, now, DAY_NS);
    const limit = stringFlag(args, 'limit') === undefined ? undefined : limitFlag(args, 1);
    return async (db) => ({
      rows: await readAlerts(db, { ...range, ...(severities && { severities }), ...(limit !== undefined && { limit }) }),
    });
  },
  columns: ALERT_COLUMNS,
  empty: 'no alerts',
});
