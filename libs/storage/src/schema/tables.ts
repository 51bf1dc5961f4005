import type { ColumnDef, ColumnType, KeyDef, RollupDef, SchemaDef, TableDef } from './schema-types';

/*
 * The TTQuant schema. Both DDL paths (native partitions and TimescaleDB) are
 * generated from this description, and the batch writers take their COPY
 * column lists from it: a table's column order here is the order of the values
 * in its rows (see `writers/row-mappers.ts`).
 *
 * Conventions:
 * - decimals are `numeric` (exact; scale kept as written);
 * - times are `timestamptz` (microseconds) plus an `*_ns` int8 with the exact
 *   nanoseconds where order within a microsecond matters;
 * - ids are text; raw venue payloads and free-form maps are jsonb;
 * - rows that came off the bus carry their stream position (source instance,
 *   epoch, topic, sequence), the de-duplication key of market data and snapshots.
 */

/** Keeps the table's name as a literal type, so writers and readers can be typed by table. */
function defineTable<const N extends string>(def: TableDef & { readonly name: N }): TableDef & { readonly name: N } {
  return def;
}

function col(name: string, type: ColumnType, doc: string, extra: Partial<ColumnDef> = {}): ColumnDef {
  return { name, type, doc, ...extra };
}

function nullable(name: string, type: ColumnType, doc: string): ColumnDef {
  return { name, type, doc, nullable: true };
}

/** The four columns that place a message in its bus stream. */
function streamColumns(optional: boolean): ColumnDef[] {
  const extra = optional ? { nullable: true } : {};
  return [
    col('source_instance', 'text', 'Publisher instance id from the envelope header.', extra),
    col('epoch', 'int8', 'Publisher epoch (its start time in ns): changes on every restart.', extra),
    col('topic', 'text', 'Bus topic the message was published on.', extra),
    col('seq', 'int8', 'Sequence number within (epoch, topic), from 1.', extra),
  ];
}

const STREAM_KEY = ['source_instance', 'epoch', 'topic', 'seq'] as const;

function eventTimeColumns(what: string): ColumnDef[] {
  return [
    col('ts', 'timestamptz', `${what} (event time: venue time when known, else receipt), rounded down to the microsecond.`),
    col('ts_ns', 'int8', 'Exact event time in Unix nanoseconds.'),
  ];
}

function marketDataHead(what: string): ColumnDef[] {
  return [
    ...eventTimeColumns(what),
    col('init_ns', 'int8', 'When TTQuant created the item, Unix nanoseconds.'),
    col('venue', 'text', 'Venue code.'),
    col('symbol', 'text', 'Venue-neutral symbol.'),
    col('quality', 'text', 'REALTIME, DELAYED, FROZEN, DELAYED_FROZEN or SIMULATED.'),
  ];
}

function streamUnique(table: string, ...extra: string[]): KeyDef {
  return { name: `${table}_stream_key`, columns: [...STREAM_KEY, ...extra] };
}

function instrumentTimeIndex(table: string): KeyDef {
  return { name: `${table}_instrument_ts_idx`, columns: ['venue', 'symbol', 'ts'] };
}

const orderSpecColumns: ColumnDef[] = [
  col('venue', 'text', 'Venue code of the instrument.'),
  col('symbol', 'text', 'Venue-neutral symbol.'),
  col('side', 'text', 'BUY or SELL.'),
  col('order_type', 'text', 'MARKET, LIMIT, STOP or STOP_LIMIT.'),
  col('quantity', 'numeric', 'Ordered quantity.'),
  nullable('limit_price', 'numeric', 'Limit price (LIMIT, STOP_LIMIT).'),
  nullable('stop_price', 'numeric', 'Stop trigger price (STOP, STOP_LIMIT).'),
  col('time_in_force', 'text', 'DAY, GTC, IOC, FOK or GTD.'),
  nullable('expire_ns', 'int8', 'GTD expiry, Unix nanoseconds.'),
  col('reduce_only', 'bool', 'May only reduce a position.'),
  col('post_only', 'bool', 'Must add liquidity.'),
  col('outside_rth', 'bool', 'May trade outside regular trading hours.'),
  nullable('parent_client_order_id', 'text', 'Bracket parent.'),
  nullable('oco_group', 'text', 'One-cancels-other group.'),
  col('strategy_id', 'text', 'Strategy that sent the order.'),
  col('tags', 'jsonb', 'Free-form string tags of the order.'),
];

