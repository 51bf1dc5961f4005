import { simConfigSchema, type SimConfig } from '@ttquant/adapter-sim';
import { REPLAY_METHOD, Replier, replayHandler, topics, type Topic } from '@ttquant/bus';
import { busSchema, instrumentCacheSchema } from '@ttquant/config';
import { systemClock, type MarketData } from '@ttquant/domain';
import type { DataSubscription } from '@ttquant/gateway-api';
import { child } from '@ttquant/logging';
import { Heartbeat, JournaledPublisher, socketOptionsFrom } from '@ttquant/service-bus';
import { EXIT_CODES, runService, StartupError } from '@ttquant/service';
import { openInstrumentCache } from '@ttquant/storage';
import { marketDataSchema } from './market-data-config';
import { marketDataIbSchema, openMarketDataVenue, venueStartupError, type MarketDataVenue } from './market-data-venue';

/**
 * Market data: runs the venue's data client, publishes every quote and trade
 * on `md.tick.<venue>.<symbol>` (journaled for replay), instrument definitions
 * for late joiners, venue connection status and its heartbeat.
 */
void runService({
  name: 'market-data',
  schema: { bus: busSchema, marketData: marketDataSchema, sim: simConfigSchema, ib: marketDataIbSchema, instrumentCache: instrumentCacheSchema },
  defaultHttpPort: 9101,
  async start(ctx) {
    const { bus, marketData, sim: simSettings, ib: ibSettings, instrumentCache, service } = ctx.config.properties;
    const sockets = { ...socketOptionsFrom(bus), registry: ctx.registry };

    const tickTopics = new Map<string, Topic>();
    const tickTopicSet = new Set<string>();
    const dropEvery = marketData.dropTickEvery;
    if (dropEvery > 0) ctx.logger.warn({ dropTickEvery: dropEvery }, 'fault drill: every Nth tick is journaled but not sent');
    const out = new JournaledPublisher({
      ...sockets,
      name: 'market-data-out',
      onMaintenanceError: (error) => ctx.logger.error({ err: error }, 'journal flush or retention failed: retrying'),
      // Ticks go out in same-topic batches closed at the end of each event-loop turn: the feed makes
      // several ticks per timer callback, and one frame per batch cuts every hop's per-message cost.
      ...(bus.batchMaxSize > 1 ? { batch: { maxSize: bus.batchMaxSize, maxDelayMs: bus.batchMaxDelay } } : {}),
      ...(dropEvery > 0
        ? {
            // Drops a whole frame when it carries a multiple of N: a gap of one or more ticks.
            dropFrame: (topic: Topic, sequence: number, count: number) =>
              tickTopicSet.has(topic) && Math.floor((sequence + count - 1) / dropEvery) > Math.floor((sequence - 1) / dropEvery),
          }
        : {}),
      source: { service: service.name, instance: service.instance },
      journal: {
        dir: marketData.journalDir || `.data/journal/market-data-${service.instance}`,
        retentionMs: marketData.journalRetention,
        maxSegmentBytes: 16 * 1024 * 1024,
      },
    });
    out.publisher.connect(bus.xsubEndpoint);
    ctx.onShutdown('publisher and journal', () => out.close());

    const replay = new Replier({ ...sockets, name: 'market-data-replay' });
    await replay.bind(marketData.replayEndpoint);
    void replay.serve({ [REPLAY_METHOD]: replayHandler((request) => out.replay(request)) });
    ctx.onShutdown('replay', () => replay.close());

    const venueFailure = (what: string) => (error: unknown): never => {
      throw venueStartupError(what, error);
    };
    // Contract details are kept in storage when a database is configured (IB only: the sim lists its own).
    const cache =
      marketData.adapter === 'ib' && instrumentCache.databaseUrl ? openInstrumentCache(instrumentCache.databaseUrl, child(ctx.logger, 'instrument-cache')) : undefined;
    if (cache) ctx.onShutdown('instrument cache', () => cache.close());
    let venue: MarketDataVenue;
    try {
      venue = openMarketDataVenue(
        { adapter: marketData.adapter, sim: simSettings as SimConfig, ib: ibSettings, symbols: marketData.symbols },
        { clock: systemClock, logger: child(ctx.logger, marketData.adapter), ...(cache ? { instrumentCache: cache.cache } : {}) },
      );
    } catch (error) {
      return venueFailure(`cannot build the ${marketData.adapter} venue adapter`)(error);
    }
    const { adapter, data } = venue;
    // Registered before the data step, so it runs after it: the connection closes last.
    ctx.onShutdown('venue adapter', () => adapter.dispose());
    ctx.setReady(false, `loading instruments from the ${marketData.adapter} venue (waiting for its session)`);
    const listed = await venue.instruments().catch(venueFailure(`cannot load the instruments of the ${marketData.adapter} venue`));
    if (listed.length === 0) {
      const wanted = marketData.symbols.length > 0 ? `none of the symbols ${marketData.symbols.join(', ')} is listed by the venue` : 'the venue lists no instrument';
      throw new StartupError(`${wanted}; set marketData.symbols${marketData.adapter === 'ib' ? ' or ib.instruments' : ''}`, EXIT_CODES.config);
    }

    for (const instrument of listed) {
      const topic = topics.tick(instrument.id.venue, instrument.id.symbol);
      tickTopics.set(instrument.id.symbol, topic);
      tickTopicSet.add(topic);
    }
    const publishData = (data: MarketData) => {
      const topic = tickTopics.get(data.instrument.symbol);
      if (!topic || (data.kind !== 'quote' && data.kind !== 'trade')) return;
      const times = { eventTimeNs: data.eventTime, initTimeNs: data.initTime };
      out.publish(topic, data.kind === 'quote' ? { kind: 'quote', value: data } : { kind: 'trade', value: data }, times);
    };
    // Each tick stream numbers its messages 1, 2, 3…: the last sequences add up to what was published.
    const ticksPublished = () => [...tickTopics.values()].reduce((sum, topic) => sum + out.publisher.lastSequence(topic), 0);
    data.onData(publishData);
    data.onStatus((status) => out.publish(topics.venueStatus(status.venue), { kind: 'venueStatus', value: status }));

    const publishInstruments = () => {
      for (const instrument of listed) {
        out.publish(topics.instrument(instrument.id.venue, instrument.id.symbol), { kind: 'instrument', value: instrument });
      }
    };
    publishInstruments();
    const instrumentTimer = setInterval(publishInstruments, marketData.instrumentInterval);
    instrumentTimer.unref();

    const heartbeat = new Heartbeat({
      publisher: out.publisher,
      service: service.name,
      instance: service.instance,
      info: () => ({ ...out.heartbeatInfo(), ticksPublished: String(ticksPublished()), venues: adapter.venue }),
    });
    heartbeat.start();

    await data.connect().catch(venueFailure('cannot connect to the venue'));
    const subscriptions: DataSubscription[] = listed.flatMap((i) => [
      { kind: 'quotes', instrument: i.id },
      { kind: 'trades', instrument: i.id },
    ]);
    for (const subscription of subscriptions) await data.subscribe(subscription);
    ctx.onShutdown('venue data', async () => {
      clearInterval(instrumentTimer);
      await data.disconnect();
      heartbeat.stop();
    });
    heartbeat.setState('READY');
    ctx.setReady(true);
    ctx.logger.info({ instruments: listed.map((i) => i.id.symbol) }, 'publishing market data');
  },
});
