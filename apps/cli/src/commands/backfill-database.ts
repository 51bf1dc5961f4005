import { connectDatabase, DEFAULT_EMBEDDED_DATA_DIR, type Database } from '@ttquant/storage';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OperationFailedError, UnreachableError } from '../cli-errors';
import type { CommandContext } from '../command';
import { redactPassword } from '../database-url';
import { stderrLogger } from './db-serve';

/** The database a backfill writes to, and how to name it in messages (password hidden). */
export interface BackfillDatabase {
  readonly db: Database;
  readonly where: string;
}

/**
 * Opens the database of `DATABASE_URL` (or the embedded server in
 * `.data/postgres`) for writing bars, and checks it carries the TTQuant
 * schema. It does not migrate: schema changes are for `ttq db migrate` or
 * persistence's start-up, not a side effect of fetching data.
 *
 * @throws OperationFailedError when there is no database to write to, or it has no TTQuant schema (exit 1)
 * @throws UnreachableError when the database cannot be reached (exit 69)
 */
export async function openBackfillDatabase(ctx: CommandContext): Promise<BackfillDatabase> {
  const { database } = ctx.config();
  const where = database.url ? redactPassword(database.url) : 'embedded server in .data/postgres';
  const dataDir = join(ctx.cwd, DEFAULT_EMBEDDED_DATA_DIR);
  if (!database.url && !existsSync(dataDir)) {
    throw new OperationFailedError(
      `no database to store bars in: DATABASE_URL is not set and there is no embedded database in ${dataDir}; set DATABASE_URL, or run ttq db migrate here first`,
    );
  }
  let db: Database;
  try {
    db = await connectDatabase({ url: database.url, embedded: { dataDir }, applicationName: 'ttq-backfill', maxConnections: 2, logger: stderrLogger(ctx) });
  } catch (error) {
    throw new UnreachableError('database', where, (error as Error).message);
  }
  try {
    const migrated = await db.pool.query<{ found: string | null }>("SELECT to_regclass('ttq_schema_migrations')::text AS found");
    if (migrated.rows[0]?.found == null) {
      throw new OperationFailedError(`database ${where} has no TTQuant schema: run ttq db migrate (or start persistence) first`);
    }
  } catch (error) {
    await db.close();
    if (error instanceof OperationFailedError) throw error;
    throw new UnreachableError('database', where, (error as Error).message);
  }
  return { db, where };
}
