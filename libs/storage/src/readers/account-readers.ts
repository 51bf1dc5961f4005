import {
  ALERT_SEVERITIES,
  CONNECTION_STATES,
  type AccountState,
  type Alert,
  type AlertSeverity,
  type Balance,
  type InstrumentId,
  type PositionSnapshot,
  type UnixNanos,
  type VenueStatus,
} from '@ttquant/domain';
import { RowDecodeError } from '../errors';
import { nanosToTimestampText } from '../pg-time';
import type { Queryable } from '../queryable';
import { limitClause, rangeParams, type NanosRange } from './query-range';
import { bigintOf, decimalOf, enumOf, stringMapOf } from './row-parsing';

/** A stored value with the time it was published (envelope event time). */
export interface Timed<T> {
  readonly time: UnixNanos;
  readonly value: T;
}

/** Position snapshots of one account in `[from, to)`, optionally of one instrument. */
export interface PositionHistoryQuery extends NanosRange {
  readonly account: string;
  readonly instrument?: InstrumentId;
  readonly limit?: number;
}

interface PositionRow {
  ts_ns: string;
  account: string;
  venue: string;
  symbol: string;
  quantity: string;
  avg_price: string;
  realized_pnl: string;
  unrealized_pnl: string;
  currency: string;
}

const POSITION_COLUMNS = 'ts_ns, account, venue, symbol, quantity, avg_price, realized_pnl, unrealized_pnl, currency';

/** Position snapshots over time, oldest first. */
export async function readPositionHistory(db: Queryable, query: PositionHistoryQuery): Promise<Timed<PositionSnapshot>[]> {
  const params: unknown[] = [query.account, ...rangeParams(query)];
  let instrumentFilter = '';
  if (query.instrument) {
    params.push(query.instrument.venue, query.instrument.symbol);
    instrumentFilter = 'AND venue = $6 AND symbol = $7';
  }
  const result = await db.query<PositionRow>(
    `SELECT ${POSITION_COLUMNS} FROM positions
      WHERE account = $1 AND ts >= $2 AND ts < $3 AND ts_ns >= $4 AND ts_ns < $5 ${instrumentFilter}
      ORDER BY ts, ts_ns, venue, symbol${limitClause(query.limit)}`,
    params,
  );
  return result.rows.map((row) => ({ time: bigintOf(row.ts_ns, 'ts_ns'), value: positionOf(row) }));
}

/**
 * The newest snapshot of each instrument of an account, as of `at` (now when
 * omitted): the positions held at that time, flat ones included.
 */
export async function readLatestPositions(db: Queryable, account: string, at?: UnixNanos): Promise<Timed<PositionSnapshot>[]> {
  const params: unknown[] = [account];
  let bound = '';
  if (at !== undefined) {
    params.push(nanosToTimestampText(at, true), at.toString());
    bound = 'AND ts < $2 AND ts_ns < $3';
  }
  const result = await db.query<PositionRow>(
    `SELECT DISTINCT ON (venue, symbol) ${POSITION_COLUMNS} FROM positions
      WHERE account = $1 ${bound}
      ORDER BY venue, symbol, ts DESC, ts_ns DESC, epoch DESC, seq DESC`,
    params,
  );
  return result.rows.map((row) => ({ time: bigintOf(row.ts_ns, 'ts_ns'), value: positionOf(row) }));
}

function positionOf(row: PositionRow): PositionSnapshot {
  return {
    account: row.account,
    instrument: { venue: row.venue, symbol: row.symbol },
    quantity: decimalOf(row.quantity, 'quantity'),
    avgPrice: decimalOf(row.avg_price, 'avg_price'),
    realizedPnl: decimalOf(row.realized_pnl, 'realized_pnl'),
    unrealizedPnl: decimalOf(row.unrealized_pnl, 'unrealized_pnl'),
    currency: row.currency,
  };
}

/** Account states of one account in `[from, to)`. */
export interface AccountHistoryQuery extends NanosRange {
  readonly account: string;
}

interface AccountRow {
  ts_ns: string;
  account: string;
  venue: string;
  currency: string;
  cash: string;
  equity: string;
  margin_used: string;
  buying_power: string;
  source_instance: string;
  epoch: string;
  topic: string;
  seq: string;
}

/**
 * Account states over time, oldest first: the per-currency rows of each
 * published state put back together, balances ordered by currency.
 */
export async function readAccountHistory(db: Queryable, query: AccountHistoryQuery): Promise<Timed<AccountState>[]> {
  const result = await db.query<AccountRow>(
    `SELECT ts_ns, account, venue, currency, cash, equity, margin_used, buying_power, source_instance, epoch, topic, seq
       FROM account_snapshots
      WHERE account = $1 AND ts >= $2 AND ts < $3 AND ts_ns >= $4 AND ts_ns < $5
      ORDER BY ts, ts_ns, source_instance, epoch, topic, seq, currency`,
    [query.account, ...rangeParams(query)],
  );
  return statesOf(result.rows);
}

