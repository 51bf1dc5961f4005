import { loadIbConfig, type IbConfig } from '@ttquant/adapter-ib';
import { loadSimConfig, simConfigSchema } from '@ttquant/adapter-sim';
import { busSchema, loadConfig, serviceSchema } from '@ttquant/config';
import { systemClock, type MarketData } from '@ttquant/domain';
import { UnknownInstrumentError } from '@ttquant/gateway-api';
import { startFakeTws, waitFor, type FakeTws } from '@ttquant/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { marketDataSchema } from './market-data-config';
import { isVenueConfigProblem, marketDataAdapterRegistry, marketDataIbSchema, MARKET_DATA_IB_CLIENT_ID, openMarketDataVenue, venueStartupError } from './market-data-venue';

const CONFIG_FILE = resolve(__dirname, '../../../config/market-data.toml');
const schema = { bus: busSchema, marketData: marketDataSchema, sim: simConfigSchema, ib: marketDataIbSchema, service: serviceSchema('market-data') };
const sim = loadSimConfig({});

/** The `[ib]` section as the service's loader hands it over: validated, without the account (IB_ACCOUNT). */
function ibSection(input: Record<string, unknown> = {}): IbConfig {
  const { account, ...config } = loadIbConfig(input, {});
  expect(account).toBe('');
  return config;
}

describe('the market-data venue', () => {
  it('registers the sim and IB adapters', () => {
    expect(marketDataAdapterRegistry().kinds()).toEqual(['sim', 'ib']);
  });

  it('sim: publishes the listed instruments asked for, or all of them', async () => {
    const all = openMarketDataVenue({ adapter: 'sim', sim, ib: ibSection(), symbols: [] }, { clock: systemClock });
    expect((await all.instruments()).map((i) => i.id.symbol)).toEqual(['ACME', 'BTC-USD']);
    const some = openMarketDataVenue({ adapter: 'sim', sim, ib: ibSection(), symbols: ['BTC-USD', 'NOPE'] }, { clock: systemClock });
    expect((await some.instruments()).map((i) => i.id.symbol)).toEqual(['BTC-USD']);
    await all.adapter.dispose();
    await some.adapter.dispose();
  });

  it('is a config problem for an unknown symbol, not for an unreachable venue', () => {
    expect(isVenueConfigProblem(new UnknownInstrumentError('expected IB to know NOPE'))).toBe(true);
    expect(isVenueConfigProblem(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});

describe('the market-data venue against a fake TWS', () => {
  let fake: FakeTws;
  beforeAll(async () => (fake = await startFakeTws({ managedAccounts: ['DU1234567'], quoteIntervalMs: 10 })));
  afterAll(() => fake.close());

  it('resolves the symbols asked for and streams their quotes', async () => {
    const venue = openMarketDataVenue({ adapter: 'ib', sim, ib: ibSection({ port: fake.port, clientId: 12 }), symbols: ['AAPL'] }, { clock: systemClock });
    try {
      const listed = await venue.instruments();
      expect(listed.map((i) => `${i.id.venue}:${i.id.symbol} ${i.venueInstrumentId}`)).toEqual(['IB:AAPL 265598']);
      const seen: MarketData[] = [];
      venue.data.onData((data) => seen.push(data));
      await venue.data.connect();
      await venue.data.subscribe({ kind: 'quotes', instrument: { venue: 'IB', symbol: 'AAPL' } });
      await waitFor(() => seen.filter((d) => d.kind === 'quote').length >= 3 || undefined, 'three AAPL quotes from the fake TWS', 10_000);
      expect(seen.every((d) => d.instrument.symbol === 'AAPL')).toBe(true);
    } finally {
      await venue.adapter.dispose();
    }
    expect(fake.clientErrors).toEqual([]);
  });

  it('fails with an unknown-instrument error naming a symbol IB does not know', async () => {
    const venue = openMarketDataVenue({ adapter: 'ib', sim, ib: ibSection({ port: fake.port, clientId: 13 }), symbols: ['NOPE'] }, { clock: systemClock });
    try {
      await expect(venue.instruments()).rejects.toThrow(UnknownInstrumentError);
      await expect(venue.instruments()).rejects.toThrow(/expected IB to know NOPE/);
    } finally {
      await venue.adapter.dispose();
    }
  });
});

describe('the market-data venue against a fake TWS of a live account', () => {
  let fake: FakeTws;
  beforeAll(async () => (fake = await startFakeTws({ managedAccounts: ['U7654321'] })));
  afterAll(() => fake.close());

  it('refuses the session on a paper connection: a config error (exit 78) naming the masked account', async () => {
    const venue = openMarketDataVenue({ adapter: 'ib', sim, ib: ibSection({ port: fake.port }), symbols: ['AAPL'] }, { clock: systemClock });
    try {
      const failure = await venue.instruments().then(
        () => undefined,
        (error: unknown) => venueStartupError('cannot load the instruments of the ib venue', error),
      );
      expect(failure?.exitCode).toBe(78);
      expect(failure?.message).toContain('expected a paper account (DU...) on a paper connection, TWS manages U7****21');
      expect(failure?.message).not.toContain('U7654321');
    } finally {
      await venue.adapter.dispose();
    }
  });
});

describe('config/market-data.toml', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ttq-market-data-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads as is: the sim adapter, market-data\'s own IB client id by default', () => {
    writeFileSync(join(dir, 'market-data.toml'), readFileSync(CONFIG_FILE, 'utf8'));
    const config = loadConfig(schema, { service: 'market-data', configDir: dir, env: {}, argv: [] });
    expect(config.properties.marketData.adapter).toBe('sim');
    expect(config.properties.ib.clientId).toBe(MARKET_DATA_IB_CLIENT_ID);
  });

  it('loads with its commented IB paper example switched on', () => {
    const text = readFileSync(CONFIG_FILE, 'utf8');
    const at = text.indexOf('# [ib]');
    const example = text
      .slice(at)
      .split('\n')
      .map((line) => line.replace(/^# ?/, ''))
      .join('\n');
    writeFileSync(join(dir, 'market-data.toml'), `${text.slice(0, at).replace('adapter = "sim"', 'adapter = "ib"')}${example}`);
    const config = loadConfig(schema, { service: 'market-data', configDir: dir, env: {}, argv: [] });
    expect(config.properties.marketData.adapter).toBe('ib');
    const ib = loadIbConfig(config.properties.ib, {});
    expect(ib).toMatchObject({ port: 4002, clientId: 12, marketDataType: 'realtime' });
    expect(ib.instruments.map((i) => i.symbol)).toEqual(['AAPL', 'ESZ7']);
  });
});
