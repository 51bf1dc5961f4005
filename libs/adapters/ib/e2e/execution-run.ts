import { Decimal, type OrderSpec } from '@ttquant/domain';
import type { ExecutionReport, VenueOrderReport } from '@ttquant/gateway-api';
import { nextClientOrderId } from '@ttquant/gateway-api/testing';
import { EventLog } from './event-log';
import { startIbHarness, type IbHarness, type IbHarnessOptions } from './fake-tws-venue';

/** A connected harness and, in order, every execution report its adapter emitted since it started. */
export interface ExecutionRun {
  readonly h: IbHarness;
  readonly reports: EventLog<ExecutionReport>;
}

/** ES December 2027 on the fake. */
export const ES = { venue: 'IB', symbol: 'ESZ7' };

/** Starts a harness on ES and logs its execution reports; with `quoted`, ES is quoted 5000 / 5000.25, 100 a side, so market orders fill. */
export async function startEsExecutionRun({ quoted = false, ...options }: IbHarnessOptions & { quoted?: boolean } = {}): Promise<ExecutionRun> {
  const h = await startIbHarness({ symbol: 'ESZ7', ...options });
  const reports = new EventLog<ExecutionReport>();
  h.execution.onReport(reports.push);
  if (quoted) {
    h.venue.setMarket(ES, { bid: Decimal.parse('5000'), bidSize: Decimal.of(100), ask: Decimal.parse('5000.25'), askSize: Decimal.of(100) });
  }
  return { h, reports };
}

/** An order for 2 ES on the harness's account with a fresh client order id; `strategyId` names the spec it comes from. */
export function esOrder(h: IbHarness, strategyId: string, terms: Partial<OrderSpec> & Pick<OrderSpec, 'side' | 'type' | 'timeInForce'>): OrderSpec {
  return {
    clientOrderId: nextClientOrderId(),
    account: h.execution.account,
    instrument: ES,
    quantity: Decimal.of(2),
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId,
    tags: {},
    ...terms,
  };
}

/** The order reports the run emitted for one order, oldest first. */
export function orderReportsOf(run: ExecutionRun, clientOrderId: string): VenueOrderReport[] {
  return run.reports.events.filter((r): r is VenueOrderReport => r.kind === 'order' && r.clientOrderId === clientOrderId);
}
