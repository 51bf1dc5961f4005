import convict from 'convict';
import { integerIn, numberIn } from '@ttquant/config';

/** IB security types the adapter resolves; `ETF` is sent to IB as `STK` but kept apart in the asset class. */
export const IB_SEC_TYPES = ['STK', 'ETF', 'FUT', 'CASH', 'CRYPTO', 'IND'] as const;
/** One of {@link IB_SEC_TYPES}. */
export type IbSecType = (typeof IB_SEC_TYPES)[number];

/** The market data types of `reqMarketDataType`, in IB's order (1..4). */
export const IB_MARKET_DATA_TYPES = ['realtime', 'frozen', 'delayed', 'delayed-frozen'] as const;
/** One of {@link IB_MARKET_DATA_TYPES}. */
export type IbMarketDataTypeName = (typeof IB_MARKET_DATA_TYPES)[number];

/** Where quotes come from: `market-data` (reqMktData, any market data type) or `tick-by-tick` (every bid/ask change, live only). */
export const IB_QUOTE_SOURCES = ['market-data', 'tick-by-tick'] as const;
/** One of {@link IB_QUOTE_SOURCES}. */
export type IbQuoteSource = (typeof IB_QUOTE_SOURCES)[number];

/** TWS and IB Gateway ports of paper accounts (TWS, Gateway). */
export const IB_PAPER_PORTS: readonly number[] = [7497, 4002];
/** TWS and IB Gateway ports of live accounts (TWS, Gateway). */
export const IB_LIVE_PORTS: readonly number[] = [7496, 4001];

/** The environment variable that holds the account id (a secret: masked when shown). */
export const IB_ACCOUNT_ENV = 'IB_ACCOUNT';

/** One instrument the adapter resolves through IB's contract details. */
export interface IbInstrumentConfig {
  /** TTQuant symbol on the IB venue: `AAPL`, `EUR.USD`, `BTC.USD`, `ESH5`. */
  readonly symbol: string;
  readonly secType: IbSecType;
  /** IB's own symbol when it differs (`ES` for `ESH5`); empty: the symbol, or its base for `EUR.USD`-style pairs. */
  readonly ibSymbol: string;
  /** Routing exchange: `SMART`, `CME`, `IDEALPRO`, `PAXOS`... */
  readonly exchange: string;
  /** Listing exchange for SMART-routed stocks (`NASDAQ`); empty when none. */
  readonly primaryExchange: string;
  /** Quote currency; empty: `USD`, or the quote of an `EUR.USD`-style pair. */
  readonly currency: string;
  /** Futures expiry `YYYYMM` or `YYYYMMDD`; empty otherwise. */
  readonly lastTradeDateOrContractMonth: string;
  /** Known contract id; 0 lets IB match on the fields above. */
  readonly conId: number;
}

/** Reconnection backoff: delay = min(max, initial × 2^attempt) ± jitter. */
export interface IbBackoffConfig {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Fraction of the delay added or removed at random (0..1), so many clients do not reconnect in step. */
  readonly jitter: number;
}

/** Everything the IB adapter reads from configuration; see {@link ibConfigSchema} for docs and defaults. */
export interface IbConfig {
  readonly venue: string;
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  readonly live: boolean;
  readonly marketDataType: IbMarketDataTypeName;
  readonly quoteSource: IbQuoteSource;
  readonly reconnect: IbBackoffConfig;
  readonly connectTimeoutMs: number;
  readonly watchdogIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly stalenessTimeoutMs: number;
  readonly commissionWaitMs: number;
  readonly maxRequestsPerSecond: number;
  readonly requestIdBase: number;
  readonly instruments: readonly IbInstrumentConfig[];
}

/** The config plus the account read from the environment. */
export interface ResolvedIbConfig extends IbConfig {
  /** The account from `IB_ACCOUNT`; empty when unset (paper only: the first managed account is used). */
  readonly account: string;
}

/** Raised when the IB config does not validate or paper/live settings disagree; names the key. */
export class IbConfigError extends Error {
  override readonly name = 'IbConfigError';
}

const INSTRUMENT_KEYS = new Set([
  'symbol',
  'secType',
  'ibSymbol',
  'exchange',
  'primaryExchange',
  'currency',
  'lastTradeDateOrContractMonth',
  'conId',
]);

