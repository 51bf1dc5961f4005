import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringFlag, type ParsedArgs } from '../args';
import { UsageError } from '../cli-errors';
import type { SimService } from './sim-endpoints';

/** The IB client ids of the run: fixed per service, so their sessions and orders never mix. */
export const IB_SIM_CLIENT_IDS = { gateway: 11, 'market-data': 12 } as const;

/**
 * Defaults of the IB profile: a SMART-routed stock every paper account can
 * quote and trade, and TTQuant's name for the paper account (letters and
 * digits: valid in bus topics and journal folder names). IB's
 * own account id is a secret and never names anything in TTQuant.
 */
export const IB_SIM_DEFAULTS = { host: '127.0.0.1', symbol: 'AAPL', primaryExchange: 'NASDAQ', currency: 'USD', account: 'IBPAPER1' } as const;

/** Where the run's market and fills come from. */
export type SimVenueProfile =
  | { readonly kind: 'sim' }
  | {
      readonly kind: 'ib';
      /** TWS / IB Gateway API socket (paper). */
      readonly host: string;
      readonly port: number;
      /** TTQuant's name for the paper account: the gateway's account, in topics, storage and summaries. */
      readonly account: string;
      /** IB's id of the paper account from `IB_ACCOUNT` (a secret); empty: the first account TWS manages. */
      readonly ibAccount: string;
      /** The stock the strategy trades (SMART-routed, USD). */
      readonly symbol: string;
    };

/** The venue name in instrument ids: what the strategy's `venue` param must say. */
export function profileVenueName(profile: SimVenueProfile): string {
  return profile.kind === 'ib' ? 'IB' : 'SIM';
}

/** The `[ib]` section shared by the gateway and market-data, with the service's own client id. */
function ibSection(profile: Extract<SimVenueProfile, { kind: 'ib' }>, service: keyof typeof IB_SIM_CLIENT_IDS): string[] {
  const instrument =
    `{ symbol = ${JSON.stringify(profile.symbol)}, secType = "STK", exchange = "SMART", ` +
    `primaryExchange = ${JSON.stringify(IB_SIM_DEFAULTS.primaryExchange)}, currency = ${JSON.stringify(IB_SIM_DEFAULTS.currency)} }`;
  return [
    '[ib]',
    `host = ${JSON.stringify(profile.host)}`,
    `port = ${profile.port}`,
    `clientId = ${IB_SIM_CLIENT_IDS[service]}`,
    `instruments = [${instrument}]`,
    '',
  ];
}

/**
 * The config files a profile adds to the run folder (`config/<service>.toml`):
 * none for the sim, whose defaults are the sim venue; for IB the adapter
 * choice and the `[ib]` section of the gateway and of market-data.
 */
export function profileConfigFiles(runId: string, profile: SimVenueProfile): Partial<Record<SimService, string>> {
  if (profile.kind === 'sim') return {};
  const header = `# Written by ttq sim for run ${runId} (IB profile). Endpoints and the account name come from TTQ_* variables, the IB account id from IB_ACCOUNT.`;
  return {
    gateway: [header, '[gateway]', 'adapter = "ib"', '', ...ibSection(profile, 'gateway')].join('\n'),
    'market-data': [
      header,
      '[marketData]',
      'adapter = "ib"',
      `symbols = [${JSON.stringify(profile.symbol)}]`,
      '',
      ...ibSection(profile, 'market-data'),
    ].join('\n'),
  };
}

/** Writes {@link profileConfigFiles} into `<runDir>/config/`. */
export function writeProfileConfig(runDir: string, runId: string, profile: SimVenueProfile): void {
  for (const [service, text] of Object.entries(profileConfigFiles(runId, profile))) {
    writeFileSync(join(runDir, 'config', `${service}.toml`), text);
  }
}

/** The environment every service inherits from `ttq sim`: all but the IB account id, which {@link profileEnvironment} hands out. */
export function inheritedEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const inherited = { ...env };
  delete inherited['IB_ACCOUNT'];
  return inherited;
}

/**
 * Extra environment of a service under the profile: the IB account id (a
 * secret), when given, reaches only the two services that log in to IB.
 */
export function profileEnvironment(service: SimService, profile: SimVenueProfile): Record<string, string> {
  if (profile.kind === 'ib' && profile.ibAccount !== '' && (service === 'gateway' || service === 'market-data')) return { IB_ACCOUNT: profile.ibAccount };
  return {};
}

const IB_FLAGS = ['ib-port', 'ib-host', 'symbol'] as const;

/**
 * `ttq sim`'s `--venue` and its IB settings. The account is named
 * {@link IB_SIM_DEFAULTS}.account in TTQuant; IB's account id is a secret, so
 * it comes from `IB_ACCOUNT` in the environment only, never from a flag, and
 * without it the paper session trades the first account TWS manages.
 * @throws UsageError naming the flag, what was expected and what was found.
 */
export function parseVenueProfile(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): SimVenueProfile {
  const kind = stringFlag(args, 'venue') ?? 'sim';
  if (kind === 'sim') {
    const stray = IB_FLAGS.find((name) => stringFlag(args, name) !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --venue ib`);
    return { kind: 'sim' };
  }
  if (kind !== 'ib') throw new UsageError(`--venue: expected one of sim, ib, was ${JSON.stringify(kind)}`);
  const portText = stringFlag(args, 'ib-port');
  if (portText === undefined) throw new UsageError('--ib-port is required with --venue ib, e.g. --ib-port 7497 (TWS paper) or 4002 (IB Gateway paper)');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65_535) throw new UsageError(`--ib-port: expected a port in 1..65535, was ${JSON.stringify(portText)}`);
  const ibAccount = (env['IB_ACCOUNT'] ?? '').trim();
  const symbol = stringFlag(args, 'symbol') ?? IB_SIM_DEFAULTS.symbol;
  if (!/^[A-Z][A-Z0-9.]{0,11}$/.test(symbol)) throw new UsageError(`--symbol: expected a stock symbol such as AAPL, was ${JSON.stringify(symbol)}`);
  return { kind: 'ib', host: stringFlag(args, 'ib-host') ?? IB_SIM_DEFAULTS.host, port, account: IB_SIM_DEFAULTS.account, ibAccount, symbol };
}
