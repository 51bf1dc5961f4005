import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../testing/test-schema';
import { sqlStateOf } from '../writers/pg-errors';
import { schemaStatements } from './schema-ddl';
import { SCHEMA, TIME_SERIES_TABLES } from './tables';
import { compressOrderBy, timescalePolicyStatements, timescaleSchemaStatements } from './timescale-ddl';

describe('timescaleSchemaStatements', () => {
  const statements = timescaleSchemaStatements(SCHEMA, 1);

  it('loads the extension first', () => {
    expect(statements[0]).toBe('CREATE EXTENSION IF NOT EXISTS timescaledb');
  });

  it('turns exactly the time-series tables into daily hypertables with compression by venue and symbol', () => {
    const hypertables = statements.filter((s) => s.startsWith('SELECT create_hypertable('));
    expect(hypertables).toHaveLength(TIME_SERIES_TABLES.length);
    expect(hypertables).toContain(
      "SELECT create_hypertable('trade_ticks', by_range('ts', INTERVAL '1 day'), if_not_exists => TRUE)",
    );
    for (const ledger of ['orders', 'order_events', 'fills', 'instruments']) {
      expect(hypertables.join('\n')).not.toContain(`'${ledger}'`);
    }
    expect(statements).toContain(
      "ALTER TABLE quote_ticks SET (timescaledb.compress, timescaledb.compress_segmentby = 'venue, symbol', " +
        "timescaledb.compress_orderby = 'ts DESC, source_instance, epoch, topic, seq')",
    );
    // Plain tables, not PARTITION BY: TimescaleDB chunks them itself.
    expect(statements.join('\n')).not.toContain('PARTITION');
  });

  it('orders compressed data by time, then by the unique key columns it must still enforce', () => {
    const bars = SCHEMA.tables.find((t) => t.name === 'bars');
    expect(bars && compressOrderBy(bars)).toEqual(['ts DESC', 'interval_seconds']);
  });

  it('defines continuous aggregates for 1m, 5m, 1h and 1d bars from trades', () => {
    const views = statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views.map((v) => v.split(' ')[6])).toEqual(['trade_bars_1m', 'trade_bars_5m', 'trade_bars_1h', 'trade_bars_1d']);
    expect(views[1]).toContain("time_bucket(INTERVAL '5 minutes', ts) AS bucket");
    expect(views[1]).toContain('first(price, ts_ns) AS open');
    expect(views[1]).toMatch(/WITH \(timescaledb\.continuous\)[\s\S]*FROM trade_ticks[\s\S]*WITH NO DATA$/);
  });

  it('is what schemaStatements gives for the timescale path', () => {
    expect(schemaStatements(SCHEMA, 'timescale', 1)).toEqual(statements);
  });
});

describe('timescalePolicyStatements', () => {
  it('sets compression everywhere, retention where configured, and refresh per roll-up', () => {
    const policies = timescalePolicyStatements(SCHEMA, { compressAfterDays: 3, retentionDays: { quote_ticks: 30 } });
    expect(policies).toContain("SELECT add_compression_policy('positions', INTERVAL '3 days', if_not_exists => TRUE)");
    expect(policies.filter((p) => p.startsWith('SELECT add_retention_policy'))).toEqual([
      "SELECT add_retention_policy('quote_ticks', INTERVAL '30 days', if_not_exists => TRUE)",
    ]);
    // Removing first makes a changed or dropped setting take effect.
    expect(policies.filter((p) => p.startsWith('SELECT remove_retention_policy'))).toHaveLength(TIME_SERIES_TABLES.length);
    expect(policies).toContain(
      "SELECT add_continuous_aggregate_policy('trade_bars_1h', start_offset => INTERVAL '2 days', " +
        "end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE)",
    );
  });
});

describe('TimescaleDB statements against the PostgreSQL parser', () => {
  /** What a server without TimescaleDB may say about a statement that is well formed. */
  const TIMESCALE_API = [
    'create_hypertable',
    'by_range',
    'add_compression_policy',
    'remove_compression_policy',
    'add_retention_policy',
    'remove_retention_policy',
    'add_continuous_aggregate_policy',
    'time_bucket',
  ];

  it('parses every statement; only TimescaleDB functions, options and the extension itself are missing', async () => {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const failures: { statement: string; code: string | undefined; message: string }[] = [];
    try {
      await client.query('BEGIN');
      await client.query('CREATE SCHEMA ttq_timescale_check');
      await client.query('SET LOCAL search_path = ttq_timescale_check');
      const all = [
        ...timescaleSchemaStatements(SCHEMA, 1),
        ...timescalePolicyStatements(SCHEMA, { compressAfterDays: 7, retentionDays: { quote_ticks: 30 } }),
      ];
      for (const statement of all) {
        await client.query('SAVEPOINT s');
        try {
          await client.query(statement);
          await client.query('RELEASE SAVEPOINT s');
        } catch (err) {
          failures.push({ statement, code: sqlStateOf(err), message: (err as Error).message });
          await client.query('ROLLBACK TO SAVEPOINT s');
        }
      }
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
    const unexpected = failures.filter(({ statement, code, message }) => {
      if (code === '42883') return !TIMESCALE_API.some((fn) => message.startsWith(`function ${fn}(`));
      if (code === '22023') return message !== 'unrecognized parameter namespace "timescaledb"';
      if (code === '0A000') return statement !== 'CREATE EXTENSION IF NOT EXISTS timescaledb';
      // Comments on the continuous aggregates, whose creation needed time_bucket.
      if (code === '42P01') return !/^COMMENT ON MATERIALIZED VIEW trade_bars_/.test(statement);
      return true;
    });
    expect(unexpected).toEqual([]);
    // Every table, index and comment of the tables themselves ran for real.
    expect(failures.filter((f) => f.statement.startsWith('CREATE TABLE') || f.statement.startsWith('CREATE INDEX'))).toEqual([]);
  });
});
