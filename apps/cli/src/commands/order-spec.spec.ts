import { isValidClientOrderId, parseClientOrderId, validateOrderSpec } from '@ttquant/domain';
import { parseCommandArgs } from '../args';
import { manualClientOrderId, orderSpecFromArgs, SUBMIT_FLAGS } from './order-spec';

const parse = (...argv: string[]) => orderSpecFromArgs(parseCommandArgs('order submit', argv, SUBMIT_FLAGS), () => 'manualid1');

describe('orderSpecFromArgs', () => {
  it('builds a market day order of the manual strategy by default', () => {
    const spec = parse('--account', 'SIM001', '--symbol', 'ACME', '--side', 'buy', '--qty', '10');
    expect(spec).toMatchObject({
      clientOrderId: 'manualid1',
      account: 'SIM001',
      instrument: { venue: 'SIM', symbol: 'ACME' },
      side: 'BUY',
      type: 'MARKET',
      timeInForce: 'DAY',
      strategyId: 'manual',
    });
    expect(spec.quantity.toString()).toBe('10');
    expect(validateOrderSpec(spec)).toBeUndefined();
  });

  it('takes stop-limit prices, time in force, venue and an explicit id', () => {
    const spec = parse(
      ...['--account', 'A1', '--symbol', 'BTC-USD', '--venue', 'X', '--side', 'SELL', '--qty', '0.5'],
      ...['--type', 'stop-limit', '--price', '59000.5', '--stop-price', '59100', '--tif', 'gtc', '--id', 'retry42'],
    );
    expect(spec).toMatchObject({ clientOrderId: 'retry42', instrument: { venue: 'X', symbol: 'BTC-USD' }, side: 'SELL', type: 'STOP_LIMIT', timeInForce: 'GTC' });
    expect(spec.limitPrice?.toString()).toBe('59000.5');
    expect(spec.stopPrice?.toString()).toBe('59100');
  });

  it.each([
    [['--symbol', 'ACME', '--side', 'buy', '--qty', '1'], '--account is required, e.g. --account SIM001'],
    [['--account', 'A', '--symbol', 'ACME', '--qty', '1'], '--side is required: buy or sell'],
    [['--account', 'A', '--symbol', 'ACME', '--side', 'buy'], '--qty is required, e.g. --qty 10'],
    [['--account', 'A', '--symbol', 'ACME', '--side', 'buy', '--qty=-5'], 'invalid order: expected quantity > 0, was -5 (--qty)'],
    [['--account', 'A', '--symbol', 'ACME', '--side', 'buy', '--qty', '1', '--type', 'limit'], 'invalid order: expected limitPrice for a LIMIT order, was absent (--price)'],
    [['--account', 'A', '--symbol', 'ACME', '--side', 'buy', '--qty', '1', '--price', '10'], 'invalid order: expected no limitPrice for a MARKET order, was 10 (--price)'],
    [['--account', 'A', '--symbol', 'ACME', '--side', 'buy', '--qty', '1', '--type', 'iceberg'], '--type: expected one of market, limit, stop, stop-limit, was "iceberg"'],
    [['--account', 'A', '--symbol', 'ACME', '--side', 'buy', '--qty', '1', '--id', 'has-dash'], '--id: expected 1 to 32 characters [A-Za-z0-9], was "has-dash"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parse(...argv)).toThrow(expect.objectContaining({ name: 'UsageError', message }));
  });
});

describe('manualClientOrderId', () => {
  it('makes valid ids of the manual strategy that differ between processes started in the same millisecond', () => {
    const a = manualClientOrderId(1_700_000_000_000, 4242);
    const b = manualClientOrderId(1_700_000_000_000, 4243);
    expect(isValidClientOrderId(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(parseClientOrderId(a)).toMatchObject({ strategyTag: 'manual', runEpoch: 1_700_000_000_000n, counter: 4243n });
  });
});
