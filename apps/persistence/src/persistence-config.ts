import type { TimeSeriesTableName } from '@ttquant/storage';
import type convict from 'convict';

/** Days to keep per time-series table; 0 keeps everything. */
export interface RetentionConfig {
  quoteTicks: number;
  tradeTicks: number;
  bookSnapshots: number;
  bars: number;
  fundingRates: number;
  positions: number;
  accountSnapshots: number;
}

/** Which families of bus messages are stored; each switch subscribes to one topic prefix. */
export interface StoreConfig {
  /** `md.tick.`: quotes and trades. */
  ticks: boolean;
  /** `md.book.`: book snapshots (deltas are never stored). */
  books: boolean;
  /** `md.bar.`: bars. */
  bars: boolean;
  /** `md.funding.`: funding rates. */
  funding: boolean;
  /** `md.instrument.`: the instrument cache (and the currency stored with each fill). */
  instruments: boolean;
  /** `ex.`: order events (and current orders), fills, positions, account states. */
  execution: boolean;
  /** `sys.alert`. */
  alerts: boolean;
  /** `sys.venue.`: venue connection status. */
  venueStatus: boolean;
}

/** The persistence service's own settings, under `persistence`. */
export interface PersistenceConfig {
  /** PostgreSQL URL; only from the environment (`DATABASE_URL`). Empty: the embedded server. */
  databaseUrl: string;
  /** Data directory of the embedded server, used only without a database URL. */
  embeddedDataDir: string;
  /** Port of the embedded server; 0 picks a free one. */
  embeddedPort: number;
  /** TimescaleDB: `auto` when available, `on` required, `off` never. */
  timescale: 'auto' | 'on' | 'off';
  retentionDays: RetentionConfig;
  /** Rows per COPY batch. */
  batchRows: number;
  /** Longest a row waits in a batch before it is written anyway. */
  flushInterval: number;
  /** How often the current-orders table is brought up to date from the stored order events. */
  orderUpsertInterval: number;
  /** How often daily partitions are created ahead and expired ones dropped (plain PostgreSQL). */
  partitionMaintenanceInterval: number;
  /** JSON-lines file for rows that neither the table nor `ttq_parked_rows` took; empty for none. */
  parkFile: string;
  /** On shutdown, keep reading until the bus has been quiet this long… */
  drainQuiet: number;
  /** …but no longer than this. */
  drainMax: number;
  store: StoreConfig;
  /** Where missed messages are fetched again (journal replay); empty: not recovered. */
  replay: ReplayConfig;
  /** Shards the topic space is split into between workers; the same on every worker. */
  shards: number;
  /** How often a worker checks who is alive and claims or releases shards. */
  rebalanceInterval: number;
  /** How often the stored progress of each stream is recorded. */
  checkpointInterval: number;
}

/** Replay endpoints of the publishers persistence recovers from. */
export interface ReplayConfig {
  /** The market-data service's replay endpoint. */
  marketData: string;
  /** The gateway's control endpoint (it answers `replay`). */
  gateway: string;
  /** How long one replay request may take. */
  timeout: number;
  /** How often ledger holes are looked for; one still open a whole sweep later is asked for again. */
  holeSweep: number;
}

const retentionEntry = (what: string) => ({
  doc: `Days of ${what} to keep; 0 keeps everything.`,
  format: 'nat',
  default: 0,
});

const storeEntry = (what: string, stored = true) => ({
  doc: `Store ${what}.`,
  format: 'boolean',
  default: stored,
});

/**
 * The `persistence` section. The database URL is a secret: read only from
 * `DATABASE_URL` (a file or flag carrying it is refused), masked in logs.
 */
