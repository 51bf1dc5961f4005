import { STACK_SERVICES, wiringEnvironment, type StackWiring } from '@ttquant/service-bus';
import { freePorts, type ServiceApp } from './service-process';

/** Endpoints and HTTP ports of one test stack, all on free local ports. */
export interface StackEndpoints extends StackWiring {
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
  return Object.assign({}, ...STACK_SERVICES.map((service) => wiringEnvironment(service, endpoints))) as Record<string, string>;
}
