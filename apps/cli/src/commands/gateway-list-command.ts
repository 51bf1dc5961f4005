import { booleanFlag, stringFlag, type FlagSpecs } from '../args';
import { CLI_EXIT } from '../cli-errors';
import type { Command } from '../command';
import { jsonText, renderTable, type Column } from '../output';
import { fetchGatewayState, type GatewayState } from './gateway-state';

const flags = {
  account: { type: 'string', value: '<account>', help: 'only this account (default: whatever the gateway owns)' },
} as const satisfies FlagSpecs;

/** What one listing of the gateway's state shows. */
export interface GatewayListing<R> {
  readonly name: string;
  readonly summary: string;
  /** The rows out of the gateway's state. */
  readonly rows: (state: GatewayState) => readonly R[];
  readonly columns: readonly Column<R>[];
  /** Printed instead of an empty table, e.g. `no orders`. */
  readonly empty: string;
}

/**
 * A command that asks the gateway's control endpoint for its state and prints
 * part of it: a table for people, `--json` for scripts (`ttq orders`, `ttq positions`).
 */
export function gatewayListCommand<R>(listing: GatewayListing<R>): Command {
  return {
    name: listing.name,
    summary: listing.summary,
    usage: `ttq ${listing.name} [--account <account>] [--json]`,
    flags,
    async run(args, ctx) {
      const rows = listing.rows(await fetchGatewayState(ctx.config(), stringFlag(args, 'account') ?? ''));
      if (booleanFlag(args, 'json')) ctx.io.out(jsonText(rows));
      else if (rows.length === 0) ctx.io.out(`${listing.empty}\n`);
      else ctx.io.out(renderTable(listing.columns, rows));
      return CLI_EXIT.ok;
    },
  };
}
