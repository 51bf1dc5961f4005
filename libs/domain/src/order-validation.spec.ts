import { Decimal } from './decimal';
import { findOrderSpecProblem, validateOrderSpec } from './order-validation';
import type { OrderSpec } from './orders';

const d = Decimal.parse;

function spec(overrides: Partial<OrderSpec> = {}): OrderSpec {
  return {
    clientOrderId: 'S1abc',
    account: 'DU123',
    instrument: { venue: 'SIM', symbol: 'AAPL' },
    side: 'BUY',
    type: 'LIMIT',
    quantity: d('10'),
    limitPrice: d('100.00'),
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'S1',
    tags: {},
    ...overrides,
  };
}

describe('validateOrderSpec', () => {
  it.each<[string, Partial<OrderSpec>]>([
    ['a limit order', {}],
    ['a market order', { type: 'MARKET', limitPrice: undefined, timeInForce: 'IOC' }],
    ['a stop order', { type: 'STOP', limitPrice: undefined, stopPrice: d('95') }],
    ['a stop-limit order', { type: 'STOP_LIMIT', stopPrice: d('95') }],
    ['a GTD order', { timeInForce: 'GTD', expireTime: 1_800_000_000_000_000_000n }],
    ['a post-only GTC order', { postOnly: true, timeInForce: 'GTC' }],
    ['a bracket child', { parentClientOrderId: 'S1parent', ocoGroup: 'g1' }],
    ['a fractional quantity', { quantity: d('0.0001') }],
  ])('accepts %s', (_name, overrides) => {
    expect(validateOrderSpec(spec(overrides))).toBeUndefined();
  });

  it.each<[Partial<OrderSpec>, keyof OrderSpec, string]>([
    [{ clientOrderId: 'S1-abc' }, 'clientOrderId', 'expected clientOrderId of 1 to 32 characters [A-Za-z0-9], was "S1-abc"'],
    [{ clientOrderId: 'a'.repeat(33) }, 'clientOrderId', `expected clientOrderId of 1 to 32 characters [A-Za-z0-9], was "${'a'.repeat(33)}"`],
    [{ account: ' ' }, 'account', 'expected a non-empty account, was " "'],
    [{ strategyId: '' }, 'strategyId', 'expected a non-empty strategyId, was ""'],
    [{ instrument: { venue: '', symbol: 'AAPL' } }, 'instrument', 'expected an instrument with venue and symbol, was ":AAPL"'],
    [{ side: 'HOLD' as never }, 'side', 'expected side one of BUY, SELL, was "HOLD"'],
    [{ type: 'ICEBERG' as never }, 'type', 'expected type one of MARKET, LIMIT, STOP, STOP_LIMIT, was "ICEBERG"'],
    [{ timeInForce: 'GTX' as never }, 'timeInForce', 'expected timeInForce one of DAY, GTC, IOC, FOK, GTD, was "GTX"'],
    [{ quantity: d('-5') }, 'quantity', 'expected quantity > 0, was -5'],
    [{ quantity: d('0.000') }, 'quantity', 'expected quantity > 0, was 0.000'],
    [{ limitPrice: undefined }, 'limitPrice', 'expected limitPrice for a LIMIT order, was absent'],
    [{ limitPrice: d('0') }, 'limitPrice', 'expected limitPrice > 0, was 0'],
    [{ type: 'STOP_LIMIT' }, 'stopPrice', 'expected stopPrice for a STOP_LIMIT order, was absent'],
    [{ type: 'STOP', stopPrice: d('-1') }, 'limitPrice', 'expected no limitPrice for a STOP order, was 100.00'],
    [{ type: 'STOP', limitPrice: undefined, stopPrice: d('-1') }, 'stopPrice', 'expected stopPrice > 0, was -1'],
    [{ type: 'MARKET' }, 'limitPrice', 'expected no limitPrice for a MARKET order, was 100.00'],
    [{ type: 'MARKET', limitPrice: undefined, stopPrice: d('1') }, 'stopPrice', 'expected no stopPrice for a MARKET order, was 1'],
    [{ stopPrice: d('99') }, 'stopPrice', 'expected no stopPrice for a LIMIT order, was 99'],
    [{ timeInForce: 'GTD' }, 'expireTime', 'expected expireTime for a GTD order, was absent'],
    [{ timeInForce: 'GTD', expireTime: 0n }, 'expireTime', 'expected expireTime > 0 for a GTD order, was 0'],
    [{ expireTime: 5n }, 'expireTime', 'expected no expireTime for a DAY order, was 5'],
    [{ postOnly: true, type: 'MARKET', limitPrice: undefined }, 'postOnly', 'expected postOnly only on LIMIT orders, was MARKET'],
    [{ postOnly: true, timeInForce: 'IOC' }, 'postOnly', 'expected postOnly with DAY, GTC or GTD, was IOC'],
    [{ parentClientOrderId: 'p-1' }, 'parentClientOrderId', 'expected parentClientOrderId of 1 to 32 characters [A-Za-z0-9], was "p-1"'],
    [{ parentClientOrderId: 'S1abc' }, 'parentClientOrderId', 'expected a parent other than the order itself, was S1abc'],
  ])('refuses %o: %s', (overrides, field, reason) => {
    expect(findOrderSpecProblem(spec(overrides))).toEqual({ field, reason });
    expect(validateOrderSpec(spec(overrides))).toBe(reason);
  });

  it('reports the first problem only', () => {
    expect(validateOrderSpec(spec({ account: '', quantity: d('-1') }))).toBe('expected a non-empty account, was ""');
  });
});
