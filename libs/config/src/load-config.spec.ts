import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { busSchema } from './bus-schema';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';
import { serviceSchema } from './service-schema';

const schema = {
  service: serviceSchema('gateway'),
  bus: busSchema,
  risk: {
    maxNotional: { doc: 'Largest order value.', format: 'positive-decimal', default: '100000' },
    maxOrders: { doc: 'Open orders allowed.', format: 'nat', default: 50 },
  },
  ib: {
    host: { doc: 'TWS host.', format: 'nonempty-string', default: '127.0.0.1' },
    account: { doc: 'IB account id.', format: 'secret', default: '', env: 'IB_ACCOUNT' },
    password: { doc: 'Login password.', format: String, default: '', sensitive: true },
  },
};

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ttq-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function load(env: NodeJS.ProcessEnv = {}, argv: string[] = [], files?: string[]) {
  return loadConfig(schema, { service: 'gateway', configDir: dir, env, argv, files });
}

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('layering', () => {
  it('uses the schema defaults when nothing else is given', () => {
    const config = load();
    expect(config.get('bus.sendHwm')).toBe(100_000);
    expect(config.get('service.name')).toBe('gateway');
    expect(config.sources).toEqual([]);
  });

  it('applies defaults < default.toml < <service>.toml < env < flag', () => {
    const defaults = write('default.toml', '[bus]\nsendHwm = 1\nreceiveHwm = 1\nlinger = 1\nreconnectInterval = 1\n');
    const own = write('gateway.toml', '[bus]\nreceiveHwm = 2\nlinger = 2\nreconnectInterval = 2\n');
    const config = load({ TTQ_BUS_LINGER: '3', TTQ_BUS_RECONNECT_INTERVAL: '3' }, ['--bus.reconnectInterval=4']);

    expect(config.get('bus.batchMaxSize')).toBe(64);
    expect(config.get('bus.sendHwm')).toBe(1);
    expect(config.get('bus.receiveHwm')).toBe(2);
    expect(config.get('bus.linger')).toBe(3);
    expect(config.get('bus.reconnectInterval')).toBe(4);
    expect(config.sources).toEqual([defaults, own]);
  });

  it('reads extra files from options, TTQ_CONFIG and --config, in that order, above the folder', () => {
    write('gateway.toml', '[risk]\nmaxOrders = 1\n');
    const fromOptions = write('a.toml', '[risk]\nmaxOrders = 2\nmaxNotional = "2"\n');
    const fromEnv = write('b.toml', '[risk]\nmaxOrders = 3\n');
    const fromFlag = write('c.toml', '[ib]\nhost = "tws"\n');
    const config = load({ TTQ_CONFIG: fromEnv }, ['--config', fromFlag], [fromOptions]);
    expect(config.get('risk.maxOrders')).toBe(3);
    expect(config.get('risk.maxNotional')).toBe('2');
    expect(config.get('ib.host')).toBe('tws');
    expect(config.sources).toEqual([path.join(dir, 'gateway.toml'), fromOptions, fromEnv, fromFlag]);
  });

  it('accepts --key value as well as --key=value', () => {
    const config = load({}, ['--risk.maxOrders', '7', '--service.logLevel=debug']);
    expect(config.get('risk.maxOrders')).toBe(7);
    expect(config.get('service.logLevel')).toBe('debug');
  });

  it('reads a boolean flag without a value as true', () => {
    const flags = { feature: { enabled: { doc: 'x', format: Boolean, default: false }, size: { doc: 'y', default: 1 } } };
    const config = loadConfig(flags, { service: 'x', env: {}, argv: ['--feature.enabled', '--feature.size', '2'], configDir: dir });
    expect(config.get('feature.enabled')).toBe(true);
    expect(config.get('feature.size')).toBe(2);
  });

  it('names env variables TTQ_ + upper snake of the key, or the schema env', () => {
    const config = load({ TTQ_SERVICE_HTTP_PORT: '9100', TTQ_BUS_XSUB_ENDPOINT: 'ipc:///tmp/hub-in', IB_ACCOUNT: 'DU123' });
    expect(config.get('service.httpPort')).toBe(9100);
    expect(config.get('bus.xsubEndpoint')).toBe('ipc:///tmp/hub-in');
    expect(config.get('ib.account')).toBe('DU123');
  });

  it('reports TTQ_ variables that no key reads as warnings, not errors', () => {
    const config = load({ TTQ_BUS_HMW: '5', TTQ_CONFIG: '' });
    expect(config.warnings).toEqual(['TTQ_BUS_HMW is set but no configuration key of this service reads it']);
  });

  it('fails when a listed file does not exist, naming it', () => {
    const missing = path.join(dir, 'nope.toml');
    expect(problemsOf(() => load({ TTQ_CONFIG: missing }))).toEqual([`${missing}: file not found`]);
  });
});

