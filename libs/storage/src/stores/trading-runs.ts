import type { UnixNanos } from '@ttquant/domain';
import { RowDecodeError } from '../errors';
import { nanosToTimestampText } from '../pg-time';
import type { Queryable } from '../queryable';
import { limitClause } from '../readers/query-range';
import { bigintOf, enumOf } from '../readers/row-parsing';

/** How a strategy run trades: against stored history, a paper account, or live. */
export const TRADING_MODES = ['backtest', 'paper', 'live'] as const;
/** One of {@link TRADING_MODES}. */
export type TradingMode = (typeof TRADING_MODES)[number];

/** Where a run stands: still running, stopped normally, or ended by a failure. */
export const RUN_STATUSES = ['running', 'stopped', 'failed'] as const;
/** One of {@link RUN_STATUSES}. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A strategy run as it starts. */
export interface TradingRunStart {
  readonly runId: string;
  readonly strategyId: string;
  readonly mode: TradingMode;
  /** Strategy-engine instance. */
  readonly instance: string;
  readonly accounts: readonly string[];
  readonly startedAt: UnixNanos;
  /** The strategy configuration, as JSON. */
  readonly config: unknown;
  /** Git commit or package version of the code that ran. */
  readonly codeVersion: string;
}

/** A stored run (times at microsecond precision). */
export interface TradingRun extends TradingRunStart {
  readonly status: RunStatus;
  readonly stoppedAt?: UnixNanos;
  readonly summary?: unknown;
}

/** Records the start of a run. A second call with the same run id changes nothing. */
export async function recordRunStart(db: Queryable, run: TradingRunStart): Promise<void> {
  await db.query(
    `INSERT INTO trading_runs (run_id, strategy_id, mode, instance, accounts, started_at, status, config, code_version)
     VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8) ON CONFLICT (run_id) DO NOTHING`,
    [
      run.runId,
      run.strategyId,
      run.mode,
      run.instance,
      JSON.stringify(run.accounts),
      nanosToTimestampText(run.startedAt),
      JSON.stringify(run.config ?? null),
      run.codeVersion,
    ],
  );
}

/** Records how a run ended. Resolves false when no such run is stored. */
export async function recordRunEnd(
  db: Queryable,
  runId: string,
  end: { readonly status: Exclude<RunStatus, 'running'>; readonly stoppedAt: UnixNanos; readonly summary?: unknown },
): Promise<boolean> {
  const result = await db.query(
    'UPDATE trading_runs SET status = $2, stopped_at = $3, summary = $4 WHERE run_id = $1',
    [runId, end.status, nanosToTimestampText(end.stoppedAt), end.summary === undefined ? null : JSON.stringify(end.summary)],
  );
  return (result.rowCount ?? 0) > 0;
}

interface RunRow {
  run_id: string;
  strategy_id: string;
  mode: string;
  instance: string;
  accounts: unknown;
  started_us: string;
  stopped_us: string | null;
  status: string;
  config: unknown;
  code_version: string;
  summary: unknown;
}

/** Runs, newest first, of one strategy when given. */
export async function readTradingRuns(
  db: Queryable,
  query: { readonly strategyId?: string; readonly limit?: number } = {},
): Promise<TradingRun[]> {
  const filter = query.strategyId === undefined ? '' : 'WHERE strategy_id = $1';
  const result = await db.query<RunRow>(
    `SELECT run_id, strategy_id, mode, instance, accounts, status, config, code_version, summary,
            (extract(epoch FROM started_at) * 1000000)::int8::text AS started_us,
            (extract(epoch FROM stopped_at) * 1000000)::int8::text AS stopped_us
       FROM trading_runs ${filter} ORDER BY started_at DESC${limitClause(query.limit)}`,
    query.strategyId === undefined ? [] : [query.strategyId],
  );
  return result.rows.map((row) => ({
    runId: row.run_id,
    strategyId: row.strategy_id,
    mode: enumOf(TRADING_MODES, row.mode, 'mode'),
    instance: row.instance,
    accounts: stringsOf(row.accounts),
    startedAt: bigintOf(row.started_us, 'started_at') * 1000n,
    config: row.config,
    codeVersion: row.code_version,
    status: enumOf(RUN_STATUSES, row.status, 'status'),
    ...(row.stopped_us !== null && { stoppedAt: bigintOf(row.stopped_us, 'stopped_at') * 1000n }),
    ...(row.summary !== null && { summary: row.summary }),
  }));
}

function stringsOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new RowDecodeError(`accounts: expected a JSON array of strings, was ${JSON.stringify(value)}`);
  }
  return value as string[];
}
