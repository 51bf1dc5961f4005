import { Publisher, Subscriber, topics, type BusMessage } from '@ttquant/bus';
import { busSchema } from '@ttquant/config';
import type { Alert } from '@ttquant/domain';
import { child } from '@ttquant/logging';
import { encodePayload } from '@ttquant/protocol';
import { EXIT_CODES, runService, StartupError } from '@ttquant/service';
import { Heartbeat, socketOptionsFrom } from '@ttquant/service-bus';
import {
  assertShardCount,
  classifyFailure,
  ensureStreamProgressTable,
  guardPool,
  latestStreamProgress,
  loadStreamProgress,
  orderRow,
  PgInstrumentCache,
  RowParker,
  saveStreamProgress,
  ShardLeases,
  sqlStateOf,
  tableDef,
  upsertOrders,
  type ParkedRows,
} from '@ttquant/storage';
import { Pool } from 'pg';
import { waitUntilQuiet } from './bus-drain';
import { DropTracker } from './drop-tracker';
import { InstrumentRegistry } from './instrument-registry';
import { openDatabase } from './open-database';
import { OrderUpserter } from './order-upserter';
import { parkedRowsAlert } from './parked-alert';
import { PartitionMaintenance } from './partition-maintenance';
import { ProgressCheckpoint } from './progress-checkpoint';
import { PERSISTENCE_SHUTDOWN_TIMEOUT_MS, persistenceSchema, retentionByTable } from './persistence-config';
import { registerPersistenceMetrics } from './persistence-metrics';
import { ReplayRecovery } from './replay-recovery';
import { MessageParker } from './message-parking';
import { ShardedStore } from './sharded-store';
import { StoreRouter } from './store-router';
import { StreamLedger } from './stream-ledger';
import { storeSubscriptions } from './subscriptions';
import { TableWriters } from './table-writers';

/** An unchanged instrument definition is written again (moving `last_seen`) at most once a minute. */
const INSTRUMENT_REFRESH_NS = 60_000_000_000n;
/** Connections of the batch writers' own pool: one COPY at a time per table, and the busiest tables rarely flush together. */
const WRITER_CONNECTIONS = 6;
/** Share of the shutdown budget kept for the last checkpoint and the writers' close, whatever replay still wants. */
const SHUTDOWN_RESERVE = 0.4;

/**
 * Persistence: stores what the bus carries — ticks, instruments, order events
 * (and the current state of every order), fills, positions, account states,
 * venue status and alerts — in PostgreSQL (TimescaleDB when available), in
 * batches, with backpressure from the database to the bus reader. Starts
 * before the producers and stops after them, storing everything it received.
 */
