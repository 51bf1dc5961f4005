import { Registry } from 'prom-client';
import { counter, gauge, histogram } from './metric-helpers';
import { MetricsError } from './metrics-error';

describe('metric helpers', () => {
  it('return the metric already registered under a name instead of clashing', async () => {
    const registry = new Registry();
    const first = counter(registry, 'ttq_fills_total', 'Fills.', ['venue']);
    const second = counter(registry, 'ttq_fills_total', 'Fills.', ['venue']);
    expect(second).toBe(first);
    first.inc({ venue: 'ib' });
    second.inc({ venue: 'ib' });
    expect(await registry.metrics()).toContain('ttq_fills_total{venue="ib"} 2');
  });

  it('create gauges and histograms with buckets', async () => {
    const registry = new Registry();
    gauge(registry, 'ttq_open_orders', 'Open orders.', ['account']).set({ account: 'A1' }, 3);
    histogram(registry, 'ttq_ack_seconds', 'Ack latency.', [], [0.01, 0.1]).observe(0.05);
    expect(gauge(registry, 'ttq_open_orders', 'Open orders.', ['account'])).toBe(registry.getSingleMetric('ttq_open_orders'));
    const text = await registry.metrics();
    expect(text).toContain('ttq_open_orders{account="A1"} 3');
    expect(text).toContain('ttq_ack_seconds_bucket{le="0.01"} 0');
    expect(text).toContain('ttq_ack_seconds_bucket{le="0.1"} 1');
  });

  it('refuse a name taken by another kind of metric', () => {
    const registry = new Registry();
    gauge(registry, 'ttq_queue_depth', 'Depth.');
    expect(() => counter(registry, 'ttq_queue_depth', 'Depth.')).toThrow(MetricsError);
    expect(() => counter(registry, 'ttq_queue_depth', 'Depth.')).toThrow(
      'metric ttq_queue_depth: expected a counter, was already registered as a gauge',
    );
  });

  it('refuse the same name with other labels', () => {
    const registry = new Registry();
    counter(registry, 'ttq_orders_total', 'Orders.', ['venue']);
    expect(() => counter(registry, 'ttq_orders_total', 'Orders.', ['venue', 'side'])).toThrow(
      'metric ttq_orders_total: expected labels [venue, side], was already registered with [venue]',
    );
  });
});