const orderStateColumns: ColumnDef[] = [
  col('status', 'text', 'Order status after the transition.'),
  col('reason', 'text', 'Why the order is in this state; empty when there is nothing to say.'),
  col('filled_quantity', 'numeric', 'Cumulative filled quantity.'),
  nullable('avg_fill_price', 'numeric', 'Average price of all fills so far.'),
  nullable('venue_order_id', 'text', "The venue's order id once it has one."),
  col('created_ns', 'int8', 'When the order was created, Unix nanoseconds.'),
];

const instruments = defineTable({
  name: 'instruments',
  kind: 'table',
  doc: 'The instrument (contract) cache: one row per venue and symbol, updated whenever the venue describes it again.',
  columns: [
    col('venue', 'text', 'Venue code.'),
    col('symbol', 'text', 'Venue-neutral symbol.'),
    col('venue_instrument_id', 'text', "The venue's own id (IB conId, exchange market id); empty when none."),
    col('asset_class', 'text', 'EQUITY, ETF, FUTURE, FOREX, CRYPTO_SPOT, CRYPTO_PERPETUAL, INDEX or OPTION.'),
    col('exchange', 'text', 'Listing or routing exchange.'),
    col('currency', 'text', 'Quote currency: prices and PnL are in it.'),
    col('base_currency', 'text', 'Base currency of pairs; empty otherwise.'),
    col('multiplier', 'numeric', 'Contract multiplier.'),
    col('tick_size', 'numeric', 'Smallest price increment.'),
    col('lot_size', 'numeric', 'Smallest quantity increment.'),
    col('min_quantity', 'numeric', 'Smallest order quantity.'),
    col('description', 'text', 'Human-readable description.'),
    nullable('raw', 'jsonb', "The venue's definition as received, for audit."),
    col('first_seen', 'timestamptz', 'When the venue first described the instrument.'),
    col('last_seen', 'timestamptz', 'When the venue last described the instrument.'),
  ],
  primaryKey: ['venue', 'symbol'],
  indexes: [{ name: 'instruments_venue_id_idx', columns: ['venue', 'venue_instrument_id'] }],
});

const quoteTicks = defineTable({
  name: 'quote_ticks',
  kind: 'time-series',
  doc: 'Best bid and offer updates, one row per published quote.',
  columns: [
    ...marketDataHead('Quote time'),
    col('bid_price', 'numeric', 'Best bid price.'),
    col('bid_size', 'numeric', 'Size at the best bid.'),
    col('ask_price', 'numeric', 'Best ask price.'),
    col('ask_size', 'numeric', 'Size at the best ask.'),
    ...streamColumns(false),
  ],
  uniqueKeys: [streamUnique('quote_ticks', 'ts')],
  indexes: [instrumentTimeIndex('quote_ticks')],
  timeSeries: { timeColumn: 'ts', segmentBy: ['venue', 'symbol'] },
});

const tradeTicks = defineTable({
  name: 'trade_ticks',
  kind: 'time-series',
  doc: 'Trades printed on the venue, one row per published trade.',
  columns: [
    ...marketDataHead('Trade time'),
    col('price', 'numeric', 'Trade price.'),
    col('size', 'numeric', 'Trade size.'),
    col('aggressor', 'text', 'BUYER, SELLER or NONE.'),
    col('trade_id', 'text', "The venue's trade id; empty when it gives none."),
    ...streamColumns(false),
  ],
  uniqueKeys: [streamUnique('trade_ticks', 'ts')],
  indexes: [instrumentTimeIndex('trade_ticks')],
  timeSeries: { timeColumn: 'ts', segmentBy: ['venue', 'symbol'] },
});