void runService({
  name: 'persistence',
  schema: { bus: busSchema, persistence: persistenceSchema },
  defaultHttpPort: 9104,
  defaultShutdownTimeout: PERSISTENCE_SHUTDOWN_TIMEOUT_MS,
  async start(ctx) {
    const { bus, persistence: settings, service } = ctx.config.properties;
    const sockets = { ...socketOptionsFrom(bus), registry: ctx.registry };
    const storageLog = child(ctx.logger, 'storage');
    if (settings.batchRows < 1) {
      throw new StartupError(`persistence.batchRows: expected an integer >= 1, was ${settings.batchRows}`, EXIT_CODES.config);
    }
    try {
      assertShardCount(settings.shards);
    } catch (error) {
      throw new StartupError(`persistence.shards: ${(error as Error).message}`, EXIT_CODES.config);
    }
    const retentionDays = retentionByTable(settings.retentionDays);

    const { db, schema } = await openDatabase(settings, retentionDays, {
      applicationName: `persistence/${service.instance}`,
      logger: storageLog,
    });
    ctx.onShutdown('database', () => db.close());
    ctx.logger.info({ path: schema.path, version: schema.version, applied: schema.applied, embedded: db.embedded }, 'database ready');
    const workerId = `${service.name}/${service.instance}`;
    // The writers' own connections: their busy count is exactly the COPYs in progress (a metric operators and tests watch).
    const writerPool = new Pool({ connectionString: db.url, max: WRITER_CONNECTIONS, application_name: `${workerId}/writers` });
    // A connection reset, idle or under a running COPY, fails at most that statement (retried); it must not crash the process.
    guardPool(writerPool, (error, inUse) => storageLog.warn({ error: error.message }, inUse ? 'writer connection in use failed' : 'idle writer connection failed'));
    ctx.onShutdown('writer connections', () => writerPool.end());
    try {
      await ensureStreamProgressTable(db.pool);
    } catch (error) {
      throw new StartupError(`cannot create ttq_stream_progress: ${(error as Error).message}`, EXIT_CODES.unavailable, { cause: error });
    }

    const source = { service: service.name, instance: service.instance };
    const status = new Publisher({ ...sockets, name: 'persistence-status', source });
    status.connect(bus.xsubEndpoint);
    const publishAlert = (alert: Alert) => {
      try {
        if (!status.closed) status.publish(topics.alert(), encodePayload({ kind: 'alert', value: alert }));
      } catch (error) {
        ctx.logger.error({ err: error, alert }, 'alert not published');
      }
    };

    const drops = new DropTracker(ctx.logger);
    const writers = new TableWriters(writerPool, {
      batchRows: settings.batchRows,
      flushIntervalMs: settings.flushInterval,
      parkFile: settings.parkFile || undefined,
      onParked: (parked: ParkedRows) => publishAlert(parkedRowsAlert(parked, workerId)),
      logger: storageLog,
    });
    const orderParker = new RowParker(db.pool, storageLog, settings.parkFile || undefined, (parked) =>
      publishAlert(parkedRowsAlert(parked, workerId)),
    );
    // Messages that cannot become rows are kept whole, once each, with the same alert as parked rows.
    const messageParker = new MessageParker(orderParker);
    ctx.onShutdown('parked messages', () => messageParker.idle());
    const orderColumns = tableDef('orders').columns.filter((c) => !c.identity);
    const orders = new OrderUpserter({
      eventsStored: () => writers.writer('order_events').flush(),
      upsert: (events) => upsertOrders(db.pool, events),
      intervalMs: settings.orderUpsertInterval,
      onError: (error, count) => ctx.logger.warn({ err: error, orders: count }, 'current orders not written; retrying'),
      refusedForData: (error) => classifyFailure(error) === 'row',
      park: async (events, error) => {
        const reason = error instanceof Error ? error.message : String(error);
        await orderParker.park('orders', orderColumns, events.map(orderRow), reason, sqlStateOf(error), 1);
      },
    });
    const cache = new PgInstrumentCache(db.pool);
    const instruments = new InstrumentRegistry({
      store: cache,
      refreshNs: INSTRUMENT_REFRESH_NS,
      onError: (error, instrument) => ctx.logger.warn({ err: error, instrument: instrument.id }, 'instrument not stored; retrying'),
    });
    try {
      instruments.preload((await cache.list()).map((stored) => stored.instrument));
    } catch (error) {
      throw new StartupError(`cannot read the instrument cache: ${(error as Error).message}`, EXIT_CODES.unavailable, { cause: error });
    }

    const endpoints: Record<string, string> = {
      ...(settings.replay.marketData ? { 'market-data': settings.replay.marketData } : {}),
      ...(settings.replay.gateway ? { gateway: settings.replay.gateway } : {}),
    };
    const ledger = new StreamLedger();
    const replay = new ReplayRecovery({
      endpoints,
      // Called only once streams flow, after the sharded store below exists.
      route: (message: BusMessage): void | Promise<void> => store.handle(message),
      logger: child(ctx.logger, 'replay'),
      timeoutMs: settings.replay.timeout,
      // Gone for good: stop waiting for them, or the stream's progress would stay behind the hole forever.
      onGivenUp: (range, from, to) => ledger.note(range, range.epoch, from, to),
      // A previous run's end fetched: the ledger may drop that run once it is checkpointed.
      onSettled: (range) => store.onSettled(range),
    });
    const subscriptions = storeSubscriptions(settings.store);
    const leasesRef: { current?: ShardLeases } = {};
    const store = new ShardedStore({
      shardCount: settings.shards,
      holds: (shard) => leasesRef.current?.holds(shard) ?? false,
      route: (message) => router.route(message),
      ledger,
      replay,
      progress: { load: (stream) => loadStreamProgress(db.pool, stream), latest: () => latestStreamProgress(db.pool) },
      stored: (topic) => subscriptions.some((subscription) => topic.startsWith(subscription)),
      replayable: (service) => endpoints[service] !== undefined,
      logger: child(ctx.logger, 'shards'),
    });
    const checkpoint = new ProgressCheckpoint({
      ledger,
      flush: async () => {
        await writers.flushAll();
        await orders.flush();
      },
      save: (entries) => saveStreamProgress(db.pool, entries),
      // A checkpoint flushes the writers: never more often than they flush by time, or batches would be cut short.
      intervalMs: Math.max(settings.checkpointInterval, settings.flushInterval),
      logger: ctx.logger,
    });
    const inbox = new Subscriber({
      ...sockets,
      name: 'persistence-in',
      onMalformed: (frame) => drops.record(frame.reason, frame.detail, frame.topic),
      onStreamStart: store.onStreamStart,
      onGap: (gap) => {
        ctx.logger.warn({ stream: gap.stream, epoch: gap.epoch.toString(), from: gap.from, to: gap.to }, 'sequence gap: asking for replay');
        store.onGap(gap);
      },
    });
    const heartbeat = new Heartbeat({
      publisher: status,
      service: service.name,
      instance: service.instance,
      info: () => ({
        rowsWritten: String(writers.rowsWritten),
        gaps: String(inbox.stats().gaps),
        replayRequests: String(replay.stats.requests),
        replayRecovered: String(replay.stats.recovered),
        parked: String(writers.rowsParked + orders.stats.parked),
        shards: (leasesRef.current?.heldShards() ?? []).join(','),
      }),
    });
    let subscribed = false;
    const router = new StoreRouter({
      sinks: writers.sinks,
      orders,
      instruments,
      onDropped: (reason, detail, message) => {
        drops.record(reason, detail, message.topic);
        void messageParker.park(message, reason, detail);
      },
      // Our own heartbeat coming back through the hub proves every subscription before it reached the hub.
      onHeartbeat: (beat) => {
        if (subscribed || beat.service !== service.name || beat.instance !== service.instance || ctx.stopping.aborted) return;
        subscribed = true;
        heartbeat.setState('READY');
        ctx.setReady(true);
        ctx.logger.info({ instruments: instruments.size }, 'subscribed: storing');
      },
    });

    ctx.onShutdown('status', async () => {
      heartbeat.stop();
      await status.close();
    });
    const leases = new ShardLeases({
      connection: { connectionString: db.url, application_name: `${workerId}/shards` },
      shardCount: settings.shards,
      workerId,
      rebalanceIntervalMs: settings.rebalanceInterval,
      onGained: (shards) => store.onGained(shards),
      beforeRelease: async (shards) => {
        store.suspend(shards);
        // Progress recorded before the locks go: the next holder starts where this one stopped.
        if (!(await checkpoint.run())) {
          store.resume(shards);
          throw new Error('buffered rows or stream progress could not be stored');
        }
        store.forget(shards);
      },
      onLost: (shards) => store.forget(shards),
      logger: child(ctx.logger, 'shards'),
    });
    leasesRef.current = leases;
    // Stopped after the last checkpoint: the locks go (and another worker takes over) only once everything is stored.
    ctx.onShutdown('shard leases', () => leases.stop());
    ctx.onShutdown('current orders', async () => {
      if (!(await orders.close())) ctx.logger.error({ pending: orders.stats.pending }, 'current orders could not all be written');
    });
    ctx.onShutdown('writers', () => writers.closeAll());

    if (schema.path === 'native') {
      const maintenance = new PartitionMaintenance(db.pool, retentionDays, storageLog);
      maintenance.start(settings.partitionMaintenanceInterval);
      ctx.onShutdown('partition maintenance', () => maintenance.stop());
    }

    registerPersistenceMetrics(ctx.registry, {
      writers,
      router,
      orders,
      drops,
      gaps: () => inbox.stats().gaps,
      writerConnectionsBusy: () => writerPool.totalCount - writerPool.idleCount,
      shards: () => leases.stats,
      store: store.counts,
      replay: replay.stats,
      checkpoints: () => checkpoint.stats,
    });
    orders.start();
    heartbeat.start();
    try {
      await leases.start();
    } catch (error) {
      throw new StartupError(`cannot take shard locks: ${(error as Error).message}`, EXIT_CODES.unavailable, { cause: error });
    }
    checkpoint.start();
    const sweep = setInterval(store.sweepHoles, settings.replay.holeSweep);
    sweep.unref();
    ctx.onShutdown('hole sweep', () => clearInterval(sweep));
    ctx.logger.info({ shards: leases.heldShards(), of: settings.shards, workers: leases.stats.liveWorkers }, 'holding shards');

    inbox.connect(bus.xpubEndpoint);
    for (const subscription of subscriptions) inbox.subscribe(subscription);
    inbox.subscribe(topics.status(service.name, service.instance));
    // Publishers with a journal announce their streams' heads in their heartbeats: how a lost tail is noticed.
    for (const publisher of Object.keys(endpoints)) inbox.subscribe(topics.prefix.statusOfService(publisher));
    // Beat more often until our own heartbeat comes back, so readiness follows the subscription within ~100 ms.
    const probe = setInterval(() => {
      if (subscribed) clearInterval(probe);
      else heartbeat.setState('STARTING');
    }, 100);
    probe.unref();
    const loop = inbox.consume(store.handle).catch((error: unknown) => {
      ctx.logger.fatal({ err: error }, 'bus loop failed');
      ctx.requestShutdown('bus loop failed', EXIT_CODES.internal);
    });
    ctx.onShutdown('bus subscriber', async () => {
      const deadline = Date.now() + service.shutdownTimeout;
      clearInterval(probe);
      checkpoint.stop();
      heartbeat.setState('DRAINING');
      const quiet = await waitUntilQuiet(() => inbox.stats().received, settings.drainQuiet, settings.drainMax);
      if (!quiet) ctx.logger.warn({ drainMax: settings.drainMax }, 'bus still busy at shutdown: closing anyway');
      inbox.close();
      await loop;
      // What was received is stored first; replay gets what time is left short of a reserve for the last checkpoint.
      const replayBudget = Math.max(0, deadline - Date.now() - service.shutdownTimeout * SHUTDOWN_RESERVE);
      if (!(await replay.close(replayBudget))) {
        ctx.logger.warn({ budgetMs: replayBudget }, 'replay cut short at shutdown: the next start fetches the rest from the stored progress');
      }
      if (!(await checkpoint.run())) ctx.logger.warn({}, 'last stream progress not recorded: the next start replays a little more');
    });
    ctx.logger.info({ subscriptions, instruments: instruments.size }, 'subscribing; ready once subscribed');
  },
});
