import { freePorts, type ServiceApp } from './service-process';

/** Endpoints and HTTP ports of one test stack, all on free local ports. */
export interface StackEndpoints {
  readonly xsub: string;
  readonly xpub: string;
  readonly gatewayOrders: string;
  readonly gatewayControl: string;
  readonly marketDataReplay: string;
  readonly httpPorts: Readonly<Record<ServiceApp, number>>;
}

/** Picks free ports for every endpoint of a stack. */
export async function allocateEndpoints(): Promise<StackEndpoints> {
  const [xsub, xpub, orders, control, replay, ...http] = await freePorts(11);
  const tcp = (port: number | undefined) => `tcp://127.0.0.1:${port}`;
  const [hub, marketData, gateway, strategyEngine, persistence, cli] = http as [number, number, number, number, number, number];
  return {
    xsub: tcp(xsub),
    xpub: tcp(xpub),
    gatewayOrders: tcp(orders),
    gatewayControl: tcp(control),
    marketDataReplay: tcp(replay),
    httpPorts: { hub, 'market-data': marketData, gateway, 'strategy-engine': strategyEngine, persistence, cli },
  };
}

/**
 * The `TTQ_*` environment that wires every service of a stack to its
 * endpoints. Each service reads the keys of its own schema; the loader only
 * warns about the others.
 */
export function stackEnv(endpoints: StackEndpoints): Record<string, string> {
  return {
    TTQ_BUS_XSUB_ENDPOINT: endpoints.xsub,
    TTQ_BUS_XPUB_ENDPOINT: endpoints.xpub,
    TTQ_HUB_FRONTEND: endpoints.xsub,
    TTQ_HUB_BACKEND: endpoints.xpub,
    TTQ_GATEWAY_ORDERS_ENDPOINT: endpoints.gatewayOrders,
    TTQ_GATEWAY_CONTROL_ENDPOINT: endpoints.gatewayControl,
    TTQ_STRATEGY_ENGINE_GATEWAY_ENDPOINT: endpoints.gatewayOrders,
    TTQ_STRATEGY_ENGINE_GATEWAY_CONTROL_ENDPOINT: endpoints.gatewayControl,
    TTQ_MARKET_DATA_REPLAY_ENDPOINT: endpoints.marketDataReplay,
    TTQ_PERSISTENCE_REPLAY_MARKET_DATA: endpoints.marketDataReplay,
    TTQ_PERSISTENCE_REPLAY_GATEWAY: endpoints.gatewayControl,
  };
}
