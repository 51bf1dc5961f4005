import { simConfigSchema, type SimConfig } from '@ttquant/adapter-sim';
import { Puller, Replier, Subscriber, topics } from '@ttquant/bus';
import { busSchema, instrumentCacheSchema } from '@ttquant/config';
import { Decimal, systemClock } from '@ttquant/domain';
import { ExecutionEngine } from '@ttquant/execution';
import { child } from '@ttquant/logging';
import { gauge } from '@ttquant/metrics';
import { createPreTradeRisk } from '@ttquant/risk';
import { openInstrumentCache } from '@ttquant/storage';
import { decodeInbound, Heartbeat, JournaledPublisher, socketOptionsFrom } from '@ttquant/service-bus';
import { runService } from '@ttquant/service';
import { appendFileSync } from 'node:fs';
import { BusExecutionSink } from './bus-execution-sink';
import { CommandIntake } from './command-intake';
import { serveControl } from './control-server';
import { gatewaySchema } from './gateway-config';
import { gatewayIbSchema, openGatewayVenue, venueStartupError } from './gateway-venue';
import { readExecutionHistory } from './journal-history';
import { LatencyRecorder } from './latency-recorder';
import { QuoteConflator } from './quote-conflator';

/**
 * The gateway: owns one account on one venue. Pulls order commands, checks
 * them (pre-trade risk), journals them durably before routing, tracks every
 * order through the venue's reports, and publishes order events, fills,
 * positions and account state. A restart rebuilds its state from the journal
 * and reconciles with the venue before it routes anything new.
 */
