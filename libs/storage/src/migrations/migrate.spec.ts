import { MigrationError } from '../errors';
import { SCHEMA, TIME_SERIES_TABLES } from '../schema/tables';
import { createTestSchema, type TestSchema } from '../testing/test-schema';
import { migrate, migrationChecksum } from './migrate';
import { MIGRATIONS, type Migration } from './migration-list';
import { listPartitions } from './partitions';

const NOW = new Date('2024-03-01T12:00:00Z');
const ALL = MIGRATIONS.map((m) => m.version);
const LATEST = MIGRATIONS.length;

describe('migrate', () => {
  let schema: TestSchema;

  beforeEach(async () => {
    schema = await createTestSchema();
  });

  afterEach(async () => {
    await schema.drop();
  });

  async function tablesIn(): Promise<string[]> {
    const result = await schema.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [schema.name],
    );
    return result.rows.map((r) => r.table_name);
  }

  it('creates every table once and does nothing on the second run', async () => {
    const first = await migrate(schema.pool, { now: NOW, partitionDaysAhead: 2 });
    expect(first).toMatchObject({ path: 'native', applied: ALL, version: LATEST });
    expect(first.partitionsCreated).toHaveLength(TIME_SERIES_TABLES.length * 3);
    const tables = await tablesIn();
    for (const table of SCHEMA.tables) expect(tables).toContain(table.name);

    const second = await migrate(schema.pool, { now: NOW, partitionDaysAhead: 2 });
    expect(second).toEqual({ path: 'native', applied: [], version: LATEST, partitionsCreated: [], partitionsDropped: [] });
    expect(await tablesIn()).toEqual(tables);
    const recorded = await schema.pool.query('SELECT version, name, storage_path FROM ttq_schema_migrations ORDER BY version');
    expect(recorded.rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, storage_path: 'native' })));
  });

  it('partitions time-series tables by day with a DEFAULT partition, and leaves ledgers unpartitioned', async () => {
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 1 });
    const quotes = await listPartitions(schema.pool, 'quote_ticks');
    expect(quotes.hasDefault).toBe(true);
    expect(quotes.partitions.map((p) => [p.name, p.from.toISOString(), p.to.toISOString()])).toEqual([
      ['quote_ticks_p20240301', '2024-03-01T00:00:00.000Z', '2024-03-02T00:00:00.000Z'],
      ['quote_ticks_p20240302', '2024-03-02T00:00:00.000Z', '2024-03-03T00:00:00.000Z'],
    ]);
    const kinds = await schema.pool.query<{ relname: string; relkind: string }>(
      `SELECT relname, relkind FROM pg_class WHERE relnamespace = $1::regnamespace
        AND relname IN ('orders', 'order_events', 'fills', 'trade_ticks', 'positions')`,
      [schema.name],
    );
    const kindOf = Object.fromEntries(kinds.rows.map((r) => [r.relname, r.relkind]));
    expect(kindOf).toEqual({ orders: 'r', order_events: 'r', fills: 'r', trade_ticks: 'p', positions: 'p' });
  });

  it('lets concurrent starters race: one applies, the other waits and finds nothing to do', async () => {
    const other = schema.newPool();
    const reports = await Promise.all([
      migrate(schema.pool, { now: NOW, partitionDaysAhead: 0 }),
      migrate(other, { now: NOW, partitionDaysAhead: 0 }),
    ]);
    expect(reports.map((r) => r.applied).sort()).toEqual([[], ALL]);
    const count = await schema.pool.query('SELECT count(*)::int AS n FROM ttq_schema_migrations');
    expect(count.rows[0].n).toBe(LATEST);
  });

  it('applies later versions on top of earlier ones', async () => {
    const extra: Migration = {
      version: LATEST + 1,
      name: 'venue notes',
      statements: () => ['CREATE TABLE venue_notes (venue text PRIMARY KEY, note text NOT NULL)'],
    };
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0 });
    const report = await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0, migrations: [...MIGRATIONS, extra] });
    expect(report).toMatchObject({ applied: [LATEST + 1], version: LATEST + 1 });
    expect(await tablesIn()).toContain('venue_notes');
  });

  it('never changes a released migration: their checksums are pinned', () => {
    // A failure here means a released migration's DDL changed (e.g. a schema entry lost its `since`):
    // databases migrated with it would refuse to start. Add a migration instead.
    const pinned: Record<number, [native: string, timescale: string]> = {
      1: [
        'd5ec2346db5fbaae32be51366285f69995ccedd76ce738b30c2ec91ee82d55ac',
        // TimescaleDB path re-pinned when create_hypertable moved to the by_range API, before any TimescaleDB release.
        '806dfedb4765e3467e80d7f1fad924863cfc6e5fbfc3119ecb69184127c952d5',
      ],
      2: [
        '76c343a34bd0bc475fbedc2ae2ef773f3bfa25061837de228a9ada11bca10b8d',
        '76c343a34bd0bc475fbedc2ae2ef773f3bfa25061837de228a9ada11bca10b8d',
      ],
      3: [
        'c85bc123bd042bdd2684981006c50cb5cb95ef063a54476d04556a7ddd05efe4',
        'c85bc123bd042bdd2684981006c50cb5cb95ef063a54476d04556a7ddd05efe4',
      ],
    };
    for (const migration of MIGRATIONS) {
      const expected = pinned[migration.version];
      if (expected === undefined) continue;
      expect([migrationChecksum(migration, 'native'), migrationChecksum(migration, 'timescale')]).toEqual(expected);
    }
  });

  it('upgrades a version 1 database: fills gain their instrument currency, multiplier and position index', async () => {
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0, migrations: MIGRATIONS.slice(0, 1) });
    await schema.pool.query(
      `INSERT INTO fills (venue, exec_id, ts, ts_ns, account, client_order_id, venue_order_id, symbol, side, quantity,
         price, commission, commission_currency, liquidity, strategy_id)
       VALUES ('SIM', 'e1', now(), 1, 'A', 'c', 'v', 'X', 'BUY', 1, 1, 0, 'USD', 'TAKER', 's')`,
    );
    const report = await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0 });
    expect(report.applied).toEqual(ALL.slice(1));
    const fill = await schema.pool.query('SELECT exec_id, currency, multiplier FROM fills');
    expect(fill.rows).toEqual([{ exec_id: 'e1', currency: null, multiplier: null }]);
    const index = await schema.pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'fills_position_idx'`, [
      schema.name,
    ]);
    expect(index.rows[0]?.indexdef).toContain('(account, venue, symbol, ts_ns, exec_id)');
  });

  it('upgrades a version 2 database: parked bus messages are keyed by their stream position, once per table', async () => {
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0, migrations: MIGRATIONS.slice(0, 2) });
    // As persistence parks a whole bus message: its stream position first (a topic with a quote and a backslash, escaped).
    const position = { topic: 'md.tick.SIM.A"C\\ME', sourceService: 'market-data', sourceInstance: 'md-1', epoch: '42', sequence: 7 };
    const message = JSON.stringify({ ...position, eventTimeNs: '1', payloadBase64: 'AA==' });
    const other = JSON.stringify({ ...position, sequence: 8, eventTimeNs: '1', payloadBase64: 'AA==' });
    const parked: [table: string, rowJson: string][] = [
      ['bus_messages', message],
      ['bus_messages', message], // parked twice (two copies raced the old check)
      ['bus_messages', other],
      ['alerts', message], // another table: keyed apart
      ['alerts', JSON.stringify({ ts: '1', topic: 'sys.alert' })], // an ordinary row: no key
    ];
    for (const [table, rowJson] of parked) {
      await schema.pool.query(
        `INSERT INTO ttq_parked_rows (table_name, reason, sqlstate, attempts, row_json) VALUES ($1, 'refused', NULL, 1, $2)`,
        [table, rowJson],
      );
    }
    const report = await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0 });
    expect(report.applied).toEqual(ALL.slice(2));
    const keys = await schema.pool.query<{ park_key: string | null }>('SELECT park_key FROM ttq_parked_rows ORDER BY id');
    const key = JSON.stringify(position);
    expect(keys.rows.map((row) => row.park_key)).toEqual([key, null, JSON.stringify({ ...position, sequence: 8 }), key, null]);
    await expect(
      schema.pool.query(`INSERT INTO ttq_parked_rows (table_name, reason, attempts, row_json, park_key) VALUES ('bus_messages', 'r', 0, '{}', $1)`, [key]),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('refuses an applied migration whose DDL changed', async () => {
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0 });
    const edited: Migration = { ...(MIGRATIONS[0] as Migration), statements: () => ['SELECT 1'] };
    await expect(migrate(schema.pool, { migrations: [edited] })).rejects.toThrow(
      /expected migration 1 \(initial schema\) to have checksum [0-9a-f]{64}, found [0-9a-f]{64}/,
    );
  });

  it('refuses a database newer than the code', async () => {
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0 });
    await schema.pool.query(
      `INSERT INTO ttq_schema_migrations (version, name, storage_path, checksum) VALUES ($1, 'from the future', 'native', 'x')`,
      [LATEST + 1],
    );
    await expect(migrate(schema.pool, {})).rejects.toThrow(
      new RegExp(`expected schema version <= ${LATEST} .* found version ${LATEST + 1}`),
    );
  });

  it('rolls a failing migration back completely', async () => {
    const broken: Migration = {
      version: LATEST + 1,
      name: 'broken',
      statements: () => ['CREATE TABLE half_done (id int)', 'SELECT * FROM no_such_table'],
    };
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0 });
    const attempt = migrate(schema.pool, { migrations: [...MIGRATIONS, broken] });
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`migration ${LATEST + 1} \\(broken\\) failed and was rolled back: relation "no_such_table"`),
    );
    expect(await tablesIn()).not.toContain('half_done');
  });

  it('fails with timescale: on where TimescaleDB is not installed', async () => {
    await expect(migrate(schema.pool, { timescale: 'on' })).rejects.toThrow(
      'expected TimescaleDB (timescale: on), found it not installed on the server',
    );
    // Nothing but the bookkeeping table was created.
    expect(await tablesIn()).toEqual(['ttq_schema_migrations']);
  });

  it('keeps a native database native, and refuses to call it TimescaleDB later', async () => {
    await migrate(schema.pool, { timescale: 'off', now: NOW, partitionDaysAhead: 0 });
    await expect(migrate(schema.pool, { timescale: 'on' })).rejects.toThrow(/found one created for plain PostgreSQL/);
  });

  it('drops expired partitions at start-up when retention is configured', async () => {
    await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0, partitionsFrom: new Date('2024-02-27T00:00:00Z') });
    const report = await migrate(schema.pool, { now: NOW, partitionDaysAhead: 0, retentionDays: { trade_ticks: 2 } });
    // Cut-off 2024-02-28T12:00: the days ending before it go, 02-28 itself still overlaps the window.
    expect(report.partitionsDropped).toEqual(['trade_ticks_p20240227']);
  });
});
