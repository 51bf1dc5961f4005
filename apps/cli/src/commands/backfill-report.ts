import type { BackfillPlan, BackfillResult, CompletenessReport, RequestOutcome } from '@ttquant/adapter-ib';
import { CLI_EXIT, type CliExitCode } from '../cli-errors';
import { renderTable, type Column } from '../output';
import type { BackfillOptions } from './backfill-args';

/** One row of the completeness table: one symbol on one session day. */
export interface CompletenessRow {
  readonly symbol: string;
  readonly day: string;
  readonly expected: number;
  readonly stored: number;
}

const COLUMNS: readonly Column<CompletenessRow>[] = [
  { heading: 'SYMBOL', cell: (r) => r.symbol },
  { heading: 'DAY', cell: (r) => r.day },
  { heading: 'EXPECTED', cell: (r) => String(r.expected), right: true },
  { heading: 'STORED', cell: (r) => String(r.stored), right: true },
  { heading: 'MISSING', cell: (r) => String(r.expected - r.stored), right: true },
  { heading: 'COMPLETE', cell: (r) => percent(r.stored, r.expected), right: true },
];

/** The report's symbols and days as table rows, in the report's order. */
export function completenessRows(report: CompletenessReport): CompletenessRow[] {
  return report.symbols.flatMap((s) => s.days.map((d) => ({ symbol: s.symbol, day: d.day, expected: d.expected, stored: d.stored })));
}

/** Whether every expected bar of the range is stored. */
export function isComplete(report: CompletenessReport): boolean {
  return report.stored >= report.expected;
}

/** The runner's figures `ttq backfill --json` prints as they are. */
type RunnerFigures = Pick<
  BackfillResult,
  'barsWritten' | 'barsRejected' | 'barsOutsideWindow' | 'pacingViolations' | 'retries' | 'unknownSymbols' | 'stopped' | 'completeness'
>;

/** What `ttq backfill --json` prints: one object. */
export interface BackfillJson extends RunnerFigures {
  readonly symbols: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly barSize: string;
  readonly whatToShow: string;
  readonly useRth: boolean;
  /** Requests the plan held (only what was missing), and how many finished. */
  readonly requests: { readonly planned: number; readonly done: number; readonly failed: number; readonly noData: number };
  /** Bars stored before this run, of those expected. */
  readonly storedBefore: number;
  readonly pacingWaitMs: number;
  /** Messages from TWS the pinned IB client could not decode (IB 505); anything but 0 is a protocol mismatch to report. */
  readonly ibDecodeErrors: number;
  readonly failed: readonly OutcomeJson[];
  readonly noData: readonly OutcomeJson[];
  readonly complete: boolean;
}

/** A request that stored nothing, and why. */
export interface OutcomeJson {
  readonly symbol: string;
  readonly day: string;
  readonly status: string;
  readonly error: string;
  readonly attempts: number;
}

/** Figures of a run that come from the pacer and the IB connection rather than the runner. */
export interface BackfillRunFigures {
  /** Time the pacer held requests back, ms. */
  readonly pacingWaitMs: number;
  readonly ibDecodeErrors: number;
}

/** The JSON object of a finished (or stopped) run. */
export function backfillJson(options: BackfillOptions, plan: BackfillPlan, result: BackfillResult, figures: BackfillRunFigures): BackfillJson {
  return {
    symbols: options.symbols,
    from: options.fromDay,
    to: options.toDay,
    barSize: options.barSize,
    whatToShow: options.whatToShow,
    useRth: options.useRth,
    requests: { planned: result.total, done: result.done, failed: result.failed.length, noData: result.noData.length },
    storedBefore: plan.storedBars,
    barsWritten: result.barsWritten,
    barsRejected: result.barsRejected,
    barsOutsideWindow: result.barsOutsideWindow,
    pacingViolations: result.pacingViolations,
    retries: result.retries,
    pacingWaitMs: figures.pacingWaitMs,
    ibDecodeErrors: figures.ibDecodeErrors,
    unknownSymbols: result.unknownSymbols,
    failed: result.failed.map(outcomeJson),
    noData: result.noData.map(outcomeJson),
    stopped: result.stopped,
    complete: isComplete(result.completeness),
    completeness: result.completeness,
  };
}

