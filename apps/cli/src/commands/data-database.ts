import { connectDatabase, DEFAULT_EMBEDDED_DATA_DIR, type Queryable } from '@ttquant/storage';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OperationFailedError, UnreachableError } from '../cli-errors';
import type { CommandContext } from '../command';
import { redactPassword } from '../database-url';
import { stderrLogger } from './db-serve';

/**
 * Runs `read` on the database of `DATABASE_URL` (or the embedded server in
 * `.data/postgres`), read-only, and closes it. A database without the TTQuant
 * schema is reported as such, not as a missing table.
 *
 * @throws UnreachableError when the database cannot be reached (exit 69)
 * @throws OperationFailedError when it has no TTQuant schema, or there is neither a URL nor an embedded database (exit 1)
 */
export async function withDataDatabase<T>(ctx: CommandContext, read: (db: Queryable) => Promise<T>): Promise<T> {
  const { database } = ctx.config();
  const where = database.url ? redactPassword(database.url) : 'embedded server in .data/postgres';
  const dataDir = join(ctx.cwd, DEFAULT_EMBEDDED_DATA_DIR);
  if (!database.url && !existsSync(dataDir)) {
    // Reading must not create an empty cluster just to report that it is empty.
    throw new OperationFailedError(`no DATABASE_URL and no embedded database in ${dataDir}: set DATABASE_URL, or run ttq db migrate or ttq sim here first`);
  }
  let db;
  try {
    db = await connectDatabase({
      url: database.url,
      embedded: { dataDir },
      applicationName: 'ttq-data',
      maxConnections: 1,
      logger: stderrLogger(ctx),
    });
  } catch (error) {
    throw new UnreachableError('database', where, (error as Error).message);
  }
  try {
    const client = await db.pool.connect();
    try {
      // Inspection never writes: a typo in a flag cannot change stored data.
      await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
      const migrated = await client.query<{ found: string | null }>("SELECT to_regclass('ttq_schema_migrations')::text AS found");
      if (migrated.rows[0]?.found == null) {
        throw new OperationFailedError(`database ${where} has no TTQuant schema: run ttq db migrate (or start persistence) first`);
      }
      return await read(client);
    } finally {
      client.release();
    }
  } finally {
    await db.close();
  }
}
