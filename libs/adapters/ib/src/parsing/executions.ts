import type { CommissionReport, Execution } from '@stoqey/ib';
import { Decimal, type Fill, type Instrument, type LiquiditySide, type UnixNanos } from '@ttquant/domain';
import { sideOf } from './orders';
import { toPrice, toSize } from './market-data';
import { parseIbTimeNanos } from './times';

/** IB's `lastLiquidity` codes: 1 added (maker), 2 removed (taker), 3 rounded out. */
export const IB_LIQUIDITY: Readonly<Record<number, LiquiditySide>> = { 1: 'MAKER', 2: 'TAKER' };

/** A commission as IB reported it, or zero when IB sent its "unset" value. */
export function commissionOf(report: CommissionReport | undefined): Decimal {
  const value = report?.commission;
  if (value === undefined || !Number.isFinite(value) || Math.abs(value) > 1e12) return Decimal.ZERO;
  return Decimal.fromNumber(value).normalize();
}

/** What {@link toFill} needs besides the execution. */
export interface FillContext {
  readonly instrument: Instrument;
  /** The account as TTQuant names it: IB's account id (`acctNumber`) never leaves the adapter in a fill. */
  readonly account: string;
  /** The strategy of the order when the adapter knows it; empty otherwise. */
  readonly strategyId: string;
  /** Receipt time, used when the execution's time does not parse. */
  readonly receivedAt: UnixNanos;
}

/**
 * The domain fill of an IB execution and its commission report (matched by
 * execId). The client order id is the execution's `orderRef`; the commission
 * stays in its own currency.
 *
 * @example
 * toFill({ execId: '0001f4e8.01', orderId: 7, side: 'BOT', shares: 100, price: 189.5, orderRef: 'cid1', time: '20250102-14:30:00' },
 *        { execId: '0001f4e8.01', commission: 1, currency: 'USD' }, context);
 */
export function toFill(execution: Execution, commission: CommissionReport | undefined, context: FillContext): Fill {
  const execId = execution.execId ?? '';
  if (execId === '') throw new Error(`expected an execId in the IB execution of order ${String(execution.orderId)}, was empty`);
  return {
    account: context.account,
    clientOrderId: execution.orderRef ?? '',
    venueOrderId: String(execution.orderId ?? ''),
    execId,
    instrument: context.instrument.id,
    side: sideOf(execution.side),
    quantity: toSize(execution.shares ?? 0),
    price: toPrice(context.instrument, execution.price ?? 0),
    commission: commissionOf(commission),
    commissionCurrency: commission?.currency || context.instrument.currency,
    liquidity: IB_LIQUIDITY[execution.lastLiquidity ?? 0] ?? 'NONE',
    strategyId: context.strategyId,
    eventTime: parseIbTimeNanos(execution.time, context.receivedAt),
  };
}
