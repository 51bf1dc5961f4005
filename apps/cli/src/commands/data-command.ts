import { millisToNanos, type UnixNanos } from '@ttquant/domain';
import type { Queryable } from '@ttquant/storage';
import { booleanFlag, type FlagSpecs, type ParsedArgs } from '../args';
import { CLI_EXIT } from '../cli-errors';
import type { Command } from '../command';
import { jsonText, renderTable, type Column } from '../output';
import { withDataDatabase } from './data-database';

/** What one `ttq data …` read returns. */
export interface DataResult<R> {
  /** The rows of the table. */
  readonly rows: readonly R[];
  /** What `--json` prints instead of the rows, when it needs more than them (e.g. where bars came from). */
  readonly json?: unknown;
  /** One line for stderr, beside the table (e.g. `5-minute bars rolled up from stored 1-minute bars`). */
  readonly note?: string;
}

/** One `ttq data …` listing: its flags, how it reads, and how a row prints. */
export interface DataListing<R> {
  /** The words after `ttq data`, e.g. `bars`. */
  readonly name: string;
  readonly summary: string;
  /** Usage after `ttq data <name>`, e.g. `--symbol <VENUE:SYMBOL> [--from <time>]`. */
  readonly usage: string;
  readonly flags: FlagSpecs;
  /** Parses the flags (usage errors before any connection) and returns the reader to run. */
  prepare(args: ParsedArgs, now: UnixNanos): (db: Queryable) => Promise<DataResult<R>>;
  readonly columns: readonly Column<R>[];
  /** Printed instead of an empty table, e.g. `no fills`. */
  readonly empty: string;
}

/** Flags the time-ranged listings share. */
export const RANGE_FLAGS = {
  from: { type: 'string', value: '<time>', help: 'start, included: 2024-03-01, 2024-03-01T09:30:00Z, -2h, now or Unix ns' },
  to: { type: 'string', value: '<time>', help: 'end, excluded (default: now)' },
} as const satisfies FlagSpecs;

/** `--limit`. */
export const LIMIT_FLAG = {
  limit: { type: 'string', value: '<rows>', help: 'at most this many rows (the oldest)' },
} as const satisfies FlagSpecs;

/**
 * A `ttq data …` command: reads stored data from the database (`DATABASE_URL`,
 * or the embedded server) and prints a table for people or `--json` for scripts.
 * Flags are checked before connecting, so a typo never waits on a database.
 */
export function dataCommand<R>(listing: DataListing<R>): Command {
  return {
    name: `data ${listing.name}`,
    summary: listing.summary,
    usage: `ttq data ${listing.name} ${listing.usage} [--json]`.replace(/\s+/g, ' '),
    flags: listing.flags,
    async run(args, ctx) {
      const read = listing.prepare(args, millisToNanos(Date.now()));
      const result = await withDataDatabase(ctx, read);
      if (result.note) ctx.io.err(`${result.note}\n`);
      if (booleanFlag(args, 'json')) ctx.io.out(jsonText(result.json ?? result.rows));
      else if (result.rows.length === 0) ctx.io.out(`${listing.empty}\n`);
      else ctx.io.out(renderTable(listing.columns, result.rows));
      return CLI_EXIT.ok;
    },
  };
}