const bookSnapshots = defineTable({
  name: 'book_snapshots',
  kind: 'time-series',
  doc: 'Full L2 order books as published (deltas are not stored: a snapshot stream rebuilds any book).',
  columns: [
    ...marketDataHead('Book time'),
    col('bids', 'jsonb', 'Bid levels best first, as [[price, size], …] decimal strings.'),
    col('asks', 'jsonb', 'Ask levels best first, as [[price, size], …] decimal strings.'),
    ...streamColumns(false),
  ],
  uniqueKeys: [streamUnique('book_snapshots', 'ts')],
  indexes: [instrumentTimeIndex('book_snapshots')],
  timeSeries: { timeColumn: 'ts', segmentBy: ['venue', 'symbol'] },
});

const bars = defineTable({
  name: 'bars',
  kind: 'time-series',
  // From the bus the first bar stored wins: a revision counts as a duplicate (no stream position
  // to order revisions by; docs/storage.md, Writing). Backfills replace. The doc below is in the
  // released migrations' DDL (COMMENT ON), whose checksum must not change: it stays as it is.
  doc: 'OHLCV bars by interval as received from venues or backfills; one row per instrument, interval and start.',
  columns: [
    col('ts', 'timestamptz', 'Bar start: the bar covers [ts, ts + interval_seconds).'),
    col('interval_seconds', 'int4', 'Bar length in seconds.'),
    col('venue', 'text', 'Venue code.'),
    col('symbol', 'text', 'Venue-neutral symbol.'),
    col('quality', 'text', 'REALTIME, DELAYED, FROZEN, DELAYED_FROZEN or SIMULATED.'),
    col('open', 'numeric', 'First trade price.'),
    col('high', 'numeric', 'Highest trade price.'),
    col('low', 'numeric', 'Lowest trade price.'),
    col('close', 'numeric', 'Last trade price.'),
    col('volume', 'numeric', 'Traded quantity.'),
    col('trade_count', 'int8', 'Number of trades; 0 when the venue does not say.'),
    col('start_ns', 'int8', 'Exact bar start, Unix nanoseconds.'),
    col('event_ns', 'int8', 'Event time of the bar message, Unix nanoseconds.'),
    col('init_ns', 'int8', 'When TTQuant created the bar, Unix nanoseconds.'),
  ],
  uniqueKeys: [{ name: 'bars_instrument_key', columns: ['venue', 'symbol', 'interval_seconds', 'ts'] }],
  timeSeries: { timeColumn: 'ts', segmentBy: ['venue', 'symbol'] },
});

const fundingRates = defineTable({
  name: 'funding_rates',
  kind: 'time-series',
  doc: 'Perpetual-swap funding rates as published.',
  columns: [
    ...marketDataHead('Rate time'),
    col('rate', 'numeric', 'Funding rate for the next funding time (0.0001 = 0.01%).'),
    col('next_funding_at', 'timestamptz', 'When the rate is applied.'),
    col('next_funding_ns', 'int8', 'When the rate is applied, Unix nanoseconds.'),
    ...streamColumns(false),
  ],
  uniqueKeys: [streamUnique('funding_rates', 'ts')],
  indexes: [instrumentTimeIndex('funding_rates')],
  timeSeries: { timeColumn: 'ts', segmentBy: ['venue', 'symbol'] },
});

