import type { OrderEvent } from '@ttquant/domain';
import type { Column } from '../output';
import { gatewayListCommand } from './gateway-list-command';

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

/** `ttq orders`: list every order's last state, from the gateway's control endpoint. */
export const ordersCommand = gatewayListCommand<OrderEvent>({
  name: 'orders',
  summary: "list every order's last state (from the gateway)",
  rows: (state) => state.orders,
  columns: ORDER_COLUMNS,
  empty: 'no orders',
});
