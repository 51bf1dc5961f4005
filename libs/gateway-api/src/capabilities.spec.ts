import { Decimal, type OrderSpec } from '@ttquant/domain';
import {
  requireCapability,
  requireOrderSupported,
  unsupportedOrderFeature,
  type DataCapabilities,
  type ExecutionCapabilities,
} from './capabilities';
import { NotSupportedError } from './errors';

const execution: ExecutionCapabilities = {
  orderTypes: ['MARKET', 'LIMIT'],
  timeInForce: ['GTC', 'IOC'],
  modify: false,
  cancelAll: true,
  brackets: false,
  oco: false,
  reduceOnly: true,
  postOnly: false,
  outsideRth: false,
  executionHistory: true,
};

const data: DataCapabilities = {
  quotes: true,
  trades: true,
  bookL2: false,
  bars: false,
  barIntervals: [],
  history: false,
  fundingRates: false,
};

const spec: OrderSpec = {
  clientOrderId: 'abc1',
  account: 'A1',
  instrument: { venue: 'SIM', symbol: 'ACME' },
  side: 'BUY',
  type: 'LIMIT',
  quantity: Decimal.of(1),
  limitPrice: Decimal.parse('10.5'),
  timeInForce: 'GTC',
  reduceOnly: false,
  postOnly: false,
  outsideRth: false,
  strategyId: 's1',
  tags: {},
};

describe('requireCapability', () => {
  it('passes for a present capability and throws NotSupportedError naming a missing one', () => {
    expect(() => requireCapability(execution, 'cancelAll')).not.toThrow();
    expect(() => requireCapability(data, 'quotes')).not.toThrow();
    expect(() => requireCapability(execution, 'modify', 'binance')).toThrow(
      new NotSupportedError('expected binance to support modify, it does not'),
    );
    expect(() => requireCapability(data, 'bookL2')).toThrow(NotSupportedError);
  });
});

describe('unsupportedOrderFeature / requireOrderSupported', () => {
  it('accepts an order within the capabilities', () => {
    expect(unsupportedOrderFeature(execution, spec)).toBeUndefined();
    expect(() => requireOrderSupported(execution, spec)).not.toThrow();
  });

  it.each<[string, Partial<OrderSpec>]>([
    ['order type STOP', { type: 'STOP', stopPrice: Decimal.of(9) }],
    ['time in force DAY', { timeInForce: 'DAY' }],
    ['post-only orders', { postOnly: true }],
    ['orders outside regular trading hours', { outsideRth: true }],
    ['bracket orders', { parentClientOrderId: 'parent1' }],
    ['OCO groups', { ocoGroup: 'g1' }],
  ])('names %s as unsupported', (feature, change) => {
    const order = { ...spec, ...change };
    expect(unsupportedOrderFeature(execution, order)).toBe(feature);
    expect(() => requireOrderSupported(execution, order, 'SIM')).toThrow(
      new NotSupportedError(`expected SIM to support ${feature}, it does not`),
    );
  });

  it('accepts reduce-only where supported', () => {
    expect(unsupportedOrderFeature(execution, { ...spec, reduceOnly: true })).toBeUndefined();
  });
});