function validateInstruments(value: unknown): void {
  if (!Array.isArray(value)) throw new Error(`expected instruments as an array, was ${JSON.stringify(value)}`);
  const symbols = new Set<string>();
  value.forEach((item: unknown, index) => {
    const where = `instruments[${index}]`;
    if (typeof item !== 'object' || item === null) throw new Error(`expected ${where} to be an object, was ${JSON.stringify(item)}`);
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!INSTRUMENT_KEYS.has(key)) throw new Error(`expected ${where} keys among ${[...INSTRUMENT_KEYS].join(', ')}, found ${key}`);
    }
    if (typeof entry.symbol !== 'string' || entry.symbol.trim() === '') {
      throw new Error(`expected ${where}.symbol to be non-empty text, was ${JSON.stringify(entry.symbol)}`);
    }
    if (symbols.has(entry.symbol)) throw new Error(`expected ${where}.symbol to be unique, ${entry.symbol} is repeated`);
    symbols.add(entry.symbol);
    if (!(IB_SEC_TYPES as readonly unknown[]).includes(entry.secType)) {
      throw new Error(`expected ${where}.secType one of ${IB_SEC_TYPES.join(', ')}, was ${JSON.stringify(entry.secType)}`);
    }
    for (const key of ['ibSymbol', 'exchange', 'primaryExchange', 'currency', 'lastTradeDateOrContractMonth']) {
      if (entry[key] !== undefined && typeof entry[key] !== 'string') {
        throw new Error(`expected ${where}.${key} to be text, was ${JSON.stringify(entry[key])}`);
      }
    }
    if (entry.secType === 'FUT' && !entry.lastTradeDateOrContractMonth) {
      throw new Error(`expected ${where}.lastTradeDateOrContractMonth (YYYYMM) for the future ${entry.symbol}, was empty`);
    }
    if (entry.conId !== undefined && (typeof entry.conId !== 'number' || !Number.isInteger(entry.conId) || entry.conId < 0)) {
      throw new Error(`expected ${where}.conId a non-negative integer, was ${JSON.stringify(entry.conId)}`);
    }
  });
}

/**
 * The IB adapter's convict schema: every key documented and defaulted. The
 * account id is not in it: it is a secret read from `IB_ACCOUNT` only.
 */
export const ibConfigSchema: convict.Schema<IbConfig> = {
  venue: { doc: 'Venue name used in instrument ids.', format: String, default: 'IB' },
  host: { doc: 'Host of TWS or IB Gateway.', format: String, default: '127.0.0.1' },
  port: {
    doc: 'API port: paper 7497 (TWS) / 4002 (Gateway); live 7496 / 4001 only with live = true.',
    format: integerIn('port', 1, 65_535),
    default: 4002,
  },
  clientId: {
    doc: 'API client id; fixed per service (market-data and gateway use different ids), so its orders stay its own.',
    format: integerIn('clientId', 0, 2_147_483_647),
    default: 1,
  },
  live: {
    doc: 'Trade a live account. Requires IB_ACCOUNT, which must be among the accounts the gateway manages.',
    format: Boolean,
    default: false,
  },
  marketDataType: {
    doc: 'Market data type requested on every connection; ticks carry it as their quality tag.',
    format: [...IB_MARKET_DATA_TYPES],
    default: 'realtime',
  },
  quoteSource: {
    doc:
      'Quotes from market-data (reqMktData: IB samples the book, works with delayed data) or tick-by-tick ' +
      '(BidAsk: every change, live data only, counts against the tick-by-tick request limit).',
    format: [...IB_QUOTE_SOURCES],
    default: 'market-data',
  },
  reconnect: {
    initialDelayMs: { doc: 'First reconnect delay, in ms.', format: integerIn('reconnect.initialDelayMs', 1, 600_000), default: 500 },
    maxDelayMs: {
      doc: 'Longest reconnect delay, in ms; keeps recovery within a minute of the gateway coming back.',
      format: integerIn('reconnect.maxDelayMs', 1, 600_000),
      default: 15_000,
    },
    jitter: { doc: 'Random share of each delay added or removed (0..1).', format: numberIn('reconnect.jitter', 0, 1), default: 0.2 },
  },
  connectTimeoutMs: {
    doc: 'Longest wait from opening the socket to the handshake (nextValidId), in ms, before trying again.',
    format: integerIn('connectTimeoutMs', 100, 600_000),
    default: 10_000,
  },
  watchdogIntervalMs: {
    doc: 'Connection watchdog: after this long without a message a ping (reqCurrentTime) is sent; after twice as long the link is dropped and re-opened.',
    format: integerIn('watchdogIntervalMs', 50, 600_000),
    default: 10_000,
  },
  requestTimeoutMs: {
    doc: 'Longest wait for the answer of a query (contract details, open orders, executions, positions, bars), in ms.',
    format: integerIn('requestTimeoutMs', 50, 600_000),
    default: 20_000,
  },
  stalenessTimeoutMs: {
    doc: 'A live subscription quiet for this long is re-requested and reported DEGRADED, in ms.',
    format: integerIn('stalenessTimeoutMs', 50, 3_600_000),
    default: 60_000,
  },
  commissionWaitMs: {
    doc: 'How long a fill waits for its commission report before the adapter asks IB for the execution again (up to 3 times; only then is it emitted with commission 0), in ms.',
    format: integerIn('commissionWaitMs', 0, 60_000),
    default: 2_000,
  },
  maxRequestsPerSecond: {
    doc: 'Client message rate limit (IB allows 50/s).',
    format: integerIn('maxRequestsPerSecond', 1, 50),
    default: 40,
  },
  requestIdBase: {
    doc: 'First request id; request ids count up from here, far above order ids, so an error for an id is never ambiguous.',
    format: integerIn('requestIdBase', 1_000_000, 2_000_000_000),
    default: 1_000_000_000,
  },
  instruments: {
    doc: 'Instruments to resolve through contract details (symbol, secType, exchange, currency...).',
    format: validateInstruments,
    default: [],
  },
};