describe('validation', () => {
  it('fails on a key the schema does not declare, naming key and file, with a suggestion', () => {
    const file = write('gateway.toml', '[bus]\nsendHwn = 5\n[risc]\nmaxOrders = 1\n');
    expect(problemsOf(() => load())).toEqual([
      `bus.sendHwn: unknown key in ${file}, not in the gateway schema (did you mean bus.sendHwm?)`,
      `risc: unknown key in ${file}, not in the gateway schema (did you mean risk?)`,
    ]);
  });

  it('reports a __proto__ key as unknown instead of merging it', () => {
    const file = write('gateway.toml', '[bus.__proto__]\npolluted = true\n');
    expect(problemsOf(() => load())).toEqual([`bus.__proto__: unknown key in ${file}, not in the gateway schema`]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('fails when a section is given a plain value', () => {
    const file = write('gateway.toml', 'bus = 5\n');
    expect(problemsOf(() => load())).toEqual([`bus: expected a table of settings in ${file}, was 5`]);
  });

  it('lists every wrong value with the expected format, the value and its origin', () => {
    const file = write('gateway.toml', '[risk]\nmaxOrders = -1\n');
    const err = (() => {
      try {
        load({ TTQ_BUS_SEND_HWM: 'abc' }, ['--bus.xpubEndpoint=localhost:5556']);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.name).toBe('ConfigError');
    expect(err.problems).toEqual([
      'bus.xpubEndpoint: expected a ZeroMQ endpoint such as "tcp://host:port", "ipc:///path" or "inproc://name", was "localhost:5556" (from flag --bus.xpubEndpoint)',
      'bus.sendHwm: expected a natural number, was "abc" (from TTQ_BUS_SEND_HWM)',
      `risk.maxOrders: expected a natural number, was -1 (from ${file})`,
    ]);
    expect(err.message).toContain('invalid configuration for gateway (3 problems):');
    expect(err.message).toContain('  - bus.sendHwm: expected a natural number, was "abc"');
  });

  it('says which variable to set for a required key', () => {
    const required = { db: { url: { doc: 'Database URL.', format: 'url', default: null } } };
    expect(problemsOf(() => loadConfig(required, { service: 'persistence', env: {}, argv: [], configDir: dir }))).toEqual([
      'db.url: required, set TTQ_DB_URL or add it to a config file (the default)',
    ]);
  });

  it('rejects unknown flags and stray arguments', () => {
    expect(problemsOf(() => load({}, ['--bus.sendHwn=5', 'extra', '--risk.maxOrders']))).toEqual([
      'unknown command-line flag --bus.sendHwn: no such configuration key',
      'unexpected command-line argument "extra", expected --key=value',
      'command-line flag --risk.maxOrders needs a value',
    ]);
  });

  it('names the file, line and column of a TOML syntax error', () => {
    const file = write('default.toml', '[bus]\nsendHwm = 5\nreceiveHwm = \n');
    const problems = problemsOf(() => load());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid TOML at line 3, column \\d+: `));
  });

  it('refuses a service name that could escape the config folder', () => {
    expect(() => loadConfig(schema, { service: '../etc', env: {}, argv: [] })).toThrow(
      'service name: expected lower-case letters, digits and dashes, was "../etc"',
    );
  });

  it('rejects a schema with an unknown format or two keys on one variable', () => {
    const badFormat = { a: { doc: 'x', format: 'email', default: '' } };
    expect(() => loadConfig(badFormat, { service: 'x', env: {}, argv: [] })).toThrow(/a: unknown format "email"/);
    const clash = { a: { b: { doc: 'x', default: 1 } }, aB: { doc: 'y', default: 2 } };
    expect(() => loadConfig(clash, { service: 'x', env: {}, argv: [] })).toThrow(
      'aB: environment variable TTQ_A_B is already used by a.b',
    );
  });
});

describe('secrets', () => {
  it('masks sensitive keys as **** in toSafeJSON, toString, JSON.stringify and inspect', () => {
    const config = load({ IB_ACCOUNT: 'DU1234567', TTQ_IB_PASSWORD: 'hunter2' });
    expect(config.get('ib.account')).toBe('DU1234567');
    expect(config.toSafeJSON()).toMatchObject({ ib: { account: '****', password: '****', host: '127.0.0.1' } });
    for (const text of [config.toString(), JSON.stringify(config), inspect(config, { depth: 10 })]) {
      expect(text).not.toContain('DU1234567');
      expect(text).not.toContain('hunter2');
      expect(text).toContain('****');
    }
  });

  it('masks unset secrets too, so the output does not tell whether one exists', () => {
    expect(load().toSafeJSON()).toMatchObject({ ib: { account: '****', password: '****' } });
  });

  it('refuses secrets written in a file, pointing to the variable', () => {
    const file = write('gateway.toml', '[ib]\naccount = "DU999"\npassword = "pw"\n');
    expect(problemsOf(() => load())).toEqual([
      `ib.account: secrets must come from the environment, set IB_ACCOUNT instead of writing it in ${file}`,
      `ib.password: secrets must come from the environment, set TTQ_IB_PASSWORD instead of writing it in ${file}`,
    ]);
  });

  it('refuses secrets given as flags', () => {
    expect(problemsOf(() => load({}, ['--ib.account=DU1']))).toEqual([
      'ib.account: secrets must come from the environment, set IB_ACCOUNT instead of --ib.account',
    ]);
  });

  it('never shows a secret value in a validation error', () => {
    const strict = { api: { key: { doc: 'x', format: 'nonempty-string', default: 'k', sensitive: true } } };
    const problems = problemsOf(() => loadConfig(strict, { service: 'x', env: { TTQ_API_KEY: '   ' }, argv: [], configDir: dir }));
    expect(problems).toEqual(['api.key: expected a non-empty string, was **** (from TTQ_API_KEY)']);
  });
});

describe('LoadedConfig', () => {
  it('exposes deeply frozen properties typed from the schema', () => {
    const config = load();
    const hwm: number = config.properties.bus.sendHwm;
    expect(hwm).toBe(100_000);
    expect(Object.isFrozen(config.properties)).toBe(true);
    expect(Object.isFrozen(config.properties.bus)).toBe(true);
    expect(() => {
      (config.properties.bus as { sendHwm: number }).sendHwm = 1;
    }).toThrow(TypeError);
    expect(config.get('bus')).toBe(config.properties.bus);
  });
});
