import { createMetrics } from './create-metrics';
import { counter } from './metric-helpers';

describe('createMetrics', () => {
  it('labels every series with service and instance and includes Node process metrics', async () => {
    const registry = createMetrics({ service: 'gateway', instance: 'host-1' });
    counter(registry, 'ttq_orders_total', 'Orders.').inc(2);
    const text = await registry.metrics();
    expect(text).toContain('ttq_orders_total{service="gateway",instance="host-1"} 2');
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="gateway",instance="host-1"\} /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{/m);
  });

  it('gives each service its own registry', async () => {
    const a = createMetrics({ service: 'a', instance: '1', defaultMetrics: false });
    const b = createMetrics({ service: 'b', instance: '1', defaultMetrics: false });
    counter(a, 'ttq_x_total', 'X.').inc();
    expect(await b.metrics()).not.toContain('ttq_x_total');
    expect(await a.metrics()).not.toContain('process_cpu');
  });
});
