import { parseToml } from '@ttquant/config';
import { parseCommandArgs } from '../args';
import { UsageError } from '../cli-errors';
import { simCommand } from '../commands/sim';
import {
  IB_SIM_CLIENT_IDS,
  IB_SIM_DEFAULTS,
  inheritedEnvironment,
  parseVenueProfile,
  profileConfigFiles,
  profileEnvironment,
  profileVenueName,
  type SimVenueProfile,
} from './sim-venue-profile';

const ib: SimVenueProfile = { kind: 'ib', host: '127.0.0.1', port: 4002, account: 'IBPAPER1', ibAccount: 'DU1234567', symbol: 'MSFT' };
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseVenueProfile(parseCommandArgs('sim', argv, simCommand.flags), env);

describe('parseVenueProfile', () => {
  it('is the sim without --venue', () => {
    expect(parse([])).toEqual({ kind: 'sim' });
  });

  it('reads the IB settings, names the account IBPAPER1 and takes IB\'s account id from IB_ACCOUNT', () => {
    expect(parse(['--venue', 'ib', '--ib-port', '7497'], { IB_ACCOUNT: 'DU1' })).toEqual({
      kind: 'ib',
      host: '127.0.0.1',
      port: 7497,
      account: 'IBPAPER1',
      ibAccount: 'DU1',
      symbol: 'AAPL',
    });
    expect(parse(['--venue', 'ib', '--ib-port', '4002', '--ib-host', 'tws.lan', '--symbol', 'MSFT'], { IB_ACCOUNT: ' DU2 ' })).toEqual({
      kind: 'ib',
      host: 'tws.lan',
      port: 4002,
      account: 'IBPAPER1',
      ibAccount: 'DU2',
      symbol: 'MSFT',
    });
  });

  it.each([
    [['--venue', 'binance'], '--venue: expected one of sim, ib, was "binance"'],
    [['--ib-port', '4002'], '--ib-port needs --venue ib'],
    [['--venue', 'ib'], '--ib-port is required with --venue ib, e.g. --ib-port 7497 (TWS paper) or 4002 (IB Gateway paper)'],
    [['--venue', 'ib', '--ib-port', '70000'], '--ib-port: expected a port in 1..65535, was "70000"'],
    [['--venue', 'ib', '--ib-port', '4002', '--symbol', 'aapl;'], '--symbol: expected a stock symbol such as AAPL, was "aapl;"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parse(argv, { IB_ACCOUNT: 'DU1' })).toThrow(new UsageError(message));
  });

  it('takes the IB account id from the environment only (a secret is never a flag); without it, the first account TWS manages', () => {
    expect(parse(['--venue', 'ib', '--ib-port', '4002'], { IB_ACCOUNT: ' ' })).toMatchObject({ account: 'IBPAPER1', ibAccount: '' });
    expect(() => parse(['--venue', 'ib', '--ib-port', '4002', '--ib-account', 'DU1'])).toThrow(UsageError);
  });

  it('names the account with letters and digits only: valid in bus topics and journal folder names', () => {
    expect(IB_SIM_DEFAULTS.account).toMatch(/^[A-Za-z0-9]+$/);
  });
});

describe('profileConfigFiles', () => {
  it('adds no files for the sim', () => {
    expect(profileConfigFiles('r1', { kind: 'sim' })).toEqual({});
    expect(profileVenueName({ kind: 'sim' })).toBe('SIM');
  });

  it('points the gateway and market-data at TWS with their own client ids and the strategy symbol', () => {
    const files = profileConfigFiles('r1', ib);
    const gateway = parseToml(files.gateway ?? '', 'gateway.toml');
    const marketData = parseToml(files['market-data'] ?? '', 'market-data.toml');
    const instrument = { symbol: 'MSFT', secType: 'STK', exchange: 'SMART', primaryExchange: 'NASDAQ', currency: 'USD' };
    expect(gateway).toEqual({ gateway: { adapter: 'ib' }, ib: { host: '127.0.0.1', port: 4002, clientId: 11, instruments: [instrument] } });
    expect(marketData).toEqual({
      marketData: { adapter: 'ib', symbols: ['MSFT'] },
      ib: { host: '127.0.0.1', port: 4002, clientId: 12, instruments: [instrument] },
    });
    expect(IB_SIM_CLIENT_IDS.gateway).not.toBe(IB_SIM_CLIENT_IDS['market-data']);
    expect(profileVenueName(ib)).toBe('IB');
  });
});

describe('profileEnvironment', () => {
  it('gives the IB account id only to the services that log in to IB, and only when set', () => {
    expect(profileEnvironment('gateway', ib)).toEqual({ IB_ACCOUNT: 'DU1234567' });
    expect(profileEnvironment('market-data', ib)).toEqual({ IB_ACCOUNT: 'DU1234567' });
    for (const service of ['hub', 'persistence', 'strategy-engine'] as const) expect(profileEnvironment(service, ib)).toEqual({});
    expect(profileEnvironment('gateway', { kind: 'sim' })).toEqual({});
    expect(profileEnvironment('gateway', { ...ib, ibAccount: '' })).toEqual({});
  });

  it('keeps IB_ACCOUNT of the shell out of what every service inherits', () => {
    const shell = { PATH: '/bin', IB_ACCOUNT: 'DU1234567' };
    expect(inheritedEnvironment(shell)).toEqual({ PATH: '/bin' });
    expect(shell.IB_ACCOUNT).toBe('DU1234567');
  });
});
