import { Decimal } from '@ttquant/domain';
import { ES_FUTURE } from '../test-support/instrument-fixtures';
import { orderKey, untouchedProgress, type TrackedOrder } from './order-tracker';

/**
 * A GTC buy limit for 2 ES placed by client 7 in session 1 (client order id `o<orderId>`), nothing reported on it
 * yet; `overrides` set whatever the spec is about. For specs only.
 */
export function trackedEsOrder(orderId: number, overrides: Partial<TrackedOrder> = {}): TrackedOrder {
  const clientId = overrides.clientId ?? 7;
  return {
    key: orderKey(clientId, orderId, undefined),
    clientId,
    clientOrderId: `o${orderId}`,
    orderId,
    instrument: ES_FUTURE,
    contract: { conId: 495512563, symbol: 'ES', exchange: 'CME', currency: 'USD' },
    strategyId: 's',
    spec: { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' },
    quantity: Decimal.of(2),
    ...untouchedProgress(),
    placedSeq: orderId,
    session: 1,
    account: 'DU1234567',
    ...overrides,
  };
}
