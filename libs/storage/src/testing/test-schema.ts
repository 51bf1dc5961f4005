import { randomBytes } from 'node:crypto';
import { Client, Pool, type PoolConfig } from 'pg';

/** The server the storage specs use; PostgreSQL 15 on the developer and CI machines. */
export const TEST_DATABASE_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A private schema in the test database, so spec files can run in parallel. */
export interface TestSchema {
  readonly name: string;
  /** Connections whose search_path is the schema: unqualified names land there. */
  readonly pool: Pool;
  /** Another pool on the same schema (for concurrency tests). */
  newPool(config?: PoolConfig): Pool;
  /** Closes the pools and drops the schema with everything in it. */
  drop(): Promise<void>;
}

/** Creates `ttq_test_<random>` and a pool bound to it. */
export async function createTestSchema(config: PoolConfig = {}): Promise<TestSchema> {
  const name = `ttq_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const pools: Pool[] = [];
  const newPool = (extra: PoolConfig = {}): Pool => {
    const pool = new Pool({
      connectionString: TEST_DATABASE_URL,
      max: 4,
      ...config,
      ...extra,
      options: `-c search_path=${name}`,
    });
    pools.push(pool);
    return pool;
  };
  const pool = newPool();
  return {
    name,
    pool,
    newPool,
    async drop() {
      await Promise.all(pools.map((p) => p.end()));
      const client = new Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
