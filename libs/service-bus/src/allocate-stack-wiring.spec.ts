import { createServer } from 'node:net';
import { allocateStackWiring, type AllocatedStackWiring } from './allocate-stack-wiring';
import { STACK_SERVICES } from './stack-wiring';

function wiringOf(endpoints: AllocatedStackWiring<string>): string[] {
  return [endpoints.xsub, endpoints.xpub, endpoints.marketDataReplay, endpoints.gatewayOrders, endpoints.gatewayControl];
}

function portsOf(endpoints: AllocatedStackWiring<string>): number[] {
  return wiringOf(endpoints).map((endpoint) => Number(endpoint.split(':').at(-1))).concat(Object.values(endpoints.httpPorts));
}

function bind(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

describe('allocateStackWiring', () => {
  it('puts every endpoint on 127.0.0.1 and gives each endpoint and service a distinct port that can be bound', async () => {
    const endpoints = await allocateStackWiring(STACK_SERVICES);
    for (const endpoint of wiringOf(endpoints)) expect(endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(endpoints.httpPorts)).toEqual([...STACK_SERVICES]);
    const ports = portsOf(endpoints);
    expect(new Set(ports).size).toBe(5 + STACK_SERVICES.length);
    for (const port of ports) await bind(port);
  });

  it('asks again when the port source repeats itself', async () => {
    const offered = [7001, 7001, 7002, 7003, 7003, 7004, 7005, 7006, 7007];
    let i = 0;
    const endpoints = await allocateStackWiring(['hub', 'cli'], () => Promise.resolve(offered[i++] ?? 9999));
    expect(portsOf(endpoints)).toEqual([7001, 7002, 7003, 7004, 7005, 7006, 7007]);
    expect(endpoints.xsub).toBe('tcp://127.0.0.1:7001');
    expect(endpoints.httpPorts).toEqual({ hub: 7006, cli: 7007 });
  });
});
