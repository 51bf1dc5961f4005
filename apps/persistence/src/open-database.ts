import type { Logger } from '@ttquant/logging';
import { EXIT_CODES, StartupError } from '@ttquant/service';
import { connectDatabase, migrate, type Database, type MigrationReport, type TimeSeriesTableName } from '@ttquant/storage';
import { resolve } from 'node:path';
import type { PersistenceConfig } from './persistence-config';

/** A connected database brought to the newest schema. */
export interface OpenDatabase {
  readonly db: Database;
  readonly schema: MigrationReport;
}

/**
 * Connects (to `DATABASE_URL`, else the embedded server, started or attached
 * to) and migrates. Failures become start-up errors with exit code 69
 * (dependency unavailable) that say which database could not be used.
 */
export async function openDatabase(
  settings: Pick<PersistenceConfig, 'databaseUrl' | 'embeddedDataDir' | 'embeddedPort' | 'timescale'>,
  retentionDays: Partial<Record<TimeSeriesTableName, number>>,
  options: { readonly applicationName: string; readonly logger: Logger },
): Promise<OpenDatabase> {
  let db: Database;
  try {
    db = await connectDatabase({
      url: settings.databaseUrl,
      embedded: {
        dataDir: resolve(settings.embeddedDataDir),
        ...(settings.embeddedPort > 0 && { port: settings.embeddedPort }),
      },
      applicationName: options.applicationName,
      logger: options.logger,
    });
  } catch (error) {
    const where = settings.databaseUrl ? 'the database at DATABASE_URL' : `the embedded database in ${settings.embeddedDataDir}`;
    throw new StartupError(`cannot connect to ${where}: ${(error as Error).message}`, EXIT_CODES.unavailable, { cause: error });
  }
  try {
    const schema = await migrate(db.pool, { timescale: settings.timescale, retentionDays, logger: options.logger });
    return { db, schema };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw new StartupError(`cannot migrate the database: ${(error as Error).message}`, EXIT_CODES.unavailable, { cause: error });
  }
}
