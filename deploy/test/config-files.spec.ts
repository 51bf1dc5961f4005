import { loadSimConfig } from '@ttquant/adapter-sim';
import { busSchema, loadConfig, parseToml, serviceSchema } from '@ttquant/config';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'smol-toml';
import { appNames, readRepoFile, ROOT } from './deploy-files';

/**
 * The top-level sections each process's configuration schema has (its main.ts or, for
 * the cli, cli-config.ts; runService adds `service`). Apps cannot be imported from here,
 * so this list is kept by hand; each service's own e2e test loads its file with the real
 * schema.
 */
const SECTIONS: Readonly<Record<string, readonly string[]>> = {
  hub: ['service', 'hub'],
  'market-data': ['service', 'bus', 'marketData', 'sim', 'ib'],
  gateway: ['service', 'bus', 'gateway', 'sim', 'ib'],
  'strategy-engine': ['service', 'bus', 'strategyEngine'],
  persistence: ['service', 'bus', 'persistence'],
  cli: ['bus', 'cli', 'database'],
};

/** Endpoint defaults of docs/services.md, for keys a file leaves out. */
const DEFAULT_ENDPOINTS = {
  hubBackend: 'tcp://127.0.0.1:5556',
  gatewayOrders: 'tcp://127.0.0.1:5560',
  gatewayControl: 'tcp://127.0.0.1:5561',
};

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value);

function file(name: string): Table {
  const relative = `config/${name}.toml`;
  return parseToml(readRepoFile(relative), relative);
}

function section(table: Table, name: string): Table {
  const found = table[name];
  return isTable(found) ? found : {};
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

const apps = appNames();

describe('config/*.toml', () => {
  it('has default.toml and one file per app, nothing else', () => {
    const files = readdirSync(path.join(ROOT, 'config')).filter((f) => f.endsWith('.toml'));
    expect(files.sort()).toEqual(['default.toml', ...apps.map((app) => `${app}.toml`)].sort());
  });

  it('knows the sections of every app', () => {
    expect(Object.keys(SECTIONS).sort()).toEqual(apps);
  });

  it.each(apps)('config/%s.toml is TOML with only sections its app knows', (app) => {
    const table = file(app);
    expect(Object.keys(table).length).toBeGreaterThan(0);
    for (const name of Object.keys(table)) expect({ app, section: name, known: SECTIONS[app]?.includes(name) }).toEqual({ app, section: name, known: true });
  });

  it('config/default.toml holds only sections every app knows, because every app reads it', () => {
    const shared = Object.values(SECTIONS).reduce((common, sections) => common.filter((s) => sections.includes(s)));
    for (const name of Object.keys(file('default'))) expect({ section: name, everywhere: shared.includes(name) }).toEqual({ section: name, everywhere: true });
  });

  describe('shared sections load with the shared schemas (strict: unknown keys fail)', () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'ttq-config-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(['default', ...apps])('config/%s.toml', (name) => {
      const table = file(name);
      const shared = Object.fromEntries(Object.entries(table).filter(([key]) => key === 'service' || key === 'bus'));
      const only = path.join(dir, `${name}.toml`);
      writeFileSync(only, stringify(shared));
      const service = name === 'default' ? 'hub' : name;
      // An empty config folder, no environment, no flags: only this file's values count.
      const loaded = loadConfig(
        { service: serviceSchema(service), bus: busSchema },
        { service, configDir: path.join(dir, 'none'), files: [only], env: {}, argv: [] },
      );
      expect(loaded.sources).toEqual([only]);
    });
  });

  it('the sim sections of market-data and gateway load with the sim adapter schema', () => {
    for (const app of ['market-data', 'gateway']) {
      expect(() => loadSimConfig(section(file(app), 'sim'))).not.toThrow();
    }
  });

  it('market-data and the gateway simulate the same venue with the same instruments', () => {
    const marketSim = loadSimConfig(section(file('market-data'), 'sim'));
    const gatewaySim = loadSimConfig(section(file('gateway'), 'sim'));
    expect(gatewaySim.venue).toBe(marketSim.venue);
    expect(gatewaySim.instruments).toEqual(marketSim.instruments);
  });

  it("the strategies trade listed instruments on the gateway's account", () => {
    const gateway = section(file('gateway'), 'gateway');
    const engine = section(file('strategy-engine'), 'strategyEngine');
    const sim = loadSimConfig(section(file('market-data'), 'sim'));
    expect(engine['account']).toBe(gateway['account']);
    const strategies = engine['strategies'];
    expect(Array.isArray(strategies) && strategies.length > 0).toBe(true);
    for (const strategy of strategies as unknown[]) {
      const params = isTable(strategy) && isTable(strategy['params']) ? strategy['params'] : {};
      expect(isTable(strategy) ? strategy['id'] : undefined).toEqual(expect.stringMatching(/^[A-Za-z0-9]{1,12}$/));
      expect(params['venue']).toBe(sim.venue);
      expect(sim.instruments.map((i) => i.symbol)).toContain(params['symbol']);
    }
  });

  it('the local endpoints agree: engine and ttq reach the gateway, ttq listens on the hub backend', () => {
    const gateway = section(file('gateway'), 'gateway');
    const hub = section(file('hub'), 'hub');
    const engine = section(file('strategy-engine'), 'strategyEngine');
    const cli = file('cli');
    const orders = text(gateway['ordersEndpoint'], DEFAULT_ENDPOINTS.gatewayOrders);
    expect(text(engine['gatewayEndpoint'], DEFAULT_ENDPOINTS.gatewayOrders)).toBe(orders);
    expect(text(section(cli, 'cli')['gatewayOrders'], DEFAULT_ENDPOINTS.gatewayOrders)).toBe(orders);
    expect(text(section(cli, 'cli')['gatewayControl'], DEFAULT_ENDPOINTS.gatewayControl)).toBe(
      text(gateway['controlEndpoint'], DEFAULT_ENDPOINTS.gatewayControl),
    );
    expect(text(section(cli, 'bus')['xpubEndpoint'], DEFAULT_ENDPOINTS.hubBackend)).toBe(text(hub['backend'], DEFAULT_ENDPOINTS.hubBackend));
  });
});
