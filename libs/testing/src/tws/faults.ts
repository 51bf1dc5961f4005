import type { FailableRequestKind } from './fake-tws-types';

/** TWS's wording for the notices and errors tests inject. */
export const TWS_MESSAGES: Readonly<Record<number, string>> = {
  100: 'Max rate of messages per second has been exceeded.',
  103: 'Duplicate order id',
  162: 'Historical Market Data Service error message:Historical data request pacing violation',
  200: 'No security definition has been found for the request',
  201: 'Order rejected - reason:',
  202: 'Order Canceled - reason:',
  326: 'Unable to connect as the client id is already in use. Retry with a unique client id.',
  354: 'Requested market data is not subscribed.',
  1100: 'Connectivity between IB and Trader Workstation has been lost.',
  1101: 'Connectivity between IB and Trader Workstation has been restored - data lost.',
  1102: 'Connectivity between IB and Trader Workstation has been restored - data maintained.',
  2103: 'Market data farm connection is broken:usfarm',
  2104: 'Market data farm connection is OK:usfarm',
  2105: 'HMDS data farm connection is broken:ushmds',
  2106: 'HMDS data farm connection is OK:ushmds',
  2107: 'HMDS data farm connection is inactive but should be available upon demand.ushmds',
  2108: 'Market data farm connection is inactive but should be available upon demand.usfarm',
  2110: 'Connectivity between Trader Workstation and server is broken. It will be restored automatically.',
  2157: 'Sec-def data farm connection is broken:secdefnj',
  2158: 'Sec-def data farm connection is OK:secdefnj',
  10147: 'OrderId that needs to be cancelled is not found.',
  10167: 'Requested market data is not subscribed. Displaying delayed market data.',
  10168: 'Requested market data is not subscribed. Delayed market data is not enabled.',
  10197: 'No market data during competing live session',
};

/** TWS's text for a code, or a generic one. */
export function twsMessage(code: number): string {
  return TWS_MESSAGES[code] ?? `Error ${code}`;
}

/** How a failed market data request continues after its error. */
export type MarketDataFailureEffect = 'drop' | 'delayed' | 'silent';

/** 10167 is a warning (delayed data follows), 10197 keeps the subscription without data; others end it. */
export function marketDataFailureEffect(code: number): MarketDataFailureEffect {
  if (code === 10167) return 'delayed';
  if (code === 10197) return 'silent';
  return 'drop';
}

/** One injected failure. */
export interface PendingFailure {
  kind: FailableRequestKind;
  code: number;
  message: string;
}

/** Queue of failures injected by tests, consumed by the next matching request in order. */
export class FailureQueue {
  private readonly pending: PendingFailure[] = [];

  /** Queues one failure. */
  add(kind: FailableRequestKind, code: number, message?: string): void {
    if (!Number.isInteger(code) || code <= 0) throw new RangeError(`expected a positive integer error code, got ${code}`);
    this.pending.push({ kind, code, message: message ?? twsMessage(code) });
  }

  /** Removes and returns the first failure for this request kind ('any' failures match every kind). */
  take(kind: Exclude<FailableRequestKind, 'any'>): PendingFailure | undefined {
    const index = this.pending.findIndex((f) => f.kind === kind || f.kind === 'any');
    if (index < 0) return undefined;
    return this.pending.splice(index, 1)[0];
  }
}
