import { Publisher, Pusher, Subscriber, topics } from '@ttquant/bus';
import { busSchema } from '@ttquant/config';
import { InstrumentMap, systemClock, type Instrument, type InstrumentId, type OrderSpec } from '@ttquant/domain';
import { encodePayload } from '@ttquant/protocol';
import {
  decodeInbound,
  fetchGatewayStateWhenAvailable,
  GatewayRefusedError,
  Heartbeat,
  socketOptionsFrom,
} from '@ttquant/service-bus';
import type { Logger } from '@ttquant/logging';
import { EXIT_CODES, runService, StartupError } from '@ttquant/service';
import { createStrategy, StrategyRunner, type OrderCommandSink, type Strategy } from '@ttquant/strategy';
import { strategyEngineSchema } from './strategy-engine-config';

/**
 * The strategy engine: hosts the configured strategies, feeds each the market
 * data it subscribed to and its own order events, fills and denials, and
 * pushes their orders to the gateway owning the account.
 */
void runService({
  name: 'strategy-engine',
  schema: { bus: busSchema, strategyEngine: strategyEngineSchema },
  defaultHttpPort: 9103,
  async start(ctx) {
    const { bus, strategyEngine: settings, service } = ctx.config.properties;
    const sockets = { ...socketOptionsFrom(bus), registry: ctx.registry };
    const source = { service: service.name, instance: service.instance };

    let strategies: Strategy[];
    try {
      strategies = settings.strategies.map((definition) => createStrategy(definition));
    } catch (error) {
      throw new StartupError((error as Error).message, EXIT_CODES.config, { cause: error });
    }

    const pusher = new Pusher({ ...sockets, name: 'strategy-orders', source });
    pusher.connect(settings.gatewayEndpoint);
    const commandTopic = topics.orderCommand(settings.account);
    let ordersSent = 0;
    const sink: OrderCommandSink = {
      submit: (spec: OrderSpec) => {
        ordersSent++;
        // PUSH waits at its high-water mark rather than dropping; a failure is logged, and the runner resends.
        pusher.send(commandTopic, encodePayload({ kind: 'submitOrder', value: spec })).catch((error: unknown) => {
          ctx.logger.error({ err: error, clientOrderId: spec.clientOrderId }, 'order command not sent');
        });
      },
      cancel: (command) => {
        pusher.send(commandTopic, encodePayload({ kind: 'cancelOrder', value: command })).catch((error: unknown) => {
          ctx.logger.error({ err: error, clientOrderId: command.clientOrderId }, 'cancel command not sent');
        });
      },
    };

    const instruments = new InstrumentMap<Instrument>();
    const runEpoch = Date.now();
    const runners = strategies.map(
      (strategy) =>
        new StrategyRunner({
          strategy,
          account: settings.account,
          runEpoch,
          sink,
          clock: systemClock,
          instrument: (id: InstrumentId) => instruments.get(id),
          resendAfterMs: settings.resendAfter,
          log: strategyLog(ctx.logger.child({ strategy: strategy.id })),
        }),
    );

    const inbox = new Subscriber({ ...sockets, name: 'strategy-in' });
    inbox.connect(bus.xpubEndpoint);
    inbox.subscribe(topics.order(settings.account));
    inbox.subscribe(topics.fill(settings.account));
    inbox.subscribe(topics.riskDenial(settings.account));
    inbox.subscribe(topics.prefix.allInstruments());
    for (const strategy of strategies) {
      const { quotes = [], trades = [] } = strategy.subscriptions;
      for (const id of [...quotes, ...trades]) inbox.subscribe(topics.tick(id.venue, id.symbol));
    }
    const loop = inbox.consume((bus) => {
      const inbound = decodeInbound(bus);
      if (!inbound.ok) return;
      const { message } = inbound;
      switch (message.kind) {
        case 'quote':
        case 'trade':
          for (const runner of runners) runner.onMarketData(message.value);
          return;
        case 'orderEvent':
          for (const runner of runners) runner.onOrderEvent(message.value);
          return;
        case 'fill':
          for (const runner of runners) runner.onFill(message.value);
          return;
        case 'riskDenial':
          for (const runner of runners) runner.onDenial(message.value);
          return;
        case 'instrument':
          instruments.set(message.value.id, message.value);
          return;
        default:
          return;
      }
    });

    const status = new Publisher({ ...sockets, name: 'strategy-status', source });
    status.connect(bus.xsubEndpoint);
    const heartbeat = new Heartbeat({
      publisher: status,
      service: service.name,
      instance: service.instance,
      info: () => ({
        strategies: String(runners.length),
        ordersSent: String(ordersSent),
        gaps: String(inbox.stats().gaps),
      }),
    });
    heartbeat.start();
    const resend = setInterval(() => runners.forEach((r) => r.resendUnacknowledged()), 1_000);
    resend.unref();

    ctx.onShutdown('status', async () => {
      await status.close();
    });
    ctx.onShutdown('order pusher', () => pusher.close());
    ctx.onShutdown('inbox', async () => {
      inbox.close();
      await loop;
    });
    ctx.onShutdown('strategies', async () => {
      clearInterval(resend);
      for (const runner of runners) await runner.stop();
      heartbeat.stop();
    });

    // Orders and positions of an earlier run come from the gateway, after the inbox is subscribed so
    // that nothing published after the state was taken is missed (runners drop what it already holds).
    const endpoint = settings.gatewayControlEndpoint;
    const state = await fetchGatewayStateWhenAvailable(endpoint, settings.account, settings.stateTimeout, ctx.stopping, (attempt) =>
      ctx.logger.warn({ endpoint, attempt }, 'no answer from the gateway yet: strategies wait for its state before trading'),
    ).catch((error: unknown) => {
      throw error instanceof GatewayRefusedError ? new StartupError(error.message, EXIT_CODES.config, { cause: error }) : error;
    });
    if (!state) return;
    for (const runner of runners) {
      const taken = runner.restore(state.orders);
      if (taken.orders > 0) ctx.logger.info({ strategy: runner.strategy.id, ...taken }, 'took up orders and position of an earlier run');
    }
    for (const runner of runners) await runner.start();
    heartbeat.setState('READY');
    ctx.setReady(true);
    ctx.logger.info({ strategies: strategies.map((s) => s.id), account: settings.account }, 'strategies running');
  },
});

/** Routes a strategy's log lines to the service logger. */
function strategyLog(logger: Logger) {
  return {
    debug: (message: string, fields: Record<string, unknown> = {}) => logger.debug(fields, message),
    info: (message: string, fields: Record<string, unknown> = {}) => logger.info(fields, message),
    warn: (message: string, fields: Record<string, unknown> = {}) => logger.warn(fields, message),
    error: (message: string, fields: Record<string, unknown> = {}) => logger.error(fields, message),
  };
}

