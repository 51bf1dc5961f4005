import type { Pool, PoolClient } from 'pg';

/** First half of the advisory lock key: "ttq\0". The second half is a hash of the schema migrated. */
const LOCK_CLASS = 0x74747100;

/**
 * Runs `task` on one connection while holding the migration lock of the
 * current schema, so concurrent starters (several replicas of a service, a CLI
 * `ttq db migrate`) never run DDL at the same time: the second waits, then
 * finds nothing left to do.
 */
export async function withMigrationLock<T>(pool: Pool, task: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext(current_schema()))', [LOCK_CLASS]);
    result = await task(client);
    await client.query('SELECT pg_advisory_unlock($1, hashtext(current_schema()))', [LOCK_CLASS]);
  } catch (err) {
    // Closing the connection releases the lock and any half-done transaction with it.
    client.release(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
  client.release();
  return result;
}