const orders = defineTable({
  name: 'orders',
  kind: 'table',
  doc: 'Current state of every order: one row per (account, client_order_id), the one with the highest event_sequence.',
  columns: [
    col('account', 'text', 'Trading account.'),
    col('client_order_id', 'text', 'Client order id: the idempotency key end to end.'),
    ...orderSpecColumns,
    ...orderStateColumns,
    col('updated_at', 'timestamptz', 'Time of the latest transition.'),
    col('updated_ns', 'int8', 'Time of the latest transition, Unix nanoseconds.'),
    col('event_sequence', 'int8', 'event_sequence of the order event this row reflects.'),
  ],
  primaryKey: ['account', 'client_order_id'],
  indexes: [
    { name: 'orders_account_updated_idx', columns: ['account', 'updated_at'] },
    { name: 'orders_strategy_updated_idx', columns: ['strategy_id', 'updated_at'] },
    { name: 'orders_status_idx', columns: ['status'] },
  ],
});

const orderEvents = defineTable({
  name: 'order_events',
  kind: 'table',
  doc: 'Every order transition, each row self-contained (the full order as it stood).',
  columns: [
    col('account', 'text', 'Trading account.'),
    col('client_order_id', 'text', 'Client order id.'),
    col('event_sequence', 'int8', "1 for the order's first event, +1 per event."),
    ...eventTimeColumns('Transition time'),
    ...orderSpecColumns,
    ...orderStateColumns,
    ...streamColumns(true),
  ],
  uniqueKeys: [{ name: 'order_events_key', columns: ['account', 'client_order_id', 'event_sequence'] }],
  indexes: [
    { name: 'order_events_account_ts_idx', columns: ['account', 'ts'] },
    { name: 'order_events_strategy_ts_idx', columns: ['strategy_id', 'ts'] },
  ],
});

const fills = defineTable({
  name: 'fills',
  kind: 'table',
  doc: 'Executions reported by venues; unique per venue and exec id.',
  columns: [
    col('venue', 'text', 'Venue code.'),
    col('exec_id', 'text', "The venue's execution id."),
    ...eventTimeColumns('Execution time'),
    col('account', 'text', 'Trading account.'),
    col('client_order_id', 'text', 'Client order id of the order filled.'),
    col('venue_order_id', 'text', "The venue's order id."),
    col('symbol', 'text', 'Venue-neutral symbol.'),
    col('side', 'text', 'BUY or SELL.'),
    col('quantity', 'numeric', 'Filled quantity (positive).'),
    col('price', 'numeric', 'Fill price.'),
    col('commission', 'numeric', 'Commission, in commission_currency (never converted).'),
    col('commission_currency', 'text', 'Currency the commission was charged in.'),
    col('liquidity', 'text', 'MAKER, TAKER or NONE.'),
    col('strategy_id', 'text', 'Strategy that sent the order.'),
    ...streamColumns(true),
    col('currency', 'text', "The instrument's quote currency (PnL is in it); NULL when the writer did not know the instrument.", {
      nullable: true,
      since: 2,
    }),
    col('multiplier', 'numeric', "The instrument's contract multiplier; NULL when the writer did not know the instrument.", {
      nullable: true,
      since: 2,
    }),
  ],
  uniqueKeys: [{ name: 'fills_exec_key', columns: ['venue', 'exec_id'] }],
  indexes: [
    { name: 'fills_account_ts_idx', columns: ['account', 'ts'] },
    { name: 'fills_strategy_ts_idx', columns: ['strategy_id', 'ts'] },
    { name: 'fills_order_idx', columns: ['account', 'client_order_id'] },
    // Walks one position's fills in execution order (realised PnL recomputed in SQL).
    { name: 'fills_position_idx', columns: ['account', 'venue', 'symbol', 'ts_ns', 'exec_id'], since: 2 },
  ],
});