/** Rows ordered by stream position then currency, grouped back into whole states. */
function statesOf(rows: readonly AccountRow[]): Timed<AccountState>[] {
  const states: Timed<AccountState>[] = [];
  let key = '';
  let balances: Balance[] = [];
  for (const row of rows) {
    const rowKey = `${row.ts_ns}|${row.source_instance}|${row.epoch}|${row.topic}|${row.seq}`;
    if (rowKey !== key) {
      key = rowKey;
      balances = [];
      states.push({ time: bigintOf(row.ts_ns, 'ts_ns'), value: { account: row.account, venue: row.venue, balances } });
    }
    balances.push({
      currency: row.currency,
      cash: decimalOf(row.cash, 'cash'),
      equity: decimalOf(row.equity, 'equity'),
      marginUsed: decimalOf(row.margin_used, 'margin_used'),
      buyingPower: decimalOf(row.buying_power, 'buying_power'),
    });
  }
  return states;
}

/**
 * The newest published state of an account as of `at` (now when omitted):
 * all its currencies, as published together; `undefined` when none is stored.
 */
export async function readLatestAccountState(db: Queryable, account: string, at?: UnixNanos): Promise<Timed<AccountState> | undefined> {
  const params: unknown[] = [account];
  let bound = '';
  if (at !== undefined) {
    params.push(nanosToTimestampText(at, true), at.toString());
    bound = 'AND ts < $2 AND ts_ns < $3';
  }
  // One published state is all rows sharing its stream position; find the newest, then read its currencies.
  const result = await db.query<AccountRow>(
    `WITH newest AS (
       SELECT ts, ts_ns, source_instance, epoch, topic, seq FROM account_snapshots
        WHERE account = $1 ${bound}
        ORDER BY ts DESC, ts_ns DESC, epoch DESC, seq DESC LIMIT 1)
     SELECT a.ts_ns, a.account, a.venue, a.currency, a.cash, a.equity, a.margin_used, a.buying_power,
            a.source_instance, a.epoch, a.topic, a.seq
       FROM account_snapshots a JOIN newest n
         ON a.ts = n.ts AND a.ts_ns = n.ts_ns AND a.source_instance = n.source_instance
        AND a.epoch = n.epoch AND a.topic = n.topic AND a.seq = n.seq
      WHERE a.account = $1
      ORDER BY a.currency`,
    params,
  );
  return statesOf(result.rows)[0];
}

/**
 * Rows of a log table (one row per event, with an `id`) in `[from, to)`,
 * oldest first; `filter` is one more condition on parameter $5.
 */
async function readLogRows<R extends { ts_ns: string }>(
  db: Queryable,
  table: 'venue_status' | 'alerts',
  columns: string,
  query: NanosRange & { readonly limit?: number },
  filter: { readonly sql: string; readonly value: unknown } | undefined,
): Promise<R[]> {
  const params: unknown[] = [...rangeParams(query)];
  if (filter !== undefined) params.push(filter.value);
  const result = await db.query<R>(
    `SELECT ts_ns, ${columns} FROM ${table}
      WHERE ts >= $1 AND ts < $2 AND ts_ns >= $3 AND ts_ns < $4 ${filter === undefined ? '' : `AND ${filter.sql}`}
      ORDER BY ts, ts_ns, id${limitClause(query.limit)}`,
    params,
  );
  return result.rows;
}

/** Venue connection changes in `[from, to)`, optionally of one venue. */
export interface VenueStatusQuery extends NanosRange {
  readonly venue?: string;
  readonly limit?: number;
}

/** Venue connection history, oldest first. */
export async function readVenueStatusHistory(db: Queryable, query: VenueStatusQuery): Promise<Timed<VenueStatus>[]> {
  const rows = await readLogRows<{ ts_ns: string; venue: string; channel: string; account: string; state: string; detail: string }>(
    db,
    'venue_status',
    'venue, channel, account, state, detail',
    query,
    query.venue === undefined ? undefined : { sql: 'venue = $5', value: query.venue },
  );
  return rows.map((row) => ({
    time: bigintOf(row.ts_ns, 'ts_ns'),
    value: {
      venue: row.venue,
      channel: channelOf(row.channel),
      account: row.account,
      state: enumOf(CONNECTION_STATES, row.state, 'state'),
      detail: row.detail,
    },
  }));
}

function channelOf(text: string): VenueStatus['channel'] {
  if (text !== 'data' && text !== 'execution') {
    throw new RowDecodeError(`channel: expected data or execution, was ${JSON.stringify(text)}`);
  }
  return text;
}

/** Alerts in `[from, to)`, optionally of some severities. */
export interface AlertQuery extends NanosRange {
  readonly severities?: readonly AlertSeverity[];
  readonly limit?: number;
}

/** Alerts and audit entries, oldest first. */
export async function readAlerts(db: Queryable, query: AlertQuery): Promise<Timed<Alert>[]> {
  const rows = await readLogRows<{ ts_ns: string; severity: string; source: string; code: string; message: string; context: unknown }>(
    db,
    'alerts',
    'severity, source, code, message, context',
    query,
    query.severities === undefined ? undefined : { sql: 'severity = ANY($5::text[])', value: query.severities },
  );
  return rows.map((row) => ({
    time: bigintOf(row.ts_ns, 'ts_ns'),
    value: {
      severity: enumOf(ALERT_SEVERITIES, row.severity, 'severity'),
      source: row.source,
      code: row.code,
      message: row.message,
      context: stringMapOf(row.context, 'context'),
    },
  }));
}