void runService({
  name: 'gateway',
  schema: { bus: busSchema, gateway: gatewaySchema, sim: simConfigSchema, ib: gatewayIbSchema, instrumentCache: instrumentCacheSchema },
  defaultHttpPort: 9102,
  async start(ctx) {
    const { bus, gateway, sim: simSettings, ib: ibSettings, instrumentCache, service } = ctx.config.properties;
    const { account } = gateway;
    const sockets = { ...socketOptionsFrom(bus), registry: ctx.registry };

    const out = new JournaledPublisher({
      ...sockets,
      name: 'gateway-out',
      onMaintenanceError: (error) => ctx.logger.error({ err: error }, 'journal flush or retention failed: retrying'),
      source: { service: service.name, instance: service.instance },
      journal: { dir: gateway.journalDir || `.data/journal/gateway-${account}` },
      // A restart rebuilds orders and fills from the journal: it must hold everything consumers already received.
      writeThrough: true,
    });
    out.publisher.connect(bus.xsubEndpoint);
    ctx.onShutdown('publisher and journal', () => out.close());

    const orderLog = gateway.simOrderLog;
    // Latency bench only: a sample per tagged order as the venue receives it, written at shutdown.
    const latency = gateway.latencySamplesFile ? new LatencyRecorder((id) => engine.lastEvent(id)) : undefined;
    if (latency) ctx.onShutdown('latency samples', () => latency.write(gateway.latencySamplesFile));
    const venueFailure = (what: string) => (error: unknown): never => {
      throw venueStartupError(what, error);
    };
    // Contract details are kept in storage when a database is configured (IB only: the sim lists its own).
    const cache =
      gateway.adapter === 'ib' && instrumentCache.databaseUrl ? openInstrumentCache(instrumentCache.databaseUrl, child(ctx.logger, 'instrument-cache')) : undefined;
    if (cache) ctx.onShutdown('instrument cache', () => cache.close());
    let venue: ReturnType<typeof openGatewayVenue>;
    try {
      venue = openGatewayVenue(
        {
          adapter: gateway.adapter,
          account,
          sim: simSettings as SimConfig,
          ib: ibSettings,
          // The sim venue lives in this process: these hooks see every order it receives.
          onOrderReceived:
            orderLog || latency
              ? (order) => {
                  if (orderLog) appendFileSync(orderLog, `${order.clientOrderId}\n`);
                  latency?.record(order.clientOrderId, order.time);
                }
              : undefined,
        },
        { clock: systemClock, logger: child(ctx.logger, gateway.adapter), ...(cache ? { instrumentCache: cache.cache } : {}) },
      );
    } catch (error) {
      return venueFailure(`cannot build the ${gateway.adapter} venue adapter`)(error);
    }
    // Registered before the engine's step, so it runs after it: the connection closes last.
    ctx.onShutdown('venue adapter', () => venue.adapter.dispose());
    ctx.setReady(false, `loading instruments from the ${gateway.adapter} venue (waiting for its session)`);
    const tradable = await venue.load().catch(venueFailure(`cannot load the instruments of the ${gateway.adapter} venue`));

    const engine = new ExecutionEngine({
      account,
      client: venue.execution,
      risk: createPreTradeRisk({
        maxOrderQuantity: Decimal.parse(gateway.risk.maxOrderQuantity),
        maxOrderNotional: Decimal.parse(gateway.risk.maxOrderNotional),
        maxPosition: Decimal.parse(gateway.risk.maxPosition),
        priceBandBps: gateway.risk.priceBandBps,
      }),
      instrument: (id) => venue.instrument(id),
      sink: new BusExecutionSink(out, account),
      clock: systemClock,
      logger: child(ctx.logger, 'execution'),
      source: `gateway/${service.instance}`,
    });
    const history = readExecutionHistory(out.journal, account);
    if (history.unreadable > 0) ctx.logger.error({ unreadable: history.unreadable }, 'journal records that could not be decoded were skipped');
    engine.restore(history);

    const marketData = new Subscriber({ ...sockets, name: 'gateway-md' });
    marketData.connect(bus.xpubEndpoint);
    for (const listed of tradable) marketData.subscribe(topics.tick(listed.id.venue, listed.id.symbol));
    const quotes = new QuoteConflator((message) => {
      const inbound = decodeInbound(message);
      if (inbound.ok && inbound.message.kind === 'quote') {
        venue.onQuote(inbound.message.value);
        engine.onQuote(inbound.message.value);
      }
    });
    const marketLoop = marketData.consume((message) => {
      if (message.payload.quote) quotes.offer(message);
    });
    ctx.onShutdown('market data', async () => {
      marketData.close();
      await marketLoop;
    });

    const heartbeat = new Heartbeat({
      publisher: out.publisher,
      service: service.name,
      instance: service.instance,
      info: () => ({
        ...out.heartbeatInfo(),
        account,
        orders: String(engine.lastEvents().length),
        submitted: String(engine.stats.submitted),
        denied: String(engine.stats.denied),
        fills: String(engine.stats.fills),
        closingFills: String(engine.stats.closingFills),
        duplicateCommands: String(engine.stats.duplicateCommands),
        malformedCommands: String(engine.stats.malformedCommands),
        ready: String(engine.ready),
      }),
    });
    heartbeat.start();

    ctx.setReady(false, 'connecting to and reconciling with the venue');
    await engine.start().catch(venueFailure('cannot connect to the venue'));
    try {
      venue.checkAccount();
    } catch (error) {
      venueFailure('wrong account')(error);
    }
    ctx.onShutdown('execution engine', async () => {
      await engine.drain();
      // Every consumer ends with the final state of every order this gateway accepted.
      engine.publishFinalState();
      heartbeat.stop();
      await engine.stop();
    });

    const control = new Replier({ ...sockets, name: 'gateway-control' });
    await control.bind(gateway.controlEndpoint);
    void serveControl(control, engine, out, account);
    ctx.onShutdown('control', () => control.close());

    const puller = new Puller({ ...sockets, name: 'gateway-orders' });
    await puller.bind(gateway.ordersEndpoint);
    const intake = new CommandIntake(puller, engine);
    intake.start();
    ctx.onShutdown('order intake', () => intake.stop());

    const readyGauge = gauge(ctx.registry, 'ttq_gateway_ready', 'Reconciled with the venue and routing orders (1) or not (0).');
    const readiness = setInterval(() => {
      readyGauge.set(engine.ready ? 1 : 0);
      ctx.setReady(engine.ready, engine.ready ? undefined : 'not connected to or reconciled with the venue');
    }, 250);
    readiness.unref();
    ctx.onShutdown('readiness', () => clearInterval(readiness));
    heartbeat.setState('READY');
    ctx.logger.info({ account, orders: gateway.ordersEndpoint, control: gateway.controlEndpoint }, 'gateway running');
  },
});
