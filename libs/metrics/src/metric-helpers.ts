import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { MetricsError } from './metrics-error';

type MetricClass = typeof Counter | typeof Gauge | typeof Histogram;

const KIND: ReadonlyMap<MetricClass, string> = new Map<MetricClass, string>([
  [Counter, 'a counter'],
  [Gauge, 'a gauge'],
  [Histogram, 'a histogram'],
]);

/**
 * Returns the metric already registered under `name` when it has the same kind and labels,
 * so two components (or a restarted component) asking for the same metric share it.
 */
function existing<M>(registry: Registry, kind: MetricClass, name: string, labelNames: readonly string[]): M | undefined {
  const found: unknown = registry.getSingleMetric(name);
  if (found === undefined) return undefined;
  if (!(found instanceof kind)) {
    const actual = [...KIND.entries()].find(([cls]) => found instanceof cls)?.[1] ?? 'another kind of metric';
    throw new MetricsError(`metric ${name}: expected ${KIND.get(kind) ?? 'a metric'}, was already registered as ${actual}`);
  }
  const registered = (found as { labelNames?: readonly string[] }).labelNames ?? [];
  if (!sameNames(registered, labelNames)) {
    throw new MetricsError(
      `metric ${name}: expected labels [${labelNames.join(', ')}], was already registered with [${registered.join(', ')}]`,
    );
  }
  return found as M;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort();
  return [...a].sort().every((name, i) => name === sorted[i]);
}

/**
 * A counter on `registry`, or the one already there under `name`.
 * @throws MetricsError when `name` is taken by another kind of metric or other labels
 * @example
 * const denials = counter(registry, 'ttq_risk_denials_total', 'Orders denied by risk.', ['reason']);
 * denials.inc({ reason: 'max_notional' });
 */
export function counter<L extends string = string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Counter<L> {
  return existing<Counter<L>>(registry, Counter, name, labelNames) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/**
 * A gauge on `registry`, or the one already there under `name`.
 * @throws MetricsError when `name` is taken by another kind of metric or other labels
 * @example
 * const open = gauge(registry, 'ttq_open_orders', 'Orders open at the venue.', ['account']);
 * open.set({ account }, 3);
 */
export function gauge<L extends string = string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Gauge<L> {
  return existing<Gauge<L>>(registry, Gauge, name, labelNames) ?? new Gauge<L>({ name, help, labelNames, registers: [registry] });
}

/**
 * A histogram on `registry`, or the one already there under `name` (its buckets are kept).
 * @param buckets upper bounds; prom-client's defaults (5 ms to 10 s, in seconds) when omitted
 * @throws MetricsError when `name` is taken by another kind of metric or other labels
 * @example
 * const latency = histogram(registry, 'ttq_order_ack_seconds', 'Submit to venue ack.', ['venue'], [0.001, 0.01, 0.1, 1]);
 * latency.observe({ venue: 'ib' }, 0.012);
 */
export function histogram<L extends string = string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  buckets?: readonly number[],
): Histogram<L> {
  return (
    existing<Histogram<L>>(registry, Histogram, name, labelNames) ??
    new Histogram<L>({ name, help, labelNames, registers: [registry], ...(buckets ? { buckets: [...buckets] } : {}) })
  );
}
