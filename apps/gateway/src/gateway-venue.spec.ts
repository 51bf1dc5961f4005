import { IbConfigError, loadIbConfig, type IbConfig } from '@ttquant/adapter-ib';
import { loadSimConfig, simConfigSchema, type SimConfig } from '@ttquant/adapter-sim';
import { busSchema, loadConfig, serviceSchema } from '@ttquant/config';
import { systemClock } from '@ttquant/domain';
import { UnknownInstrumentError } from '@ttquant/gateway-api';
import { startFakeTws, type FakeTws } from '@ttquant/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gatewaySchema } from './gateway-config';
import {
  checkIbAccount,
  gatewayAdapterRegistry,
  gatewayIbSchema,
  GATEWAY_IB_CLIENT_ID,
  isVenueConfigProblem,
  openGatewayVenue,
  VenueAccountMismatchError,
  venueStartupError,
} from './gateway-venue';

const CONFIG_FILE = resolve(__dirname, '../../../config/gateway.toml');
const schema = { bus: busSchema, gateway: gatewaySchema, sim: simConfigSchema, ib: gatewayIbSchema, service: serviceSchema('gateway') };
/** The `[ib]` section as the service's loader hands it over: validated, without the account (that comes from IB_ACCOUNT). */
function ibSection(input: Record<string, unknown> = {}): IbConfig {
  const { account, ...config } = loadIbConfig(input, {});
  expect(account).toBe('');
  return config;
}
const ibDefaults = ibSection();
const sim: SimConfig = loadSimConfig({});

describe('the gateway venue', () => {
  it('registers the sim and IB adapters', () => {
    expect(gatewayAdapterRegistry({ account: 'SIM001' }).kinds()).toEqual(['sim', 'ib']);
  });

  it('sim: looks instruments up by venue and symbol, and fills against the quotes it is given', async () => {
    const venue = openGatewayVenue({ adapter: 'sim', account: 'SIM001', sim, ib: ibDefaults }, { clock: systemClock });
    const loaded = await venue.load();
    const acme = loaded.find((i) => i.id.symbol === 'ACME');
    expect(acme?.id.venue).toBe('SIM');
    expect(venue.instrument({ venue: 'SIM', symbol: 'ACME' })).toBe(acme);
    expect(venue.instrument({ venue: 'IB', symbol: 'ACME' })).toBeUndefined();
    expect(() => venue.checkAccount()).not.toThrow();
    await venue.adapter.dispose();
  });

  it('IB: a live port without live = true is a config problem naming the port', () => {
    const attempt = () => openGatewayVenue({ adapter: 'ib', account: 'DU1', sim, ib: { ...ibDefaults, port: 7496 } }, { clock: systemClock });
    expect(attempt).toThrow(IbConfigError);
    expect(attempt).toThrow('expected a paper port (7497 or 4002) without live = true, was the live port 7496');
    try {
      attempt();
    } catch (error) {
      expect(isVenueConfigProblem(error)).toBe(true);
    }
  });

  it('IB: refuses to start without instruments to trade', async () => {
    const venue = openGatewayVenue({ adapter: 'ib', account: 'DU1', sim, ib: ibDefaults }, { clock: systemClock });
    await expect(venue.load()).rejects.toThrow(new UnknownInstrumentError('expected at least one instrument in ib.instruments for the gateway to trade, found none'));
    await venue.adapter.dispose();
  });

  it('exits 78 for what the operator must fix, 69 when the venue is only unreachable', () => {
    const unknown = venueStartupError('cannot load', new UnknownInstrumentError('expected IB to know NOPE'));
    expect(unknown).toMatchObject({ name: 'StartupError', exitCode: 78, message: 'cannot load: expected IB to know NOPE' });
    expect(venueStartupError('cannot connect', new VenueAccountMismatchError('wrong account')).exitCode).toBe(78);
    expect(isVenueConfigProblem(new Error('connect ECONNREFUSED'))).toBe(false);
    expect(venueStartupError('cannot connect', new Error('connect ECONNREFUSED')).exitCode).toBe(69);
  });
});

