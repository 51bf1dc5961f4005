import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { MigrationError } from '../errors';
import { silentLogger, type StorageLogger } from '../logger';
import type { StoragePath } from '../schema/schema-ddl';
import { SCHEMA, type TimeSeriesTableName } from '../schema/tables';
import { timescalePolicyStatements } from '../schema/timescale-ddl';
import { validateSchema } from '../schema/validate-schema';
import { MIGRATIONS, type Migration } from './migration-list';
import { withMigrationLock } from './migration-lock';
import { applyRetentionOn, ensurePartitionsOn } from './partitions';
import { detectTimescale, type TimescaleSupport } from './timescale-detect';

/** Options of {@link migrate}; every one has a default. */
export interface MigrateOptions {
  /**
   * `auto` (default): TimescaleDB when the extension is available and
   * preloaded, plain PostgreSQL otherwise. `on`: require it. `off`: never use it.
   * A database keeps the path it was first migrated with.
   */
  readonly timescale?: 'auto' | 'on' | 'off';
  /** Days to keep per time-series table; tables not listed keep everything. */
  readonly retentionDays?: Readonly<Partial<Record<TimeSeriesTableName, number>>>;
  /** TimescaleDB: compress chunks older than this many days (default 7). */
  readonly compressAfterDays?: number;
  /** Native: days ahead to create daily partitions for (default 7). */
  readonly partitionDaysAhead?: number;
  /** Native: first day that must have a partition (default today). */
  readonly partitionsFrom?: Date;
  /** The current time, for partitions and retention (default the clock). */
  readonly now?: Date;
  readonly logger?: StorageLogger;
  /** The migrations to run; the built-in list when omitted (tests pass their own). */
  readonly migrations?: readonly Migration[];
}

/** What {@link migrate} did. */
export interface MigrationReport {
  readonly path: StoragePath;
  /** Versions applied by this call, oldest first; empty when the database was up to date. */
  readonly applied: readonly number[];
  /** Schema version after the call. */
  readonly version: number;
  /** Native: partitions created by this call. */
  readonly partitionsCreated: readonly string[];
  /** Native: partitions dropped by retention in this call. */
  readonly partitionsDropped: readonly string[];
}

interface AppliedRow {
  version: number;
  name: string;
  storage_path: string;
  checksum: string;
}

/**
 * Brings the database to the newest schema and applies the policies that
 * follow configuration. Safe to run at every start and from several processes
 * at once: everything happens under an advisory lock, each migration runs in
 * its own transaction and is recorded in `ttq_schema_migrations`, and a
 * migration already applied is verified (checksum) rather than re-run.
 *
 * After the versions: on plain PostgreSQL, daily partitions are created ahead
 * and retention drops old ones; on TimescaleDB, compression, retention and
 * roll-up refresh policies are (re)set.
 *
 * @throws MigrationError when TimescaleDB is required but missing, when the
 * database was created for the other path, when an applied migration's DDL
 * changed, or when the database is newer than this code.
 * @example
 * const report = await migrate(pool, { retentionDays: { quote_ticks: 30 } });
 * logger.info(report, 'schema ready');
 */
