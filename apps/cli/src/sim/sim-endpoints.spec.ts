import { loadConfig, busSchema } from '@ttquant/config';
import { serviceEnvironment } from './sim-endpoints';

describe('serviceEnvironment', () => {
  const settings = {
    account: 'SIM001',
    databaseUrl: 'postgres://u:p@127.0.0.1:5432/ttq_sim_x',
    ticksPerSecond: 50,
    endpoints: {
      xsub: 'tcp://127.0.0.1:7001',
      xpub: 'tcp://127.0.0.1:7002',
      marketDataReplay: 'tcp://127.0.0.1:7003',
      gatewayOrders: 'tcp://127.0.0.1:7004',
      gatewayControl: 'tcp://127.0.0.1:7005',
      httpPorts: { hub: 7100, persistence: 7101, gateway: 7102, 'strategy-engine': 7103, 'market-data': 7104 },
    },
  };

  it('wires the strategy engine to the gateway it trades through, both to the same hub', () => {
    const gateway = serviceEnvironment('gateway', settings);
    const strategy = serviceEnvironment('strategy-engine', settings);
    expect(strategy['TTQ_STRATEGY_ENGINE_GATEWAY_ENDPOINT']).toBe(gateway['TTQ_GATEWAY_ORDERS_ENDPOINT']);
    expect(strategy['TTQ_BUS_XPUB_ENDPOINT']).toBe(serviceEnvironment('hub', settings)['TTQ_HUB_BACKEND']);
    expect(gateway['TTQ_SERVICE_HTTP_PORT']).toBe('7102');
  });

  it('gives persistence the run database and market-data the tick rate', () => {
    expect(serviceEnvironment('persistence', settings)['DATABASE_URL']).toBe(settings.databaseUrl);
    expect(serviceEnvironment('market-data', settings)['TTQ_SIM_MARKET_TICKS_PER_SECOND']).toBe('50');
  });

  it('names only keys a bus-using service reads, so the bus section loads from them', () => {
    const env = serviceEnvironment('market-data', settings);
    const config = loadConfig({ bus: busSchema }, { service: 'market-data', env, argv: [], configDir: '/nonexistent' });
    expect(config.get('bus.xsubEndpoint')).toBe('tcp://127.0.0.1:7001');
  });
});
