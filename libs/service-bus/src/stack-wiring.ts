/**
 * How the services of one stack find each other: the five endpoints they
 * share and the `TTQ_*` variables that point each service at them. Used by
 * `ttq sim` (and through it `npm start`) and by the process tests, so a
 * configuration key renamed in one service is renamed for both.
 */

/** The services of a stack, in start order: consumers before producers. */
export const STACK_SERVICES = ['hub', 'persistence', 'gateway', 'strategy-engine', 'market-data'] as const;

/** One of {@link STACK_SERVICES}. */
export type StackService = (typeof STACK_SERVICES)[number];

/** The endpoints the services of one stack share. */
export interface StackWiring {
  /** Hub XSUB: publishers connect. */
  readonly xsub: string;
  /** Hub XPUB: subscribers connect. */
  readonly xpub: string;
  /** Market-data's journal (replay REP). */
  readonly marketDataReplay: string;
  /** The gateway's order intake (PULL). */
  readonly gatewayOrders: string;
  /** The gateway's control socket (replay and state REP). */
  readonly gatewayControl: string;
}

/**
 * The `TTQ_*` variables that connect `service` to the stack's endpoints: only
 * keys its own schema reads, so its log carries no "unused variable" warning.
 */
export function wiringEnvironment(service: StackService, wiring: StackWiring): Record<string, string> {
  const bus = { TTQ_BUS_XSUB_ENDPOINT: wiring.xsub, TTQ_BUS_XPUB_ENDPOINT: wiring.xpub };
  switch (service) {
    case 'hub':
      return { TTQ_HUB_FRONTEND: wiring.xsub, TTQ_HUB_BACKEND: wiring.xpub };
    case 'persistence':
      return { ...bus, TTQ_PERSISTENCE_REPLAY_MARKET_DATA: wiring.marketDataReplay, TTQ_PERSISTENCE_REPLAY_GATEWAY: wiring.gatewayControl };
    case 'gateway':
      return { ...bus, TTQ_GATEWAY_ORDERS_ENDPOINT: wiring.gatewayOrders, TTQ_GATEWAY_CONTROL_ENDPOINT: wiring.gatewayControl };
    case 'strategy-engine':
      return {
        ...bus,
        TTQ_STRATEGY_ENGINE_GATEWAY_ENDPOINT: wiring.gatewayOrders,
        TTQ_STRATEGY_ENGINE_GATEWAY_CONTROL_ENDPOINT: wiring.gatewayControl,
      };
    case 'market-data':
      return { ...bus, TTQ_MARKET_DATA_REPLAY_ENDPOINT: wiring.marketDataReplay };
  }
}