/**
 * The run for people: the completeness table (expected against stored bars
 * per symbol and day), a total per symbol, what did not work, and one line
 * saying whether the range is complete.
 */
export function renderBackfillReport(options: BackfillOptions, plan: BackfillPlan, result: BackfillResult, figures?: BackfillRunFigures): string {
  const report = result.completeness;
  const rows = completenessRows(report);
  const lines: string[] = [];
  lines.push(
    `${options.symbols.join(', ')}  ${report.barSize} ${options.whatToShow}${options.useRth ? ' (regular hours)' : ' (extended hours)'}  ` +
      `${options.fromDay} – ${options.toDay}`,
  );
  lines.push(
    `requests: ${result.done} of ${result.total} done` +
      (result.failed.length > 0 ? `, ${result.failed.length} failed` : '') +
      (result.noData.length > 0 ? `, ${result.noData.length} with no data` : '') +
      `; bars written: ${result.barsWritten} (${plan.storedBars} already stored)` +
      (result.barsOutsideWindow > 0 ? `; ${result.barsOutsideWindow} bars outside the days asked for, not stored` : '') +
      (result.barsRejected > 0 ? `; ${result.barsRejected} unusable bars rejected` : '') +
      (result.pacingViolations > 0 ? `; IB pacing violations: ${result.pacingViolations}` : ''),
  );
  lines.push('');
  const table = rows.length > 0 ? renderTable(COLUMNS, rows).trimEnd() : 'no trading sessions in the range';
  lines.push(table);
  if (report.symbols.length > 1 || rows.length > 1) {
    lines.push('');
    for (const s of report.symbols) lines.push(`${s.symbol}: ${s.stored}/${s.expected} bars (${percent(s.stored, s.expected)})`);
  }
  const problems = [...result.failed, ...result.noData];
  if (problems.length > 0) {
    lines.push('');
    for (const o of problems) lines.push(`${o.symbol} ${o.day}: ${o.status}${o.error ? ` — ${o.error}` : ''}`);
  }
  if (figures && figures.ibDecodeErrors > 0) {
    lines.push('');
    lines.push(`warning: ${figures.ibDecodeErrors} message(s) from TWS could not be decoded (IB 505): the TWS version may not match the pinned client`);
  }
  lines.push('');
  const missing = report.expected - report.stored;
  if (result.stopped) lines.push(`stopped: ${result.done} of ${result.total} requests done; run the same command again to fetch the rest`);
  lines.push(isComplete(report) ? `complete: ${report.stored}/${report.expected} bars stored` : `incomplete: ${missing} of ${report.expected} bars missing`);
  return lines.join('\n') + '\n';
}

/**
 * The exit code of a run: 130 when stopped by Ctrl-C, 1 when a request failed
 * for good (the range stays incomplete until it is run again), 0 otherwise;
 * days IB has no data for (an unlisted holiday) are shown, not failures.
 */
export function backfillExitCode(result: BackfillResult): CliExitCode {
  if (result.stopped) return CLI_EXIT.interrupted;
  if (result.failed.length > 0) return CLI_EXIT.failed;
  return CLI_EXIT.ok;
}

function outcomeJson(o: RequestOutcome): OutcomeJson {
  return { symbol: o.symbol, day: o.day, status: o.status, error: o.error ?? '', attempts: o.attempts };
}

function percent(stored: number, expected: number): string {
  const value = expected === 0 ? 100 : (100 * stored) / expected;
  // 99.99 % must not read as 100.0 %: a complete day says so only when it is.
  const text = stored < expected && value > 99.9 ? '99.9' : value.toFixed(1);
  return `${text}%`;
}
