import { collectDefaultMetrics, Registry } from 'prom-client';

/** Identity of the process whose metrics a registry holds. */
export interface MetricsOptions {
  /** Service name, added to every series as the `service` label. */
  readonly service: string;
  /** Instance id, added to every series as the `instance` label. */
  readonly instance: string;
  /** Collect Node's process metrics (CPU, memory, event-loop lag, GC); true when omitted. */
  readonly defaultMetrics?: boolean;
}

/**
 * Creates the metrics registry of one service. Each service has its own registry rather
 * than prom-client's global one, so tests and several components in one process do not
 * share counters by accident.
 *
 * @example
 * const registry = createMetrics({ service: 'gateway', instance });
 * const orders = counter(registry, 'ttq_orders_submitted_total', 'Orders sent to the venue.', ['venue']);
 * orders.inc({ venue: 'ib' });
 */
export function createMetrics(options: MetricsOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service, instance: options.instance });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