const positions = defineTable({
  name: 'positions',
  kind: 'time-series',
  doc: 'Position snapshots over time, as published by gateways.',
  columns: [
    ...eventTimeColumns('Snapshot time'),
    col('account', 'text', 'Trading account.'),
    col('venue', 'text', 'Venue code.'),
    col('symbol', 'text', 'Venue-neutral symbol.'),
    col('quantity', 'numeric', 'Signed quantity: negative is short.'),
    col('avg_price', 'numeric', 'Average entry price.'),
    col('realized_pnl', 'numeric', 'Realised PnL net of commissions, in currency.'),
    col('unrealized_pnl', 'numeric', 'Unrealised PnL, in currency.'),
    col('currency', 'text', "The instrument's quote currency."),
    ...streamColumns(false),
  ],
  uniqueKeys: [streamUnique('positions', 'ts')],
  indexes: [{ name: 'positions_account_instrument_ts_idx', columns: ['account', 'venue', 'symbol', 'ts'] }],
  timeSeries: { timeColumn: 'ts', segmentBy: ['account', 'venue', 'symbol'] },
});

const accountSnapshots = defineTable({
  name: 'account_snapshots',
  kind: 'time-series',
  doc: 'Account balances over time: one row per currency of each published account state.',
  columns: [
    ...eventTimeColumns('Snapshot time'),
    col('account', 'text', 'Trading account.'),
    col('venue', 'text', 'Venue code.'),
    col('currency', 'text', 'Balance currency.'),
    col('cash', 'numeric', 'Cash balance.'),
    col('equity', 'numeric', 'Equity (net liquidation value).'),
    col('margin_used', 'numeric', 'Margin in use.'),
    col('buying_power', 'numeric', 'Buying power.'),
    ...streamColumns(false),
  ],
  uniqueKeys: [streamUnique('account_snapshots', 'currency', 'ts')],
  indexes: [{ name: 'account_snapshots_account_ts_idx', columns: ['account', 'ts'] }],
  timeSeries: { timeColumn: 'ts', segmentBy: ['account', 'venue'] },
});

const venueStatus = defineTable({
  name: 'venue_status',
  kind: 'table',
  doc: 'History of venue connection states.',
  columns: [
    col('id', 'int8', 'Row id.', { identity: true }),
    ...eventTimeColumns('Change time'),
    col('venue', 'text', 'Venue code.'),
    col('channel', 'text', 'data or execution.'),
    col('account', 'text', 'Trading account; empty for data connections.'),
    col('state', 'text', 'CONNECTING, CONNECTED, DEGRADED, DISCONNECTED or RECONNECTING.'),
    col('detail', 'text', 'What happened, in words.'),
    ...streamColumns(true),
  ],
  primaryKey: ['id'],
  uniqueKeys: [streamUnique('venue_status')],
  indexes: [{ name: 'venue_status_venue_ts_idx', columns: ['venue', 'ts'] }],
});

const tradingRuns = defineTable({
  name: 'trading_runs',
  kind: 'table',
  doc: 'One row per run of a strategy (backtest, paper or live), with its config and code version.',
  columns: [
    col('run_id', 'text', 'Run id (unique; the run epoch part of client order ids).'),
    col('strategy_id', 'text', 'Strategy id.'),
    col('mode', 'text', 'backtest, paper or live.'),
    col('instance', 'text', 'Strategy-engine instance that ran it.'),
    col('accounts', 'jsonb', 'Accounts the run trades, as a JSON array.'),
    col('started_at', 'timestamptz', 'Run start.'),
    nullable('stopped_at', 'timestamptz', 'Run end; NULL while running.'),
    col('status', 'text', 'running, stopped or failed.'),
    col('config', 'jsonb', 'The strategy configuration the run used.'),
    col('code_version', 'text', 'Code version (git commit or package version).'),
    nullable('summary', 'jsonb', 'Results when the run ends (PnL, counts…).'),
  ],
  primaryKey: ['run_id'],
  indexes: [{ name: 'trading_runs_strategy_started_idx', columns: ['strategy_id', 'started_at'] }],
});

