import { Decimal, type OrderSpec } from '@ttquant/domain';
import { mapIbOrderStatus, sideOf, toIbOrder } from './orders';

const base: OrderSpec = {
  clientOrderId: 'ema1r3c42',
  account: 'DU1234567',
  instrument: { venue: 'IB', symbol: 'AAPL' },
  side: 'BUY',
  type: 'LIMIT',
  quantity: Decimal.parse('100'),
  limitPrice: Decimal.parse('189.5'),
  timeInForce: 'DAY',
  reduceOnly: false,
  postOnly: false,
  outsideRth: false,
  strategyId: 'ema',
  tags: {},
};

describe('toIbOrder', () => {
  it('sends the client order id as orderRef, with IB type, action and TIF', () => {
    expect(toIbOrder(base, { account: 'DU1234567' })).toEqual({
      action: 'BUY',
      totalQuantity: 100,
      orderType: 'LMT',
      tif: 'DAY',
      orderRef: 'ema1r3c42',
      account: 'DU1234567',
      outsideRth: false,
      transmit: true,
      lmtPrice: 189.5,
    });
  });

  it.each([
    ['MARKET', 'MKT', {}],
    ['STOP', 'STP', { stopPrice: Decimal.parse('180') }],
    ['STOP_LIMIT', 'STP LMT', { stopPrice: Decimal.parse('180'), limitPrice: Decimal.parse('179.5') }],
  ] as const)('maps %s to %s with its prices', (type, ibType, prices) => {
    const order = toIbOrder({ ...base, type, limitPrice: undefined, ...prices }, { account: 'DU1' });
    expect(order.orderType).toBe(ibType);
    expect(order.lmtPrice).toBe(type === 'STOP_LIMIT' ? 179.5 : undefined);
    expect(order.auxPrice).toBe(type === 'MARKET' ? undefined : 180);
  });

  it('carries GTD expiry in UTC, outside RTH, parent, transmit and OCA group', () => {
    const order = toIbOrder(
      { ...base, timeInForce: 'GTD', expireTime: 1735828200000000000n, outsideRth: true, ocoGroup: 'g1' },
      { account: 'DU1', parentId: 41, transmit: false },
    );
    expect(order).toMatchObject({ tif: 'GTD', goodTillDate: '20250102-14:30:00', outsideRth: true, parentId: 41, transmit: false, ocaGroup: 'g1', ocaType: 1 });
  });

  it('refuses a GTD order without expiry and a time in force IB is not sent', () => {
    expect(() => toIbOrder({ ...base, timeInForce: 'GTD' }, { account: 'DU1' })).toThrow(/expected expireTime for a GTD order ema1r3c42/);
    expect(() => toIbOrder({ ...base, timeInForce: 'FOK' }, { account: 'DU1' })).toThrow(/was FOK/);
  });
});

describe('mapIbOrderStatus', () => {
  it.each([
    ['PreSubmitted', 0, 10, 'ACCEPTED'],
    ['Submitted', 0, 10, 'ACCEPTED'],
    ['Submitted', 4, 10, 'PARTIALLY_FILLED'],
    ['Submitted', 10, 10, 'FILLED'],
    ['Filled', 10, 10, 'FILLED'],
    ['Filled', 0, 10, 'FILLED'],
    ['Cancelled', 3, 10, 'CANCELED'],
    ['ApiCancelled', 0, 10, 'CANCELED'],
    ['Inactive', 0, 10, 'ACCEPTED'],
    ['Inactive', 4, 10, 'PARTIALLY_FILLED'],
    ['PendingCancel', 0, 10, 'PENDING_CANCEL'],
    ['PendingSubmit', 0, 10, undefined],
    ['ApiPending', 0, 10, undefined],
  ])('%s with %i of %i filled is %s', (status, filled, totalQuantity, expected) => {
    expect(mapIbOrderStatus({ status, filled, totalQuantity })).toBe(expected);
  });

  it('reads execution sides', () => {
    expect([sideOf('BOT'), sideOf('SLD'), sideOf('BUY'), sideOf('SELL')]).toEqual(['BUY', 'SELL', 'BUY', 'SELL']);
  });
});
