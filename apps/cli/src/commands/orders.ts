import type { OrderEvent } from '@ttquant/domain';
import { helpText, stringFlag, booleanFlag, type FlagSpecs } from '../args';
import { CLI_EXIT } from '../cli-errors';
import type { Command } from '../command';
import { jsonText, renderTable, type Column } from '../output';
import { fetchGatewayState } from './gateway-state';

const flags = {
  account: { type: 'string', value: '<account>', help: 'only this account (default: whatever the gateway owns)' },
} as const satisfies FlagSpecs;

/** Columns of `ttq orders`: each order's last state. */
export const ORDER_COLUMNS: readonly Column<OrderEvent>[] = [
  { heading: 'CLIENT ORDER ID', cell: (e) => e.order.spec.clientOrderId },
  { heading: 'ACCOUNT', cell: (e) => e.order.spec.account },
  { heading: 'SYMBOL', cell: (e) => `${e.order.spec.instrument.venue}:${e.order.spec.instrument.symbol}` },
  { heading: 'SIDE', cell: (e) => e.order.spec.side },
  { heading: 'QTY', cell: (e) => e.order.spec.quantity.toString(), right: true },
  { heading: 'TYPE', cell: (e) => e.order.spec.type },
  { heading: 'PRICE', cell: (e) => priceText(e), right: true },
  { heading: 'STATUS', cell: (e) => e.order.status },
  { heading: 'FILLED', cell: (e) => e.order.filledQuantity.toString(), right: true },
  { heading: 'AVG PRICE', cell: (e) => e.order.avgFillPrice?.toString() ?? '', right: true },
  { heading: 'REASON', cell: (e) => e.reason },
];

function priceText(event: OrderEvent): string {
  const { limitPrice, stopPrice } = event.order.spec;
  if (limitPrice && stopPrice) return `${stopPrice.toString()}→${limitPrice.toString()}`;
  return (limitPrice ?? stopPrice)?.toString() ?? '';
}

/** `ttq orders`: every order's last state, from the gateway's control endpoint. */
export const ordersCommand: Command = {
  name: 'orders',
  summary: "list every order's last state (from the gateway)",
  usage: 'ttq orders [--account <account>] [--json]',
  flags,
  async run(args, ctx) {
    if (booleanFlag(args, 'help')) {
      ctx.io.out(helpText(this.usage, this.summary, flags));
      return CLI_EXIT.ok;
    }
    const state = await fetchGatewayState(ctx.config(), stringFlag(args, 'account') ?? '');
    if (booleanFlag(args, 'json')) ctx.io.out(jsonText(state.orders));
    else if (state.orders.length === 0) ctx.io.out('no orders\n');
    else ctx.io.out(renderTable(ORDER_COLUMNS, state.orders));
    return CLI_EXIT.ok;
  },
};
