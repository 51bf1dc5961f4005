import { EmaCrossStrategy } from '../examples/ema-cross';
import { LatencyProbeStrategy } from '../examples/latency-probe';
import { createStrategy, StrategyConfigError } from './strategy-factory';

const params = { venue: 'SIM', symbol: 'ACME', fastPeriod: 5, slowPeriod: 20, quantity: '10' };

describe('createStrategy', () => {
  it('builds the EMA crossover from its settings', () => {
    const strategy = createStrategy({ type: 'ema-cross', id: 'ema1', params });
    expect(strategy).toBeInstanceOf(EmaCrossStrategy);
    expect(strategy.id).toBe('ema1');
    expect(strategy.subscriptions.quotes).toEqual([{ venue: 'SIM', symbol: 'ACME' }]);
  });

  it('builds the latency probe from its settings', () => {
    const strategy = createStrategy({ type: 'latency-probe', id: 'probe1', params: { venue: 'SIM', symbol: 'ACME', every: 50 } });
    expect(strategy).toBeInstanceOf(LatencyProbeStrategy);
    expect(strategy.subscriptions.quotes).toEqual([{ venue: 'SIM', symbol: 'ACME' }]);
    expect(() => createStrategy({ type: 'latency-probe', id: 'probe2', params: { venue: 'SIM', symbol: 'ACME', every: 0 } })).toThrow(
      'strategy probe2: expected every as a positive integer, was 0',
    );
    expect(() =>
      createStrategy({ type: 'latency-probe', id: 'probe3', params: { venue: 'SIM', symbol: 'ACME', every: 50, startAfter: 'soon' } }),
    ).toThrow('strategy probe3: expected startAfter as a positive integer, was "soon"');
  });

  it.each([
    [{ type: 'nope', id: 's1', params }, 'strategy s1: expected type one of ema-cross, latency-probe, was "nope"'],
    [{ type: 'ema-cross', id: 's2', params: { ...params, fastPeriod: 'five' } }, 'strategy s2: expected fastPeriod as a positive integer, was "five"'],
    [{ type: 'ema-cross', id: 's3', params: { ...params, quantity: 'lots' } }, 'strategy s3: expected quantity as a decimal such as "10", was "lots"'],
    [{ type: 'ema-cross', id: 's4', params: { ...params, mode: 'yolo' } }, 'strategy s4: expected mode one of long-only, long-short, was "yolo"'],
    [{ type: 'ema-cross', id: 's5', params: { ...params, fastPeriod: 30 } }, 'strategy s5: expected fastPeriod < slowPeriod, was fastPeriod=30 slowPeriod=20'],
  ])('refuses a bad definition with a message naming strategy and setting (%#)', (definition, message) => {
    expect(() => createStrategy(definition)).toThrow(StrategyConfigError);
    expect(() => createStrategy(definition)).toThrow(message);
  });
});
