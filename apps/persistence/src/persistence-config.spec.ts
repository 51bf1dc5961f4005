import { loadConfig } from '@ttquant/config';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { persistenceSchema, retentionByTable } from './persistence-config';

describe('persistence configuration', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ttq-persistence-config-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const load = (env: NodeJS.ProcessEnv) =>
    loadConfig({ persistence: persistenceSchema }, { service: 'persistence', configDir: dir, env, argv: [] });

  it('reads the database URL from DATABASE_URL and masks it in what is logged', () => {
    const config = load({ DATABASE_URL: 'postgres://ttq:s3cret@db:5432/ttquant' });
    expect(config.properties.persistence.databaseUrl).toBe('postgres://ttq:s3cret@db:5432/ttquant');
    expect(JSON.stringify(config.toSafeJSON())).not.toContain('s3cret');
  });

  it('refuses the database URL in a file', () => {
    writeFileSync(join(dir, 'persistence.toml'), '[persistence]\ndatabaseUrl = "postgres://x@y/z"\n');
    expect(() => load({})).toThrow(/persistence\.databaseUrl/);
  });

  it('defaults to the embedded database, every family but books, and keeping everything', () => {
    const { persistence } = load({}).properties;
    expect(persistence).toMatchObject({ databaseUrl: '', embeddedDataDir: '.data/postgres', timescale: 'auto', batchRows: 5000 });
    expect(Object.entries(persistence.store).filter(([, on]) => !on).map(([family]) => family)).toEqual(['books']);
    expect(retentionByTable(persistence.retentionDays)).toEqual({});
  });

  it('maps retention days to table names, leaving out the tables kept forever', () => {
    const { persistence } = load({ TTQ_PERSISTENCE_RETENTION_DAYS_QUOTE_TICKS: '30', TTQ_PERSISTENCE_RETENTION_DAYS_POSITIONS: '365' }).properties;
    expect(retentionByTable(persistence.retentionDays)).toEqual({ quote_ticks: 30, positions: 365 });
  });

});
