import { Publisher, Subscriber, topics } from '@ttquant/bus';
import { busSchema } from '@ttquant/config';
import type { Alert } from '@ttquant/domain';
import { child } from '@ttquant/logging';
import { encodePayload } from '@ttquant/protocol';
import { EXIT_CODES, runService, StartupError } from '@ttquant/service';
import { Heartbeat, socketOptionsFrom } from '@ttquant/service-bus';
import { PgInstrumentCache, upsertOrders, type ParkedRows } from '@ttquant/storage';
import { waitUntilQuiet } from './bus-drain';
import { DropTracker } from './drop-tracker';
import { InstrumentRegistry } from './instrument-registry';
import { openDatabase } from './open-database';
import { OrderUpserter } from './order-upserter';
import { parkedRowsAlert } from './parked-alert';
import { PartitionMaintenance } from './partition-maintenance';
import { PERSISTENCE_SHUTDOWN_TIMEOUT_MS, persistenceSchema, retentionByTable } from './persistence-config';
import { registerPersistenceMetrics } from './persistence-metrics';
import { ReplayRecovery } from './replay-recovery';
import { StoreRouter } from './store-router';
import { storeSubscriptions } from './subscriptions';
import { TableWriters } from './table-writers';

/** An unchanged instrument definition is written again (moving `last_seen`) at most once a minute. */
const INSTRUMENT_REFRESH_NS = 60_000_000_000n;

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
    const retentionDays = retentionByTable(settings.retentionDays);

    const { db, schema } = await openDatabase(settings, retentionDays, {
      applicationName: `persistence/${service.instance}`,
      logger: storageLog,
    });
    ctx.onShutdown('database', () => db.close());
    ctx.logger.info({ path: schema.path, version: schema.version, applied: schema.applied, embedded: db.embedded }, 'database ready');

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
    const writers = new TableWriters(db.pool, {
      batchRows: settings.batchRows,
      flushIntervalMs: settings.flushInterval,
      parkFile: settings.parkFile || undefined,
      onParked: (parked: ParkedRows) => publishAlert(parkedRowsAlert(parked, `${service.name}/${service.instance}`)),
      logger: storageLog,
    });
    const orders = new OrderUpserter({
      eventsStored: () => writers.writer('order_events').flush(),
      upsert: (events) => upsertOrders(db.pool, events),
      intervalMs: settings.orderUpsertInterval,
      onError: (error, count) => ctx.logger.warn({ err: error, orders: count }, 'current orders not written; retrying'),
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

    const replay = new ReplayRecovery({
      endpoints: {
        ...(settings.replay.marketData ? { 'market-data': settings.replay.marketData } : {}),
        ...(settings.replay.gateway ? { gateway: settings.replay.gateway } : {}),
      },
      // Called only once streams flow, after the router below exists.
      route: (message) => router.route(message),
      logger: child(ctx.logger, 'replay'),
      timeoutMs: settings.replay.timeout,
    });
    const inbox = new Subscriber({
      ...sockets,
      name: 'persistence-in',
      onMalformed: (frame) => drops.record(frame.reason, frame.detail, frame.topic),
      onStreamStart: replay.onStreamStart,
      onGap: (gap) => {
        ctx.logger.warn({ stream: gap.stream, epoch: gap.epoch.toString(), from: gap.from, to: gap.to }, 'sequence gap: asking for replay');
        replay.onGap(gap);
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
        parked: String(writers.rowsParked),
      }),
    });
    let subscribed = false;
    const router = new StoreRouter({
      sinks: writers.sinks,
      orders,
      instruments,
      onDropped: (reason, detail, message) => drops.record(reason, detail, message.topic),
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
    ctx.onShutdown('current orders', async () => {
      if (!(await orders.close())) ctx.logger.error({ pending: orders.stats.pending }, 'current orders could not all be written');
    });
    ctx.onShutdown('writers', () => writers.closeAll());

    if (schema.path === 'native') {
      const maintenance = new PartitionMaintenance(db.pool, retentionDays, storageLog);
      maintenance.start(settings.partitionMaintenanceInterval);
      ctx.onShutdown('partition maintenance', () => maintenance.stop());
    }

    registerPersistenceMetrics(ctx.registry, { writers, router, orders, drops, gaps: () => inbox.stats().gaps });
    orders.start();
    heartbeat.start();

    inbox.connect(bus.xpubEndpoint);
    const subscriptions = storeSubscriptions(settings.store);
    for (const subscription of subscriptions) inbox.subscribe(subscription);
    inbox.subscribe(topics.status(service.name, service.instance));
    // Beat more often until our own heartbeat comes back, so readiness follows the subscription within ~100 ms.
    const probe = setInterval(() => {
      if (subscribed) clearInterval(probe);
      else heartbeat.setState('STARTING');
    }, 100);
    probe.unref();
    const loop = inbox.consume((message) => router.route(message)).catch((error: unknown) => {
      ctx.logger.fatal({ err: error }, 'bus loop failed');
      ctx.requestShutdown('bus loop failed', EXIT_CODES.internal);
    });
    ctx.onShutdown('bus subscriber', async () => {
      clearInterval(probe);
      heartbeat.setState('DRAINING');
      const quiet = await waitUntilQuiet(() => inbox.stats().received, settings.drainQuiet, settings.drainMax);
      if (!quiet) ctx.logger.warn({ drainMax: settings.drainMax }, 'bus still busy at shutdown: closing anyway');
      inbox.close();
      await loop;
      // What was asked for before the bus closed is still stored.
      await replay.close();
    });
    ctx.logger.info({ subscriptions, instruments: instruments.size }, 'subscribing; ready once subscribed');
  },
});
