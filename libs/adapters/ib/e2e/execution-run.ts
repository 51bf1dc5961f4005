import { Decimal } from '@ttquant/domain';
import type { ExecutionReport } from '@ttquant/gateway-api';
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
