import { hostname } from 'node:os';
import { busSchema, type BusConfig } from './bus-schema';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';
import { serviceSchema, type ServiceConfig } from './service-schema';

const options = { service: 'market-data', env: {}, argv: [], configDir: '/nonexistent' };

describe('shared schema fragments', () => {
  it('load with valid defaults', () => {
    const config = loadConfig({ service: serviceSchema('market-data'), bus: busSchema }, options);
    const service: ServiceConfig = config.properties.service;
    const bus: BusConfig = config.properties.bus;
    expect(service).toEqual({
      name: 'market-data',
      instance: `${hostname()}-${process.pid}`,
      logLevel: 'info',
      httpHost: '127.0.0.1',
      httpPort: 0,
      shutdownTimeout: 10_000,
    });
    expect(bus).toEqual({
      xsubEndpoint: 'tcp://127.0.0.1:5555',
      xpubEndpoint: 'tcp://127.0.0.1:5556',
      sendHwm: 100_000,
      receiveHwm: 100_000,
      linger: 2_000,
      reconnectInterval: 100,
      reconnectMax: 5_000,
      batchMaxSize: 64,
      batchMaxDelay: 0,
    });
  });

  it('take per-service defaults', () => {
    const schema = { service: serviceSchema('gateway', { httpPort: 9102, shutdownTimeout: 30_000 }) };
    const config = loadConfig(schema, { ...options, service: 'gateway' });
    expect(config.get('service.httpPort')).toBe(9102);
    expect(config.get('service.shutdownTimeout')).toBe(30_000);
  });

  it('reject a log level that does not exist', () => {
    const load = () => loadConfig({ service: serviceSchema('hub') }, { ...options, env: { TTQ_SERVICE_LOG_LEVEL: 'verbose' } });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/service\.logLevel: expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", was "verbose"/);
  });

  it('read durations with units from the environment', () => {
    const env = { TTQ_SERVICE_SHUTDOWN_TIMEOUT: '30s', TTQ_BUS_BATCH_MAX_DELAY: '2ms' };
    const config = loadConfig({ service: serviceSchema('hub'), bus: busSchema }, { ...options, env });
    expect(config.get('service.shutdownTimeout')).toBe(30_000);
    expect(config.get('bus.batchMaxDelay')).toBe(2);
  });

  it('cannot be changed by one service for another', () => {
    expect(Object.isFrozen(busSchema)).toBe(true);
    expect(Object.isFrozen(busSchema.sendHwm)).toBe(true);
  });
});
