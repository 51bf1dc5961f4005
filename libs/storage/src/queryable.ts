import type { Pool, PoolClient } from 'pg';

/**
 * Anything that runs a query: a pool, or a client checked out of one (to run
 * several statements in one transaction).
 */
export type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;
