import { Counter, Gauge, type Registry } from 'prom-client';
import { topicFamily } from './topics';

/** Counts by label value (a topic family or a malformed reason). */
export type LabelCounts = ReadonlyMap<string, number>;

/** What a socket reports to Prometheus; each counter is optional. */
export interface SocketMetricsSnapshot {
  readonly sent?: LabelCounts;
  readonly received?: LabelCounts;
  readonly malformed?: LabelCounts;
  readonly gaps?: LabelCounts;
  readonly missing?: LabelCounts;
  readonly duplicates?: LabelCounts;
  /** Messages waiting in the socket's local send queue. */
  readonly queued?: number;
}

/** A socket whose counters are exported. */
export interface MetricsSource {
  /** The `socket` label. */
  readonly name: string;
  /** Current counters; called at scrape time only. */
  metricsSnapshot(): SocketMetricsSnapshot;
}

type CounterKey = Exclude<keyof SocketMetricsSnapshot, 'queued'>;

const COUNTERS: ReadonlyArray<{ key: CounterKey; name: string; help: string; label: 'topic_family' | 'reason' }> = [
  { key: 'sent', name: 'ttq_bus_messages_sent_total', help: 'Messages stamped and handed to ZeroMQ (or its local queue).', label: 'topic_family' },
  { key: 'received', name: 'ttq_bus_messages_received_total', help: 'Valid messages delivered to consumers.', label: 'topic_family' },
  { key: 'malformed', name: 'ttq_bus_malformed_frames_total', help: 'Frames dropped because they could not be decoded or validated.', label: 'reason' },
  { key: 'gaps', name: 'ttq_bus_sequence_gaps_total', help: 'Sequence gaps detected (runs of missing messages).', label: 'topic_family' },
  { key: 'missing', name: 'ttq_bus_missing_messages_total', help: 'Messages missing inside detected gaps.', label: 'topic_family' },
  { key: 'duplicates', name: 'ttq_bus_duplicate_messages_total', help: 'Repeated or old sequence numbers dropped.', label: 'topic_family' },
];

const registries = new WeakMap<Registry, BusMetrics>();

/**
 * The bus's Prometheus metrics in one registry. Sockets keep plain counters on
 * their hot paths; these are read only when the registry is scraped. Counters
 * of closed sockets are kept, so the exported totals never go down.
 */
export class BusMetrics {
  private readonly sources = new Set<MetricsSource>();
  // counter key → socket name → label value → count, of sockets already closed.
  private readonly retired = new Map<CounterKey, Map<string, Map<string, number>>>();

  private constructor(registry: Registry) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- collect() runs with the metric as `this`
    const metrics = this;
    for (const spec of COUNTERS) {
      new Counter({
        name: spec.name,
        help: spec.help,
        labelNames: ['socket', spec.label],
        registers: [registry],
        collect() {
          this.reset();
          metrics.forEach(spec.key, (socket, value, count) => this.inc({ socket, [spec.label]: value }, count));
        },
      });
    }
    new Gauge({
      name: 'ttq_bus_send_queue_length',
      help: 'Messages waiting in a socket’s local queue for ZeroMQ.',
      labelNames: ['socket'],
      registers: [registry],
      collect() {
        this.reset();
        for (const source of metrics.sources) {
          const queued = source.metricsSnapshot().queued;
          if (queued !== undefined) this.inc({ socket: source.name }, queued);
        }
      },
    });
  }

  /** The bus metrics of a registry, created and registered on first use. */
  static of(registry: Registry): BusMetrics {
    let metrics = registries.get(registry);
    if (!metrics) {
      metrics = new BusMetrics(registry);
      registries.set(registry, metrics);
    }
    return metrics;
  }

  /** Starts exporting a socket's counters. */
  attach(source: MetricsSource): void {
    this.sources.add(source);
  }

  /** Stops reading a socket (it closed) but keeps its final counts. */
  detach(source: MetricsSource): void {
    if (!this.sources.delete(source)) return;
    const snapshot = source.metricsSnapshot();
    for (const spec of COUNTERS) {
      const counts = snapshot[spec.key];
      if (!counts) continue;
      let bySocket = this.retired.get(spec.key);
      if (!bySocket) this.retired.set(spec.key, (bySocket = new Map()));
      let byLabel = bySocket.get(source.name);
      if (!byLabel) bySocket.set(source.name, (byLabel = new Map()));
      for (const [label, count] of counts) byLabel.set(label, (byLabel.get(label) ?? 0) + count);
    }
  }

  private forEach(key: CounterKey, visit: (socket: string, label: string, count: number) => void): void {
    for (const [socket, byLabel] of this.retired.get(key) ?? []) {
      for (const [label, count] of byLabel) visit(socket, label, count);
    }
    for (const source of this.sources) {
      const counts = source.metricsSnapshot()[key];
      if (counts) for (const [label, count] of counts) visit(source.name, label, count);
    }
  }
}

interface Cell {
  count: number;
}

const TOPIC_CACHE_LIMIT = 100_000;

/**
 * Counts messages by topic family with one map lookup per message: topics
 * are mapped to their family's cell once and cached.
 */
export class FamilyCounts {
  private readonly byTopic = new Map<string, Cell>();
  private readonly byFamily = new Map<string, Cell>();

  /** Adds `n` to the family of `topic`. */
  add(topic: string, n = 1): void {
    let cell = this.byTopic.get(topic);
    if (cell === undefined) {
      const family = topicFamily(topic);
      cell = this.byFamily.get(family);
      if (cell === undefined) this.byFamily.set(family, (cell = { count: 0 }));
      // Bounded: garbage topics must not grow memory; counts live in the family cells.
      if (this.byTopic.size >= TOPIC_CACHE_LIMIT) this.byTopic.clear();
      this.byTopic.set(topic, cell);
    }
    cell.count += n;
  }

  /** Counts by family. */
  snapshot(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [family, cell] of this.byFamily) out.set(family, cell.count);
    return out;
  }
}

/** Counts by a small fixed set of labels (e.g. malformed reasons). */
export class LabelCounter {
  private readonly counts = new Map<string, number>();

  /** Adds `n` to a label's count. */
  add(label: string, n = 1): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + n);
  }

  /** A label's count (0 if never counted). */
  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }

  /** The sum over all labels. */
  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** A copy of the counts. */
  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }
}