/**
 * Validates `input` against {@link ibConfigSchema}, reads the account from
 * `IB_ACCOUNT` and checks paper versus live: a live port needs `live: true`, and
 * live needs `IB_ACCOUNT` (checked against `managedAccounts` on connect).
 *
 * @example
 * const config = loadIbConfig({ port: 4002, clientId: 7 }, process.env);
 * @throws IbConfigError naming the bad key, what was expected and what was found.
 */
export function loadIbConfig(input: unknown = {}, env: NodeJS.ProcessEnv = process.env): ResolvedIbConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new IbConfigError(`expected the IB config to be an object, was ${JSON.stringify(input)}`);
  }
  let loaded: IbConfig;
  try {
    const config = convict(ibConfigSchema, { env: {}, args: [] });
    config.load(input);
    config.validate({ allowed: 'strict' });
    loaded = config.getProperties();
  } catch (error) {
    throw new IbConfigError(`invalid IB config: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (loaded.reconnect.initialDelayMs > loaded.reconnect.maxDelayMs) {
    throw new IbConfigError(
      `expected reconnect.initialDelayMs <= reconnect.maxDelayMs, was ${loaded.reconnect.initialDelayMs} > ${loaded.reconnect.maxDelayMs}`,
    );
  }
  const account = (env[IB_ACCOUNT_ENV] ?? '').trim();
  if (loaded.live) {
    if (IB_PAPER_PORTS.includes(loaded.port)) {
      throw new IbConfigError(`expected a live port with live = true (7496 or 4001), was the paper port ${loaded.port}`);
    }
    if (account === '') {
      throw new IbConfigError(`missing secret: set ${IB_ACCOUNT_ENV} (the expected live account id) when live = true`);
    }
  } else if (IB_LIVE_PORTS.includes(loaded.port)) {
    throw new IbConfigError(
      `expected a paper port (7497 or 4002) without live = true, was the live port ${loaded.port}; set live = true and ${IB_ACCOUNT_ENV} to trade live`,
    );
  }
  return { ...loaded, instruments: loaded.instruments.map(withInstrumentDefaults), account };
}

// IB account ids: U (individual), DU (paper), F / DF (advisor masters), I (introducing broker), then digits.
const IB_ACCOUNT_ID = /^(?:D?[UF]|I)\d{4,}$/;

/**
 * True when an account name is shaped like an IB account id (`DU1234567`,
 * `U1234567`): a config that names its account so means that very IB account.
 */
export function looksLikeIbAccountId(name: string): boolean {
  return IB_ACCOUNT_ID.test(name);
}

/** Shows an account id without giving it away: `DU****67`. */
export function maskAccount(account: string): string {
  if (account === '') return '(none)';
  if (account.length <= 4) return '****';
  return `${account.slice(0, 2)}****${account.slice(-2)}`;
}

/** The config as safe to log: the account masked. */
export function describeIbConfig(config: ResolvedIbConfig): Record<string, unknown> {
  return { ...config, account: maskAccount(config.account), instruments: config.instruments.map((i) => i.symbol) };
}

function withInstrumentDefaults(entry: Partial<IbInstrumentConfig> & Pick<IbInstrumentConfig, 'symbol' | 'secType'>): IbInstrumentConfig {
  const pair = entry.secType === 'CASH' || entry.secType === 'CRYPTO' ? splitPair(entry.symbol) : undefined;
  return {
    symbol: entry.symbol,
    secType: entry.secType,
    ibSymbol: entry.ibSymbol || pair?.base || entry.symbol,
    exchange: entry.exchange || defaultExchange(entry.secType),
    primaryExchange: entry.primaryExchange ?? '',
    currency: entry.currency || pair?.quote || 'USD',
    lastTradeDateOrContractMonth: entry.lastTradeDateOrContractMonth ?? '',
    conId: entry.conId ?? 0,
  };
}

function splitPair(symbol: string): { base: string; quote: string } | undefined {
  const match = /^([A-Z0-9]+)[./-]([A-Z0-9]+)$/.exec(symbol);
  return match ? { base: match[1], quote: match[2] } : undefined;
}

function defaultExchange(secType: IbSecType): string {
  switch (secType) {
    case 'CASH':
      return 'IDEALPRO';
    case 'CRYPTO':
      return 'PAXOS';
    case 'FUT':
      return 'CME';
    case 'IND':
      return 'CBOE';
    default:
      return 'SMART';
  }
}