const alerts = defineTable({
  name: 'alerts',
  kind: 'table',
  doc: 'Alerts and audit log entries.',
  columns: [
    col('id', 'int8', 'Row id.', { identity: true }),
    ...eventTimeColumns('Alert time'),
    col('severity', 'text', 'INFO, WARNING or CRITICAL.'),
    col('source', 'text', 'What raised it (service, component).'),
    col('code', 'text', 'Machine-readable code, e.g. risk.denied.'),
    col('message', 'text', 'Human-readable message.'),
    col('context', 'jsonb', 'Key/value details.'),
    ...streamColumns(true),
  ],
  primaryKey: ['id'],
  uniqueKeys: [streamUnique('alerts')],
  indexes: [
    { name: 'alerts_ts_idx', columns: ['ts'] },
    { name: 'alerts_severity_ts_idx', columns: ['severity', 'ts'] },
  ],
});

const parkedRows = defineTable({
  name: 'ttq_parked_rows',
  kind: 'table',
  doc: 'Rows a batch writer could not store, with the reason: nothing is dropped silently.',
  columns: [
    col('id', 'int8', 'Row id.', { identity: true }),
    col('parked_at', 'timestamptz', 'When the row was parked.', { default: 'now()' }),
    col('table_name', 'text', 'Table the row was meant for.'),
    col('reason', 'text', 'Why it was refused (database message or encoding problem).'),
    nullable('sqlstate', 'text', 'SQLSTATE of the refusal, when the database refused.'),
    col('attempts', 'int4', 'How many times the row was tried.'),
    col('row_json', 'text', 'The row as a JSON object of column to value (decimals and int8 as strings).'),
    col(
      'park_key',
      'text',
      "What was parked, as a stable key unique per table_name (a bus message: its stream position as JSON), so it is parked once; NULL for rows parked without one.",
      { nullable: true, since: 3 },
    ),
  ],
  primaryKey: ['id'],
  indexes: [{ name: 'ttq_parked_rows_table_idx', columns: ['table_name', 'parked_at'] }],
});

/** Trade roll-ups TimescaleDB keeps as continuous aggregates (`trade_bars_1m` …). */
const rollups: RollupDef[] = [
  { name: 'trade_bars_1m', bucket: '1 minute', startOffset: '1 hour', endOffset: '1 minute', scheduleInterval: '1 minute' },
  { name: 'trade_bars_5m', bucket: '5 minutes', startOffset: '3 hours', endOffset: '5 minutes', scheduleInterval: '5 minutes' },
  { name: 'trade_bars_1h', bucket: '1 hour', startOffset: '2 days', endOffset: '1 hour', scheduleInterval: '1 hour' },
  { name: 'trade_bars_1d', bucket: '1 day', startOffset: '7 days', endOffset: '1 day', scheduleInterval: '1 day' },
];

/** The TTQuant schema: every table and roll-up, in creation order. */
export const SCHEMA = {
  tables: [
    instruments,
    quoteTicks,
    tradeTicks,
    bookSnapshots,
    bars,
    fundingRates,
    orders,
    orderEvents,
    fills,
    positions,
    accountSnapshots,
    venueStatus,
    tradingRuns,
    alerts,
    parkedRows,
  ],
  rollups,
} as const satisfies SchemaDef;

/** Name of any table of {@link SCHEMA}. */
export type TableName = (typeof SCHEMA.tables)[number]['name'];

/** The time-series tables: partitioned by day (native) or hypertables (TimescaleDB); retention applies to them. */
export const TIME_SERIES_TABLES = [
  'quote_ticks',
  'trade_ticks',
  'book_snapshots',
  'bars',
  'funding_rates',
  'positions',
  'account_snapshots',
] as const satisfies readonly TableName[];
/** Name of a time-series table. */
export type TimeSeriesTableName = (typeof TIME_SERIES_TABLES)[number];

/** Looks a table up by name. */
export function tableDef(name: TableName): TableDef {
  const table = SCHEMA.tables.find((t) => t.name === name);
  // TableName only admits names of SCHEMA.tables, so this cannot miss.
  if (!table) throw new Error(`unknown table ${name}`);
  return table;
}
