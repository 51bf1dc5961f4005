import { Replier, tcpEndpoint } from '@ttquant/bus';
import { Decimal, type OrderEvent, type PositionSnapshot } from '@ttquant/domain';
import { encodeOrderEvent, encodePosition, wire } from '@ttquant/protocol';
import { decodeGatewayState, fetchGatewayState, fetchGatewayStateWhenAvailable, STATE_METHOD } from './gateway-state';

const event: OrderEvent = {
  order: {
    spec: {
      clientOrderId: 'manualabc11',
      account: 'SIM001',
      instrument: { venue: 'SIM', symbol: 'ACME' },
      side: 'BUY',
      type: 'MARKET',
      quantity: Decimal.parse('10'),
      timeInForce: 'DAY',
      reduceOnly: false,
      postOnly: false,
      outsideRth: false,
      strategyId: 'manual',
      tags: {},
    },
    status: 'FILLED',
    filledQuantity: Decimal.parse('10'),
    avgFillPrice: Decimal.parse('100.05'),
    createdTime: 1_700_000_000_000_000_000n,
    updatedTime: 1_700_000_000_100_000_000n,
  },
  reason: '',
  eventSequence: 3,
};

const position: PositionSnapshot = {
  account: 'SIM001',
  instrument: { venue: 'SIM', symbol: 'ACME' },
  quantity: Decimal.parse('10'),
  avgPrice: Decimal.parse('100.05'),
  realizedPnl: Decimal.parse('-1.25'),
  unrealizedPnl: Decimal.parse('0.5'),
  currency: 'USD',
};

function snapshotBytes(): Uint8Array {
  return wire.StateSnapshot.encode({
    orders: [encodeOrderEvent(event)],
    positions: [encodePosition(position)],
    stats: { fills: '1' },
    ready: true,
  }).finish();
}

describe('decodeGatewayState', () => {
  it('turns a StateSnapshot into domain orders and positions', () => {
    const state = decodeGatewayState(snapshotBytes());
    expect(state.ready).toBe(true);
    expect(state.stats).toEqual({ fills: '1' });
    expect(state.orders).toHaveLength(1);
    expect(state.orders[0]?.order.status).toBe('FILLED');
    expect(state.orders[0]?.order.avgFillPrice?.toString()).toBe('100.05');
    expect(state.positions[0]?.realizedPnl.toString()).toBe('-1.25');
  });

  it('refuses bytes that are not a StateSnapshot, saying what was expected', () => {
    expect(() => decodeGatewayState(Uint8Array.from([0xff, 0xff, 0xff]))).toThrow(/stateSnapshot: expected a protobuf-encoded StateSnapshot/);
  });
});

describe('fetchGatewayState', () => {
  let replier: Replier;
  let endpoint: string;
  const requests: wire.StateRequest[] = [];

  beforeAll(async () => {
    replier = new Replier({ linger: 0 });
    endpoint = await replier.bind(await tcpEndpoint());
    void replier.serve({
      [STATE_METHOD]: (body) => {
        const request = wire.StateRequest.decode(body);
        requests.push(request);
        if (request.account === 'OTHER') throw new Error('this gateway owns account SIM001, not OTHER');
        return snapshotBytes();
      },
    });
  });
  afterAll(() => replier.close());

  it('asks for the account given and decodes the answer', async () => {
    const state = await fetchGatewayState(endpoint, 'SIM001', 2_000);
    expect(requests.at(-1)?.account).toBe('SIM001');
    expect(state.orders[0]?.order.spec.clientOrderId).toBe('manualabc11');
  });

  it("turns the gateway's refusal into an error carrying its reason", async () => {
    await expect(fetchGatewayState(endpoint, 'OTHER', 2_000)).rejects.toMatchObject({
      name: 'GatewayRefusedError',
      remoteMessage: 'Error: this gateway owns account SIM001, not OTHER',
    });
  });

  it('says which endpoint did not answer, and after how long', async () => {
    const silent = await tcpEndpoint();
    await expect(fetchGatewayState(silent, '', 150)).rejects.toMatchObject({
      name: 'GatewayUnreachableError',
      message: `no answer from the gateway control endpoint ${silent} within 150 ms`,
    });
  });
});

describe('fetchGatewayStateWhenAvailable', () => {
  it('waits for a gateway that starts later, telling of each unanswered attempt', async () => {
    const endpoint = await tcpEndpoint();
    const waited: number[] = [];
    const late = new Replier({ linger: 0 });
    const starting = new Promise<void>((resolve) =>
      setTimeout(() => {
        void late.bind(endpoint).then(() => {
          void late.serve({ [STATE_METHOD]: () => snapshotBytes() });
          resolve();
        });
      }, 250),
    );
    try {
      const state = await fetchGatewayStateWhenAvailable(endpoint, '', 100, new AbortController().signal, (attempt) => waited.push(attempt));
      expect(state?.orders[0]?.order.spec.clientOrderId).toBe('manualabc11');
      expect(waited.length).toBeGreaterThanOrEqual(1);
      expect(waited).toEqual(waited.map((_, i) => i + 1));
    } finally {
      await starting;
      late.close();
    }
  });

  it('gives up when stopped, and resolves undefined', async () => {
    const stop = new AbortController();
    const state = await fetchGatewayStateWhenAvailable(await tcpEndpoint(), '', 50, stop.signal, () => stop.abort());
    expect(state).toBeUndefined();
  });
});

