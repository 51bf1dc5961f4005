import type { PositionSnapshot } from '@ttquant/domain';
import { booleanFlag, helpText, stringFlag, type FlagSpecs } from '../args';
import { CLI_EXIT } from '../cli-errors';
import type { Command } from '../command';
import { jsonText, renderTable, type Column } from '../output';
import { fetchGatewayState } from './gateway-state';

const flags = {
  account: { type: 'string', value: '<account>', help: 'only this account (default: whatever the gateway owns)' },
} as const satisfies FlagSpecs;

/** Columns of `ttq positions`. */
export const POSITION_COLUMNS: readonly Column<PositionSnapshot>[] = [
  { heading: 'ACCOUNT', cell: (p) => p.account },
  { heading: 'INSTRUMENT', cell: (p) => `${p.instrument.venue}:${p.instrument.symbol}` },
  { heading: 'QTY', cell: (p) => p.quantity.toString(), right: true },
  { heading: 'AVG PRICE', cell: (p) => (p.quantity.isZero() ? '' : p.avgPrice.toFixed(4)), right: true },
  { heading: 'REALISED PNL', cell: (p) => p.realizedPnl.toFixed(4), right: true },
  { heading: 'UNREALISED PNL', cell: (p) => p.unrealizedPnl.toFixed(4), right: true },
  { heading: 'CCY', cell: (p) => p.currency },
];

/** `ttq positions`: the gateway's positions with realised PnL. */
export const positionsCommand: Command = {
  name: 'positions',
  summary: 'list positions and realised PnL (from the gateway)',
  usage: 'ttq positions [--account <account>] [--json]',
  flags,
  async run(args, ctx) {
    if (booleanFlag(args, 'help')) {
      ctx.io.out(helpText(this.usage, this.summary, flags));
      return CLI_EXIT.ok;
    }
    const state = await fetchGatewayState(ctx.config(), stringFlag(args, 'account') ?? '');
    if (booleanFlag(args, 'json')) ctx.io.out(jsonText(state.positions));
    else if (state.positions.length === 0) ctx.io.out('no positions\n');
    else ctx.io.out(renderTable(POSITION_COLUMNS, state.positions));
    return CLI_EXIT.ok;
  },
};
