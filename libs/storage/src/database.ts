import { resolve } from 'node:path';
import { Pool } from 'pg';
import { guardPool } from './pool-guard';
import { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres';
import { silentLogger, type StorageLogger } from './logger';

/** Options of {@link connectDatabase}. */
export interface ConnectOptions {
  /**
   * PostgreSQL URL (the app passes `DATABASE_URL` from its configuration).
   * When absent or empty, an embedded PostgreSQL is started instead.
   */
  readonly url?: string;
  /** The embedded server, used only without `url`; data in `<cwd>/.data/postgres` by default. */
  readonly embedded?: Partial<EmbeddedPostgresOptions>;
  /** Connections in the pool (default 10). */
  readonly maxConnections?: number;
  /** Value of `application_name`, shown in `pg_stat_activity`. */
  readonly applicationName?: string;
  readonly logger?: StorageLogger;
}

/** A connected database. */
export interface Database {
  readonly pool: Pool;
  /** The URL connected to (for the embedded server, with its generated password). */
  readonly url: string;
  /** Whether this is the embedded server. */
  readonly embedded: boolean;
  /** Closes the pool, then stops the embedded server if this call started it. */
  close(): Promise<void>;
}

/** Where the embedded server keeps its data unless told otherwise: git-ignored `.data/` of the working directory. */
export const DEFAULT_EMBEDDED_DATA_DIR = '.data/postgres';

/**
 * Connects to PostgreSQL: the server at `url` when one is given, else an
 * embedded server (started, or attached to when another local process runs
 * it). Run `migrate(database.pool)` next.
 *
 * @example
 * const db = await connectDatabase({ url: config.get('database.url'), logger });
 * await migrate(db.pool, { logger });
 * // … on SIGTERM, after the writers are closed:
 * await db.close();
 */
export async function connectDatabase(options: ConnectOptions = {}): Promise<Database> {
  const logger = options.logger ?? silentLogger;
  let server: EmbeddedPostgres | undefined;
  let url = options.url;
  if (url === undefined || url === '') {
    server = await startEmbeddedPostgres({
      ...options.embedded,
      dataDir: options.embedded?.dataDir ?? resolve(DEFAULT_EMBEDDED_DATA_DIR),
      logger: options.embedded?.logger ?? logger,
    });
    url = server.url;
  }
  const pool = new Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName,
  });
  // A connection that breaks (server restart), idle or in use, must not crash the process.
  guardPool(pool, (err, inUse) => logger.warn({ error: err.message }, inUse ? 'database connection in use failed' : 'idle database connection failed'));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    await server?.stop();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    pool,
    url,
    embedded: server !== undefined,
    close: () => {
      closing ??= (async () => {
        await pool.end();
        await server?.stop();
      })();
      return closing;
    },
  };
}