describe('checkIbAccount', () => {
  it('accepts a name of its own for whatever account the session trades, IB_ACCOUNT when set', () => {
    expect(() => checkIbAccount('ib-paper', '', 'DU1234567')).not.toThrow();
    expect(() => checkIbAccount('IBPAPER1', 'DU1234567', 'DU1234567')).not.toThrow();
    expect(() => checkIbAccount('DU1234567', 'DU1234567', 'DU1234567')).not.toThrow();
    expect(() => checkIbAccount('DU1234567', '', 'DU1234567')).not.toThrow();
  });

  it('refuses a session not trading IB_ACCOUNT, or an account named by another IB id, showing ids masked', () => {
    expect(() => checkIbAccount('ib-paper', 'DU7654321', 'DU1234567')).toThrow(
      new VenueAccountMismatchError('expected the IB session to trade IB_ACCOUNT DU****21, it trades DU****67'),
    );
    expect(() => checkIbAccount('U7654321', '', 'DU1234567')).toThrow(VenueAccountMismatchError);
    expect(() => checkIbAccount('U7654321', '', 'DU1234567')).toThrow("expected the IB session to trade the gateway's account U7****21, it trades DU****67");
  });
});

describe('the gateway venue against a fake TWS', () => {
  let fake: FakeTws;
  beforeAll(async () => (fake = await startFakeTws({ managedAccounts: ['DU1234567'] })));
  afterAll(() => fake.close());

  const ib = () => ibSection({ port: fake.port, instruments: [{ symbol: 'AAPL', secType: 'STK', primaryExchange: 'NASDAQ' }] });

  it('loads the configured contracts, then trades only the account it owns', async () => {
    const venue = openGatewayVenue({ adapter: 'ib', account: 'DU9999999', sim, ib: ib() }, { clock: systemClock });
    try {
      const [aapl] = await venue.load();
      expect(aapl).toMatchObject({ id: { venue: 'IB', symbol: 'AAPL' }, venueInstrumentId: '265598', currency: 'USD' });
      expect(aapl?.tickSize.toString()).toBe('0.01');
      expect(venue.instrument({ venue: 'IB', symbol: 'AAPL' })).toBe(aapl);
      await venue.execution.connect();
      // Without IB_ACCOUNT a paper session trades the first managed account: not the gateway's.
      expect(() => venue.checkAccount()).toThrow(VenueAccountMismatchError);
      expect(() => venue.checkAccount()).toThrow("expected the IB session to trade the gateway's account DU****99, it trades DU****67");
    } finally {
      await venue.adapter.dispose();
    }
    expect(fake.clientErrors).toEqual([]);
  });

  it('names the account as the gateway does: the execution client reports the name, the session trades the IB account', async () => {
    const venue = openGatewayVenue({ adapter: 'ib', account: 'ib-paper', sim, ib: ib() }, { clock: systemClock });
    try {
      await venue.load();
      await venue.execution.connect();
      expect(() => venue.checkAccount()).not.toThrow();
      expect(venue.execution.account).toBe('ib-paper');
      expect((await venue.execution.accountState()).account).toBe('ib-paper');
    } finally {
      await venue.adapter.dispose();
    }
    expect(fake.clientErrors).toEqual([]);
  });
});

describe('config/gateway.toml', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ttq-gateway-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads as is: the sim adapter, the gateway client id by default', () => {
    writeFileSync(join(dir, 'gateway.toml'), readFileSync(CONFIG_FILE, 'utf8'));
    const config = loadConfig(schema, { service: 'gateway', configDir: dir, env: {}, argv: [] });
    expect(config.properties.gateway.adapter).toBe('sim');
    expect(config.properties.ib.clientId).toBe(GATEWAY_IB_CLIENT_ID);
  });

  it('loads with its commented IB paper example switched on, and the IB adapter accepts the section', () => {
    const text = readFileSync(CONFIG_FILE, 'utf8');
    const example = text.slice(text.indexOf('# [ib]'));
    const uncommented = example
      .split('\n')
      .filter((line) => !line.startsWith('# #'))
      .map((line) => line.replace(/^# ?/, ''))
      .join('\n');
    writeFileSync(join(dir, 'gateway.toml'), `${text.slice(0, text.indexOf('# [ib]')).replace('adapter = "sim"', 'adapter = "ib"')}${uncommented}`);
    const config = loadConfig(schema, { service: 'gateway', configDir: dir, env: {}, argv: [] });
    expect(config.properties.gateway.adapter).toBe('ib');
    const ib = loadIbConfig(config.properties.ib, { IB_ACCOUNT: 'DU1234567' });
    expect(ib).toMatchObject({ port: 4002, clientId: 11, live: false, account: 'DU1234567' });
    expect(ib.instruments.map((i) => `${i.symbol} ${i.secType} ${i.exchange} ${i.currency}`)).toEqual([
      'AAPL STK SMART USD',
      'ESZ7 FUT CME USD',
      'EUR.USD CASH IDEALPRO USD',
    ]);
  });
});
