import convict from 'convict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from './config-error';
import { parseToml, registerTomlParser } from './toml';

describe('parseToml', () => {
  it('returns plain objects and dates as ISO text', () => {
    const table = parseToml('[session]\nstart = 2024-01-02T09:30:00Z\nday = 2024-01-02\n', 'x.toml');
    expect(Object.getPrototypeOf(table['session'])).toBe(Object.prototype);
    expect(table).toEqual({ session: { start: '2024-01-02T09:30:00.000Z', day: '2024-01-02' } });
  });

  it('names the source and line of a syntax error', () => {
    expect(() => parseToml('a = 1\n[b\n', 'risk.toml')).toThrow(ConfigError);
    expect(() => parseToml('a = 1\n[b\n', 'risk.toml')).toThrow(/^risk\.toml: invalid TOML at line 2, column \d+: /);
  });

  it('refuses integers a JavaScript number cannot hold exactly', () => {
    expect(() => parseToml('a = 9007199254740993\n', 'big.toml')).toThrow(/^big\.toml: invalid TOML at line 1/);
  });
});

describe('registerTomlParser', () => {
  it('lets convict load .toml files itself', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ttq-toml-'));
    try {
      const file = path.join(dir, 'a.toml');
      writeFileSync(file, '[db]\nport = 6543\n');
      registerTomlParser();
      const config = convict({ db: { port: { doc: 'port', format: 'int', default: 5432 } } }, { env: {}, args: [] });
      config.loadFile(file);
      expect(config.get('db.port')).toBe(6543);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
