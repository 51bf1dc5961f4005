import {
  Decimal,
  type AccountState,
  type Fill,
  type OrderSnapshot,
  type OrderSpec,
  type OrderStatus,
  type PositionSnapshot,
} from '@ttquant/domain';
import type { ExecutionClient, OrderQuery, VenueOrderReport } from './execution-client';
import { reconcileExecution } from './reconciliation';

const instrument = { venue: 'SIM', symbol: 'ACME' };

function snapshot(clientOrderId: string, status: OrderStatus): OrderSnapshot {
  const spec: OrderSpec = {
    clientOrderId,
    account: 'A1',
    instrument,
    side: 'BUY',
    type: 'LIMIT',
    quantity: Decimal.of(10),
    limitPrice: Decimal.parse('99.5'),
    timeInForce: 'GTC',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 's1',
    tags: {},
  };
  return { spec, status, filledQuantity: Decimal.ZERO, createdTime: 1n, updatedTime: 1n };
}

function report(clientOrderId: string, status: OrderStatus, filled = '0'): VenueOrderReport {
  return {
    kind: 'order',
    account: 'A1',
    clientOrderId,
    venueOrderId: `V-${clientOrderId}`,
    instrument,
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: Decimal.of(10),
    limitPrice: Decimal.parse('99.5'),
    status,
    filledQuantity: Decimal.parse(filled),
    reason: '',
    eventTime: 5n,
  };
}

interface StubVenue {
  open: VenueOrderReport[];
  finished: Map<string, VenueOrderReport>;
  fills: Fill[];
  positions: PositionSnapshot[];
  account: AccountState;
  calls: string[];
}

function stubClient(venue: StubVenue): ExecutionClient {
  const unused = async (): Promise<never> => {
    throw new Error('not used by reconciliation');
  };
  return {
    venue: 'SIM',
    account: 'A1',
    capabilities: {
      orderTypes: ['LIMIT'],
      timeInForce: ['GTC'],
      modify: false,
      cancelAll: false,
      brackets: false,
      oco: false,
      reduceOnly: false,
      postOnly: false,
      outsideRth: false,
      executionHistory: true,
    },
    connectionState: 'CONNECTED',
    connect: unused,
    disconnect: unused,
    submit: unused,
    cancel: unused,
    modify: unused,
    cancelAll: unused,
    openOrders: async () => {
      venue.calls.push('openOrders');
      return venue.open;
    },
    orderStatus: async (query: OrderQuery) => {
      venue.calls.push(`orderStatus ${query.clientOrderId}`);
      return venue.finished.get(query.clientOrderId) ?? venue.open.find((o) => o.clientOrderId === query.clientOrderId);
    },
    executionsSince: async (since) => {
      venue.calls.push(`executionsSince ${String(since)}`);
      return venue.fills.filter((f) => since === undefined || f.eventTime >= since);
    },
    positions: async () => {
      venue.calls.push('positions');
      return venue.positions;
    },
    accountState: async () => {
      venue.calls.push('accountState');
      return venue.account;
    },
    onReport: () => () => undefined,
  };
}

describe('reconcileExecution', () => {
  const fill = (execId: string, eventTime: bigint): Fill => ({
    account: 'A1',
    clientOrderId: 'done1',
    venueOrderId: 'V-done1',
    execId,
    instrument,
    side: 'BUY',
    quantity: Decimal.of(10),
    price: Decimal.parse('99.5'),
    commission: Decimal.ZERO,
    commissionCurrency: 'USD',
    liquidity: 'MAKER',
    strategyId: 's1',
    eventTime,
  });

  it('sorts the venue state into known, finished, external and missing orders, in the documented sequence', async () => {
    const venue: StubVenue = {
      open: [report('working1', 'PARTIALLY_FILLED', '4'), report('', 'ACCEPTED'), report('manual7', 'ACCEPTED')],
      finished: new Map([['done1', report('done1', 'FILLED', '10')]]),
      fills: [fill('E1', 10n), fill('E2', 20n)],
      positions: [],
      account: { account: 'A1', venue: 'SIM', balances: [] },
      calls: [],
    };
    const known = [
      snapshot('working1', 'ACCEPTED'),
      snapshot('done1', 'SUBMITTED'),
      snapshot('lost1', 'SUBMITTED'),
      snapshot('old1', 'FILLED'),
    ];

    const result = await reconcileExecution(stubClient(venue), { knownOrders: known, lastExecutionTime: 15n });

    expect(result.orders.map((o) => [o.clientOrderId, o.status])).toEqual([
      ['working1', 'PARTIALLY_FILLED'],
      ['done1', 'FILLED'],
    ]);
    expect(result.external.map((o) => o.clientOrderId)).toEqual(['', 'manual7']);
    expect(result.missing.map((o) => o.spec.clientOrderId)).toEqual(['lost1']);
    expect(result.fills.map((f) => f.execId)).toEqual(['E2']);
    expect(result.account.account).toBe('A1');
    // Terminal orders are not looked up; open ones found in openOrders are not looked up again.
    expect(venue.calls).toEqual([
      'openOrders',
      'orderStatus done1',
      'orderStatus lost1',
      'executionsSince 15',
      'positions',
      'accountState',
    ]);
  });

  it('asks for every execution when no last execution time is known', async () => {
    const venue: StubVenue = {
      open: [],
      finished: new Map(),
      fills: [fill('E1', 10n)],
      positions: [],
      account: { account: 'A1', venue: 'SIM', balances: [] },
      calls: [],
    };
    const result = await reconcileExecution(stubClient(venue), { knownOrders: [] });
    expect(result.fills).toHaveLength(1);
    expect(venue.calls).toContain('executionsSince undefined');
  });
});
