import { freeTcpPort } from '@ttquant/bus';
import type { StackWiring } from './stack-wiring';

/** One port per member of {@link StackWiring}. */
const WIRING_PORTS = 5;

/** A stack's endpoints and the `/readyz` and `/metrics` port of each of its services. */
export interface AllocatedStackWiring<Service extends string> extends StackWiring {
  readonly httpPorts: Readonly<Record<Service, number>>;
}

/**
 * Picks a free port on 127.0.0.1 for every endpoint of a stack and an HTTP
 * port for each of `httpServices`, so a run never collides with another run or
 * with services a developer already has running on the default ports. `ttq sim`
 * and the process tests both allocate here, so an endpoint added to
 * {@link StackWiring} gets a port in both.
 *
 * @param freePort Where ports come from; one offered twice is asked for again.
 * @example
 * const endpoints = await allocateStackWiring(STACK_SERVICES);
 * wiringEnvironment('gateway', endpoints); // { TTQ_GATEWAY_ORDERS_ENDPOINT: 'tcp://127.0.0.1:2…', … }
 */
export async function allocateStackWiring<Service extends string>(
  httpServices: readonly Service[],
  freePort: () => Promise<number> = freeTcpPort,
): Promise<AllocatedStackWiring<Service>> {
  const ports = new Set<number>();
  while (ports.size < WIRING_PORTS + httpServices.length) ports.add(await freePort());
  const [xsub, xpub, replay, orders, control, ...http] = [...ports];
  const tcp = (port: number | undefined) => `tcp://127.0.0.1:${port}`;
  const httpPorts = Object.fromEntries(httpServices.map((service, i) => [service, http[i]])) as Record<Service, number>;
  return { xsub: tcp(xsub), xpub: tcp(xpub), marketDataReplay: tcp(replay), gatewayOrders: tcp(orders), gatewayControl: tcp(control), httpPorts };
}