export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<MigrationReport> {
  const migrations = options.migrations ?? MIGRATIONS;
  validateSchema(SCHEMA);
  requireOrdered(migrations);
  const logger = options.logger ?? silentLogger;
  return withMigrationLock(pool, async (client) => {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ttq_schema_migrations (
         version int4 PRIMARY KEY,
         name text NOT NULL,
         storage_path text NOT NULL,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const appliedRows = (
      await client.query<AppliedRow>('SELECT version, name, storage_path, checksum FROM ttq_schema_migrations ORDER BY version')
    ).rows;
    const support = await detectTimescale(client);
    const path = choosePath(options.timescale ?? 'auto', support, appliedRows[0]?.storage_path, logger);
    verifyApplied(appliedRows, migrations, path);

    const done = new Set(appliedRows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await applyMigration(client, migration, path);
      applied.push(migration.version);
      logger.info({ version: migration.version, name: migration.name, path }, 'applied schema migration');
    }

    let partitionsCreated: string[] = [];
    let partitionsDropped: readonly string[] = [];
    if (path === 'native') {
      partitionsCreated = await ensurePartitionsOn(client, {
        daysAhead: options.partitionDaysAhead,
        from: options.partitionsFrom,
        now: options.now,
      });
      const retention = await applyRetentionOn(client, { retentionDays: options.retentionDays ?? {}, now: options.now });
      partitionsDropped = retention.dropped;
    } else {
      const policies = timescalePolicyStatements(SCHEMA, {
        compressAfterDays: options.compressAfterDays ?? 7,
        retentionDays: options.retentionDays ?? {},
      });
      for (const statement of policies) await client.query(statement);
    }
    const version = Math.max(0, ...appliedRows.map((r) => r.version), ...applied);
    return { path, applied, version, partitionsCreated, partitionsDropped };
  });
}

/** The DDL checksum recorded for a migration on a path. */
export function migrationChecksum(migration: Migration, path: StoragePath): string {
  return createHash('sha256').update(migration.statements(path).join(';\n')).digest('hex');
}

function choosePath(
  wanted: 'auto' | 'on' | 'off',
  support: TimescaleSupport,
  recorded: string | undefined,
  logger: StorageLogger,
): StoragePath {
  const usable = support.available && support.preloaded;
  if (recorded !== undefined) {
    if (recorded !== 'native' && recorded !== 'timescale') {
      throw new MigrationError(`expected storage path native or timescale in ttq_schema_migrations, was ${recorded}`);
    }
    if (wanted === 'on' && recorded === 'native') {
      throw new MigrationError(
        'expected a TimescaleDB schema (timescale: on), found one created for plain PostgreSQL; ' +
          'migrate the data to a new database or set timescale to auto',
      );
    }
    if (wanted === 'off' && recorded === 'timescale') {
      throw new MigrationError('expected a plain PostgreSQL schema (timescale: off), found one created for TimescaleDB');
    }
    if (recorded === 'timescale' && !usable) {
      throw new MigrationError(`expected TimescaleDB for this schema, found it ${describeSupport(support)}`);
    }
    if (recorded === 'native' && usable && wanted === 'auto') {
      logger.warn({}, 'TimescaleDB is available but this database was created without it: staying on native partitions');
    }
    return recorded;
  }
  if (wanted === 'on' && !usable) {
    throw new MigrationError(`expected TimescaleDB (timescale: on), found it ${describeSupport(support)}`);
  }
  return wanted !== 'off' && usable ? 'timescale' : 'native';
}

function describeSupport(support: TimescaleSupport): string {
  if (!support.available) return 'not installed on the server';
  return 'installed but not in shared_preload_libraries';
}

function verifyApplied(rows: readonly AppliedRow[], migrations: readonly Migration[], path: StoragePath): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  const newest = migrations.at(-1)?.version ?? 0;
  for (const row of rows) {
    const migration = known.get(row.version);
    if (!migration) {
      throw new MigrationError(
        `expected schema version <= ${newest} (what this code knows), found version ${row.version} (${row.name}) applied: ` +
          'run a newer TTQuant against this database',
      );
    }
    const checksum = migrationChecksum(migration, path);
    if (row.checksum !== checksum) {
      throw new MigrationError(
        `expected migration ${row.version} (${row.name}) to have checksum ${checksum}, found ${row.checksum} applied: ` +
          'a released migration was edited; add a new migration instead',
      );
    }
  }
}

async function applyMigration(client: PoolClient, migration: Migration, path: StoragePath): Promise<void> {
  const statements = migration.statements(path);
  await client.query('BEGIN');
  try {
    for (const statement of statements) await client.query(statement);
    await client.query(
      'INSERT INTO ttq_schema_migrations (version, name, storage_path, checksum) VALUES ($1, $2, $3, $4)',
      [migration.version, migration.name, path, migrationChecksum(migration, path)],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    const reason = err instanceof Error ? err.message : String(err);
    throw new MigrationError(`migration ${migration.version} (${migration.name}) failed and was rolled back: ${reason}`, {
      cause: err,
    });
  }
}

function requireOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new MigrationError(`expected migration versions 1, 2, 3… in order, found ${m.version} at position ${i + 1}`);
    }
  });
}
