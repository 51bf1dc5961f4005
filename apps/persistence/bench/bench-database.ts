import { randomBytes } from 'node:crypto';
import { migrate, type MigrationReport } from '@ttquant/storage';
import { Client, Pool } from 'pg';

/** The server and database the bench writes to (the same as the storage specs). */
export const BENCH_DATABASE_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own in the bench database, migrated by the real migrations, dropped at the end. */
export interface BenchSchema {
  readonly name: string;
  /**
   * The database URL with the schema as search path, for a process (persistence)
   * that must write into it: `options=-c search_path=<schema>`.
   */
  readonly url: string;
  readonly migration: MigrationReport;
  /** A pool of at most `max` connections on the schema; closed by {@link BenchSchema.drop}. */
  pool(max: number): Pool;
  /** Closes every pool and drops the schema with everything in it. */
  drop(): Promise<void>;
}

/**
 * Creates `ttq_bench_<random>` and runs the real migrations into it, with
 * daily partitions from today on, so the bench writes into the same table
 * definition, constraints and indexes as production.
 */
export async function createBenchSchema(): Promise<BenchSchema> {
  const name = `ttq_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${name}`);
  const url = `${BENCH_DATABASE_URL}${BENCH_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${name}`)}`;
  const pools: Pool[] = [];
  const pool = (max: number): Pool => {
    const created = new Pool({ connectionString: url, max, application_name: 'storage-bench' });
    pools.push(created);
    return created;
  };
  const drop = async (): Promise<void> => {
    await Promise.all(pools.map((p) => p.end()));
    await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  };
  try {
    const migrator = pool(2);
    const migration = await migrate(migrator, { timescale: 'auto', partitionDaysAhead: 2 });
    return { name, url, migration, pool, drop };
  } catch (err) {
    await drop();
    throw err;
  }
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new Client({ connectionString: BENCH_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** Rows in a table of the schema the pool is bound to. */
export async function countRows(pool: Pool, table: string): Promise<number> {
  const result = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(result.rows[0]?.n ?? Number.NaN);
}
