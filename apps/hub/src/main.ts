import { startProxy } from '@ttquant/bus';
import { busSchema } from '@ttquant/config';
import { counter } from '@ttquant/metrics';
import { runService } from '@ttquant/service';
import { hubSchema } from './hub-config';
import { MessageCounter } from './message-counter';

/** Where the message counter listens to the proxy, inside this process. */
const COUNTER_ENDPOINT = 'inproc://hub-message-counter';

/**
 * The bus hub: an XSUB/XPUB forwarder at two well-known endpoints, so any
 * number of publishers and subscribers meet without knowing each other.
 * Stateless: run one per host, or one per topic family.
 */
void runService({
  name: 'hub',
  // `bus` is not used by the hub itself; accepting it lets config/default.toml hold the shared [bus] section.
  schema: { hub: hubSchema, bus: busSchema },
  defaultHttpPort: 9100,
  async start(ctx) {
    const { frontend, backend, countMessages } = ctx.config.properties.hub;
    const proxy = await startProxy(frontend, backend, countMessages ? { inprocBackend: COUNTER_ENDPOINT } : {});
    ctx.onShutdown('proxy', () => proxy.close());
    ctx.logger.info({ frontend: proxy.frontend, backend: proxy.backend }, 'forwarding');

    if (countMessages) {
      const messages = new MessageCounter(counter(ctx.registry, 'ttq_hub_messages_total', 'Messages forwarded, by topic family.', ['family']));
      messages.start(COUNTER_ENDPOINT);
      ctx.onShutdown('message counter', () => messages.close());
    }
    void proxy.done.then(() => {
      if (!ctx.stopping.aborted) ctx.requestShutdown('proxy stopped unexpectedly');
    });
    ctx.setReady(true);
  },
});
