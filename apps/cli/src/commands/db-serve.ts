import { DEFAULT_EMBEDDED_DATA_DIR, startEmbeddedPostgres, type StorageLogger } from '@ttquant/storage';
import { resolve } from 'node:path';
import { booleanFlag } from '../args';
import { CLI_EXIT, UnreachableError } from '../cli-errors';
import type { Command, CommandContext } from '../command';
import { redactPassword } from '../database-url';

/** Storage log lines on stderr, so stdout carries only the result. */
export function stderrLogger(ctx: CommandContext): StorageLogger {
  const line = (prefix: string, fields: Record<string, unknown>, message: string) => {
    const details = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    ctx.io.err(`${prefix}${message}${details}\n`);
  };
  return {
    info: (fields, message) => line('', fields, message),
    warn: (fields, message) => line('warning: ', fields, message),
    error: (fields, message) => line('error: ', fields, message),
  };
}

/**
 * `ttq db serve`: runs the embedded PostgreSQL of `.data/postgres` in the
 * foreground until Ctrl-C or SIGTERM, printing its URL first (to inspect a
 * simulation's data with psql; the launcher also runs its database this way,
 * in a process of its own, so a Ctrl-C meant for the launcher never reaches
 * the database before persistence has flushed).
 */
export const dbServeCommand: Command = {
  name: 'db serve',
  summary: 'run the embedded PostgreSQL (.data/postgres) until Ctrl-C; prints its URL',
  usage: 'ttq db serve [--json]',
  flags: {},
  async run(args, ctx) {
    const dataDir = resolve(ctx.cwd, DEFAULT_EMBEDDED_DATA_DIR);
    let server;
    try {
      server = await startEmbeddedPostgres({ dataDir, logger: stderrLogger(ctx) });
    } catch (error) {
      throw new UnreachableError('embedded PostgreSQL in', dataDir, (error as Error).message);
    }
    const info = { url: server.url, port: server.port, dataDir: server.dataDir, attached: server.attached };
    if (booleanFlag(args, 'json')) ctx.io.out(JSON.stringify(info) + '\n');
    else {
      ctx.io.out(`PostgreSQL on 127.0.0.1:${server.port}, data in ${server.dataDir}${server.attached ? ' (already running elsewhere)' : ''}\n`);
      // The password stays out of terminals and logs: --json (or ttq-credentials.json in the data folder) has it.
      ctx.io.out(`${redactPassword(server.url)}   (full URL: ttq db serve --json)\nCtrl-C stops it.\n`);
    }
    await new Promise<void>((done) => {
      if (ctx.signal.aborted) done();
      else ctx.signal.addEventListener('abort', () => done(), { once: true });
    });
    await server.stop();
    return CLI_EXIT.ok;
  },
};
