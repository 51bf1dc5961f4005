import { allocateStackWiring, STACK_SERVICES, wiringEnvironment, type AllocatedStackWiring } from '@ttquant/service-bus';
import { SERVICE_APPS, type ServiceApp } from './service-process';

/** Endpoints of one test stack and an HTTP port for every app a test can start, all on free local ports. */
export type StackEndpoints = AllocatedStackWiring<ServiceApp>;

/** Picks free ports for every endpoint of a stack and for every app's HTTP server. */
export function allocateEndpoints(): Promise<StackEndpoints> {
  return allocateStackWiring(SERVICE_APPS);
}

/**
 * The `TTQ_*` environment that wires every service of a stack to its
 * endpoints. Each service reads the keys of its own schema; the loader only
 * warns about the others.
 */
export function stackEnv(endpoints: StackEndpoints): Record<string, string> {
  return Object.assign({}, ...STACK_SERVICES.map((service) => wiringEnvironment(service, endpoints))) as Record<string, string>;
}
