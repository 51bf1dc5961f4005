import { connectDatabase, migrate } from '@ttquant/storage';
import { booleanFlag } from '../args';
import { CLI_EXIT, UnreachableError } from '../cli-errors';
import type { Command } from '../command';
import { redactPassword } from '../database-url';
import { jsonText } from '../output';
import { stderrLogger } from './db-serve';

/** `ttq db migrate`: brings the database to the newest schema. */
export const dbMigrateCommand: Command = {
  name: 'db migrate',
  summary: 'bring the database (DATABASE_URL, or the embedded server in .data/postgres) to the newest schema',
  usage: 'ttq db migrate [--json]',
  flags: {},
  async run(args, ctx) {
    const { database } = ctx.config();
    const logger = stderrLogger(ctx);
    let db;
    try {
      db = await connectDatabase({ url: database.url, applicationName: 'ttq', maxConnections: 2, logger });
    } catch (error) {
      const where = database.url ? redactPassword(database.url) : 'embedded server in .data/postgres';
      throw new UnreachableError('database', where, (error as Error).message);
    }
    try {
      const report = await migrate(db.pool, { logger });
      if (booleanFlag(args, 'json')) ctx.io.out(jsonText(report));
      else {
        const applied = report.applied.length > 0 ? `applied ${report.applied.join(', ')}` : 'already up to date';
        ctx.io.out(`schema version ${report.version} (${report.path}): ${applied}\n`);
      }
    } finally {
      await db.close();
    }
    return CLI_EXIT.ok;
  },
};
