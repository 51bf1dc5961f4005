import type { ShardLeaseStats, WriterStats } from '@ttquant/storage';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DropTracker } from './drop-tracker';
import type { OrderUpserter } from './order-upserter';
import type { ReplayStats } from './replay-recovery';
import type { ShardedStoreCounts } from './sharded-store';
import type { RouterCounts } from './store-router';
import type { TableWriters } from './table-writers';

/** What the metrics are read from. */
export interface MetricSources {
  readonly writers: TableWriters;
  readonly router: { readonly counts: RouterCounts };
  readonly orders: OrderUpserter;
  readonly drops: DropTracker;
  /** Sequence gaps the bus subscriber detected. */
  readonly gaps: () => number;
  /** Connections of the writers' pool in use: COPYs (or parkings) in progress. */
  readonly writerConnectionsBusy: () => number;
  readonly shards: () => ShardLeaseStats;
  readonly store: ShardedStoreCounts;
  readonly replay: ReplayStats;
  readonly checkpoints: () => { readonly saves: number; readonly failures: number };
}

type Labels = Record<string, string>;
type Reading = readonly [labels: Labels, value: number];
/** Values by labels, or one number for a metric without labels. */
type Read = () => Reading[] | number;

function readingsOf(read: Read): Reading[] {
  const value = read();
  return typeof value === 'number' ? [[{}, value]] : value;
}

/**
 * Registers persistence's Prometheus metrics. Every value is read from its
 * component when `/metrics` is scraped: the hot path keeps plain numbers and
 * pays nothing for being observed.
 */
export function registerPersistenceMetrics(registry: Registry, sources: MetricSources): void {
  const { writers, router, orders, drops } = sources;
  const byTable =
    (read: (stats: WriterStats) => number) =>
    (): Reading[] =>
      [...writers.stats()].map(([table, stats]) => [{ table }, read(stats)]);

  counterOf(registry, 'ttq_persistence_rows_written_total', 'Rows stored, by table.', ['table'], byTable((s) => s.rowsWritten));
  counterOf(
    registry,
    'ttq_persistence_duplicate_rows_total',
    'Rows not stored because the same key was stored already (replays), by table.',
    ['table'],
    byTable((s) => s.duplicatesSkipped),
  );
  counterOf(registry, 'ttq_persistence_rows_parked_total', 'Rows the database refused, kept aside and alerted, by table.', ['table'], byTable((s) => s.rowsParked));
  gaugeOf(registry, 'ttq_persistence_writer_buffered_rows', 'Rows accepted but not yet stored, by table.', ['table'], byTable((s) => s.bufferedRows));
  gaugeOf(
    registry,
    'ttq_persistence_writer_buffer_fill_ratio',
    'Buffered rows over the most a writer holds before the bus reader waits (1 = backpressure), by table.',
    ['table'],
    byTable((s) => s.bufferedRows / writers.maxBufferedRows),
  );
  counterOf(registry, 'ttq_persistence_messages_total', 'Bus messages by outcome: stored, ignored (not stored by design) or dropped.', ['outcome'], () => [
    [{ outcome: 'stored' }, router.counts.stored],
    [{ outcome: 'ignored' }, router.counts.ignored],
    [{ outcome: 'dropped' }, router.counts.dropped],
  ]);
  counterOf(registry, 'ttq_persistence_malformed_total', 'Messages dropped as malformed, by reason.', ['reason'], () =>
    Object.entries(drops.byReason()).map(([reason, count]) => [{ reason }, count]),
  );
  counterOf(registry, 'ttq_persistence_sequence_gaps_total', 'Sequence gaps detected on the streams stored.', [], () => sources.gaps());
  counterOf(registry, 'ttq_persistence_orders_upserted_total', 'Current-order rows inserted or changed.', [], () => orders.stats.upserted);
  counterOf(registry, 'ttq_persistence_order_upsert_failures_total', 'Current-order writes that failed and were retried.', [], () => orders.stats.failures);
  gaugeOf(registry, 'ttq_persistence_orders_pending', 'Orders waiting to be written to the current-orders table.', [], () => orders.stats.pending);
  counterOf(registry, 'ttq_persistence_orders_parked_total', 'Order events the current-orders table refused, parked and alerted.', [], () => orders.stats.parked);
  gaugeOf(registry, 'ttq_persistence_writer_connections_busy', 'Writer connections in use: COPY batches (or parkings) in progress.', [], () => sources.writerConnectionsBusy());
  gaugeOf(registry, 'ttq_persistence_shards_held', 'Shards of the topic space this worker stores.', [], () => sources.shards().held);
  gaugeOf(registry, 'ttq_persistence_live_workers', 'Persistence workers holding a membership lock at the last check.', [], () => sources.shards().liveWorkers);
  counterOf(registry, 'ttq_persistence_shards_claimed_total', 'Shards this worker claimed (start, a dead worker, a rebalance).', [], () => sources.shards().claimed);
  counterOf(registry, 'ttq_persistence_foreign_messages_total', "Messages of shards other workers hold, not stored here.", [], () => sources.store.foreign);
  counterOf(registry, 'ttq_persistence_stream_tails_total', "Lost stream tails found from publishers' announced heads.", [], () => sources.store.tails);
  counterOf(registry, 'ttq_persistence_previous_runs_total', "Previous publisher runs whose end was fetched once a newer run appeared.", [], () => sources.store.previousRuns);
  counterOf(registry, 'ttq_persistence_stale_holes_total', 'Stream holes still open a whole sweep later, asked for again.', [], () => sources.store.staleHoles);
  counterOf(registry, 'ttq_persistence_replay_retries_total', 'Failed replay requests made again after their backoff.', [], () => sources.replay.retries);
  counterOf(registry, 'ttq_persistence_replay_requests_total', 'Replay requests sent to the journals.', [], () => sources.replay.requests);
  counterOf(registry, 'ttq_persistence_replay_recovered_total', 'Messages recovered from the journals.', [], () => sources.replay.recovered);
  counterOf(registry, 'ttq_persistence_checkpoints_total', 'Stream progress checkpoints written.', [], () => sources.checkpoints().saves);
}

function counterOf(registry: Registry, name: string, help: string, labelNames: string[], read: Read): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of readingsOf(read)) if (value > 0) this.inc(labels, value);
    },
  });
}

function gaugeOf(registry: Registry, name: string, help: string, labelNames: string[], read: Read): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [labels, value] of readingsOf(read)) this.set(labels, value);
    },
  });
}
