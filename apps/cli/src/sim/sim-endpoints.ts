import { STACK_SERVICES, wiringEnvironment, type AllocatedStackWiring, type StackService } from '@ttquant/service-bus';

/** The services of the simulation, in start order: consumers before producers. */
export const SIM_SERVICES = STACK_SERVICES;

/** One of {@link SIM_SERVICES}. */
export type SimService = StackService;

/** Every endpoint of one simulation run, each on a free local port (see `allocateStackWiring`). */
export type SimEndpoints = AllocatedStackWiring<SimService>;

/** Settings of the run that reach the services through their environment. */
export interface SimServiceSettings {
  readonly endpoints: SimEndpoints;
  /** The account the gateway owns and the strategy trades. */
  readonly account: string;
  /** The per-run database persistence writes to. */
  readonly databaseUrl: string;
  /** Random-walk quotes per second per instrument. */
  readonly ticksPerSecond: number;
  /** Fault drill: market-data journals but does not send every Nth tick (0: never). */
  readonly dropTickEvery?: number;
}

/**
 * The `TTQ_*` variables one service needs: its endpoints (always the run's own,
 * whatever the caller's environment says) and the sim's tuning. Each service
 * gets only keys of its own schema, so its log carries no "unused variable" warnings.
 */
export function serviceEnvironment(service: SimService, settings: SimServiceSettings): Record<string, string> {
  const { endpoints } = settings;
  const own = {
    TTQ_SERVICE_HTTP_PORT: String(endpoints.httpPorts[service]),
    TTQ_SERVICE_HTTP_HOST: '127.0.0.1',
    ...wiringEnvironment(service, endpoints),
  };
  switch (service) {
    case 'persistence':
      return { ...own, DATABASE_URL: settings.databaseUrl };
    case 'gateway':
      return { ...own, TTQ_GATEWAY_ACCOUNT: settings.account };
    case 'strategy-engine':
      return { ...own, TTQ_STRATEGY_ENGINE_ACCOUNT: settings.account };
    case 'market-data':
      return {
        ...own,
        TTQ_SIM_MARKET_TICKS_PER_SECOND: String(settings.ticksPerSecond),
        ...(settings.dropTickEvery ? { TTQ_MARKET_DATA_DROP_TICK_EVERY: String(settings.dropTickEvery) } : {}),
      };
    case 'hub':
      return own;
  }
}
