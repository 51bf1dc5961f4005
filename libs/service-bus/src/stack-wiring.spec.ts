import { STACK_SERVICES, wiringEnvironment, type StackWiring } from './stack-wiring';

const wiring: StackWiring = {
  xsub: 'tcp://127.0.0.1:7001',
  xpub: 'tcp://127.0.0.1:7002',
  marketDataReplay: 'tcp://127.0.0.1:7003',
  gatewayOrders: 'tcp://127.0.0.1:7004',
  gatewayControl: 'tcp://127.0.0.1:7005',
};
const env = Object.fromEntries(STACK_SERVICES.map((service) => [service, wiringEnvironment(service, wiring)]));

describe('wiringEnvironment', () => {
  it('points every connecting side at the endpoint the binding side binds', () => {
    expect(env['hub']).toEqual({ TTQ_HUB_FRONTEND: wiring.xsub, TTQ_HUB_BACKEND: wiring.xpub });
    for (const service of ['persistence', 'gateway', 'strategy-engine', 'market-data']) {
      expect(env[service]).toMatchObject({ TTQ_BUS_XSUB_ENDPOINT: wiring.xsub, TTQ_BUS_XPUB_ENDPOINT: wiring.xpub });
    }
    expect(env['strategy-engine']?.['TTQ_STRATEGY_ENGINE_GATEWAY_ENDPOINT']).toBe(env['gateway']?.['TTQ_GATEWAY_ORDERS_ENDPOINT']);
    expect(env['strategy-engine']?.['TTQ_STRATEGY_ENGINE_GATEWAY_CONTROL_ENDPOINT']).toBe(env['gateway']?.['TTQ_GATEWAY_CONTROL_ENDPOINT']);
    expect(env['persistence']?.['TTQ_PERSISTENCE_REPLAY_GATEWAY']).toBe(env['gateway']?.['TTQ_GATEWAY_CONTROL_ENDPOINT']);
    expect(env['persistence']?.['TTQ_PERSISTENCE_REPLAY_MARKET_DATA']).toBe(env['market-data']?.['TTQ_MARKET_DATA_REPLAY_ENDPOINT']);
  });

  it('gives each service only its own sections', () => {
    for (const [service, vars] of Object.entries(env)) {
      const sections = new Set(Object.keys(vars ?? {}).map((key) => key.split('_').slice(1, 2)[0]));
      expect([...sections].every((s) => s === 'BUS' || service.toUpperCase().replace('-', '_').startsWith(s ?? ''))).toBe(true);
    }
  });
});
