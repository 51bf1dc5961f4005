import type { PositionSnapshot } from '@ttquant/domain';
import type { Column } from '../output';
import { gatewayListCommand } from './gateway-list-command';

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

/** `ttq positions`: list positions and realised PnL, from the gateway's control endpoint. */
export const positionsCommand = gatewayListCommand<PositionSnapshot>({
  name: 'positions',
  summary: 'list positions and realised PnL (from the gateway)',
  rows: (state) => state.positions,
  columns: POSITION_COLUMNS,
  empty: 'no positions',
});