export const persistenceSchema: convict.Schema<PersistenceConfig> = {
  databaseUrl: {
    doc: 'PostgreSQL URL, e.g. postgres://user:password@host:5432/ttquant; empty starts the embedded server.',
    format: 'secret',
    sensitive: true,
    env: 'DATABASE_URL',
    default: '',
  },
  embeddedDataDir: {
    doc: 'Data directory of the embedded PostgreSQL (used only without DATABASE_URL).',
    format: 'nonempty-string',
    default: '.data/postgres',
  },
  embeddedPort: { doc: 'Port of the embedded PostgreSQL; 0 picks a free one.', format: 'port', default: 0 },
  timescale: {
    doc: 'TimescaleDB: auto (when installed and preloaded), on (required) or off (plain PostgreSQL partitions).',
    format: ['auto', 'on', 'off'],
    default: 'auto',
  },
  retentionDays: {
    quoteTicks: retentionEntry('quotes'),
    tradeTicks: retentionEntry('trades'),
    bookSnapshots: retentionEntry('book snapshots'),
    bars: retentionEntry('bars'),
    fundingRates: retentionEntry('funding rates'),
    positions: retentionEntry('position snapshots'),
    accountSnapshots: retentionEntry('account snapshots'),
  },
  batchRows: { doc: 'Rows per COPY batch (at least 1).', format: 'nat', default: 5_000 },
  flushInterval: { doc: 'Longest a row waits in a batch before it is written.', format: 'duration', default: 500 },
  orderUpsertInterval: {
    doc: 'How often the current-orders table catches up with the stored order events.',
    format: 'duration',
    default: 250,
  },
  partitionMaintenanceInterval: {
    doc: 'How often daily partitions are created ahead and expired ones dropped.',
    format: 'duration',
    default: 3_600_000,
  },
  parkFile: {
    doc: 'JSON-lines file for rows the database refused even in ttq_parked_rows; empty for none.',
    format: 'string',
    default: '.data/persistence/parked-rows.jsonl',
  },
  drainQuiet: {
    doc: 'On shutdown, keep storing what arrives until the bus has been quiet this long.',
    format: 'duration',
    default: 200,
  },
  drainMax: { doc: 'Longest the shutdown drain of the bus may take.', format: 'duration', default: 2_000 },
  shards: {
    doc: 'Shards of the topic space shared out between persistence workers (1-4096); every worker must use the same number.',
    format: 'nat',
    default: 16,
  },
  rebalanceInterval: {
    doc: "How often a worker checks the live workers and claims or releases shards; a dead worker's shards move within about this long.",
    format: 'duration',
    default: 1_000,
  },
  checkpointInterval: {
    doc: 'How often the stored progress of each stream is recorded (where a worker taking over starts replaying); at least flushInterval, since recording it flushes the writers.',
    format: 'duration',
    default: 1_000,
  },
  store: {
    ticks: storeEntry('quotes and trades (md.tick.*)'),
    books: storeEntry('book snapshots (md.book.*)', false),
    bars: storeEntry('bars (md.bar.*)'),
    funding: storeEntry('funding rates (md.funding.*)'),
    instruments: storeEntry('instrument definitions (md.instrument.*)'),
    execution: storeEntry('order events, fills, positions and account states (ex.*)'),
    alerts: storeEntry('alerts (sys.alert)'),
    venueStatus: storeEntry('venue connection status (sys.venue.*)'),
  },
  replay: {
    marketData: {
      doc: "Market-data's replay endpoint, asked for missed ticks; empty: ticks missed are not recovered.",
      format: optionalEndpoint,
      default: 'tcp://127.0.0.1:5557',
    },
    gateway: {
      doc: "The gateway's control endpoint, asked for missed order events and fills; empty: not recovered.",
      format: optionalEndpoint,
      default: 'tcp://127.0.0.1:5561',
    },
    timeout: { doc: 'How long one replay request may take.', format: 'duration', default: 5_000 },
    holeSweep: {
      doc: 'How often missing sequences are looked for; a hole still open a whole sweep later is asked for again (its first requests may have failed for good).',
      format: 'duration',
      default: 10_000,
    },
  },
};

/** A ZeroMQ endpoint, or empty for "none". */
function optionalEndpoint(value: unknown): void {
  if (value === '') return;
  if (typeof value !== 'string' || !/^(tcp|ipc|inproc):\/\/\S+$/.test(value)) {
    throw new Error(`expected a ZeroMQ endpoint such as "tcp://host:port" or empty, was ${JSON.stringify(value)}`);
  }
}

/** Default shutdown budget of persistence in ms: the launcher stops it last and waits for it. */
export const PERSISTENCE_SHUTDOWN_TIMEOUT_MS = 8_000;

/** Retention by table name, as `migrate` and `maintainPartitions` take it; 0 (keep) is left out. */
export function retentionByTable(retention: RetentionConfig): Partial<Record<TimeSeriesTableName, number>> {
  const byTable: Partial<Record<TimeSeriesTableName, number>> = {};
  const set = (table: TimeSeriesTableName, days: number) => {
    if (days > 0) byTable[table] = days;
  };
  set('quote_ticks', retention.quoteTicks);
  set('trade_ticks', retention.tradeTicks);
  set('book_snapshots', retention.bookSnapshots);
  set('bars', retention.bars);
  set('funding_rates', retention.fundingRates);
  set('positions', retention.positions);
  set('account_snapshots', retention.accountSnapshots);
  return byTable;
}
