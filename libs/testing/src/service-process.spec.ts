import { createServer } from 'node:net';
import { allocateEndpoints, stackEnv } from './sim-stack';
import { assertBuilt, freePorts, waitFor, type ServiceApp } from './service-process';

describe('test harness', () => {
  it('hands out distinct ports that can be bound', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    const server = createServer();
    await new Promise<void>((ok) => server.listen(ports[0], '127.0.0.1', ok));
    await new Promise((ok) => server.close(ok));
  });

  it('wires every service of a stack to the same endpoints', async () => {
    const endpoints = await allocateEndpoints();
    const env = stackEnv(endpoints);
    expect(env['TTQ_BUS_XSUB_ENDPOINT']).toBe(env['TTQ_HUB_FRONTEND']);
    expect(env['TTQ_STRATEGY_ENGINE_GATEWAY_ENDPOINT']).toBe(env['TTQ_GATEWAY_ORDERS_ENDPOINT']);
    expect(new Set(Object.values(endpoints.httpPorts)).size).toBe(6);
  });

  it('waits for a condition, and says what it waited for when it times out', async () => {
    let calls = 0;
    await expect(waitFor(() => ++calls >= 3, 'three calls', 1_000, 1)).resolves.toBe(true);
    await expect(waitFor(() => false, 'the impossible', 50, 10)).rejects.toThrow('timed out after 50 ms waiting for the impossible');
  });

  it('names the build command when an app bundle is missing', () => {
    expect(() => assertBuilt(['no-such-app' as ServiceApp])).toThrow(
      'apps not built: no-such-app; run: npx nx run-many -t build -p no-such-app',
    );
  });
});
