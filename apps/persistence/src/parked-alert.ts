import type { Alert } from '@ttquant/domain';
import type { ParkedRows } from '@ttquant/storage';

/** Longest reason text carried in an alert; the full one is in `ttq_parked_rows` and the log. */
const MAX_REASON = 500;

/**
 * The alert raised when a writer parks rows: CRITICAL when they were kept
 * nowhere but in this report (neither the table nor the park file took them),
 * WARNING otherwise (stored aside, to be looked at).
 */
export function parkedRowsAlert(parked: ParkedRows, source: string): Alert {
  const where =
    parked.storedIn === 'table' ? 'in ttq_parked_rows' : parked.storedIn === 'file' ? 'in the park file' : 'nowhere but the log';
  return {
    severity: parked.storedIn === 'nowhere' ? 'CRITICAL' : 'WARNING',
    source,
    code: 'storage.rows-parked',
    message: `${parked.rows.length} ${parked.table} row(s) could not be stored and were kept ${where}: ${parked.reason.slice(0, MAX_REASON)}`,
    context: {
      table: parked.table,
      rows: String(parked.rows.length),
      reason: parked.reason.slice(0, MAX_REASON),
      sqlstate: parked.sqlstate ?? '',
      attempts: String(parked.attempts),
      storedIn: parked.storedIn,
    },
  };
}
