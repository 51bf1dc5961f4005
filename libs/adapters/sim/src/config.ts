import convict from 'convict';
import { integerIn, numberIn } from '@ttquant/config';
import { ASSET_CLASSES, Decimal, type AssetClass, type Instrument } from '@ttquant/domain';

/** One simulated instrument: its reference data and where its market comes from. */
export interface SimInstrumentConfig {
  /** Venue-neutral symbol, e.g. `ACME` or `BTC-USD`. */
  readonly symbol: string;
  readonly assetClass: AssetClass;
  /** Quote currency: prices, PnL and commissions are in it. */
  readonly currency: string;
  /** Base currency of forex and crypto pairs; empty otherwise. */
  readonly baseCurrency: string;
  /** Decimal text, e.g. `0.01`. */
  readonly tickSize: string;
  /** Decimal text, e.g. `1` or `0.0001`. */
  readonly lotSize: string;
  /** Decimal text; defaults to the lot size when empty. */
  readonly minQuantity: string;
  /** Decimal text; `1` for cash instruments. */
  readonly multiplier: string;
  /** Where the random walk starts (decimal text, rounded to the tick). */
  readonly initialPrice: string;
  /** CSV file to replay instead of the random walk (see csv-replay.ts); empty for the walk. */
  readonly replayFile: string;
}

/** A starting cash balance of the simulated account. */
export interface SimBalanceConfig {
  readonly currency: string;
  /** Decimal text. */
  readonly amount: string;
}

/** Everything the sim adapter reads from configuration; see {@link simConfigSchema} for docs and defaults. */
export interface SimConfig {
  readonly venue: string;
  readonly account: string;
  readonly seed: number;
  readonly market: {
    readonly source: 'internal' | 'external';
    readonly ticksPerSecond: number;
    readonly volatilityTicks: number;
    readonly minSpreadTicks: number;
    readonly maxSpreadTicks: number;
    readonly minSizeLots: number;
    readonly maxSizeLots: number;
    readonly tradeProbability: number;
    readonly replaySpeed: number;
    readonly replayLoop: boolean;
  };
  readonly execution: {
    readonly latencyMs: number;
    readonly slippageTicks: number;
    readonly slippageBps: string;
    readonly makerFeeBps: string;
    readonly takerFeeBps: string;
    readonly feePerUnit: string;
    readonly feeScale: number;
  };
  readonly startingBalances: readonly SimBalanceConfig[];
  readonly instruments: readonly SimInstrumentConfig[];
}

/** Raised when the sim config does not validate; names the key. */
export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
}

const DECIMAL_TEXT = /^[+-]?\d+(\.\d+)?$/;

function nonNegativeDecimal(key: string): (value: unknown) => void {
  return (value: unknown) => {
    if (typeof value !== 'string' || !DECIMAL_TEXT.test(value) || value.startsWith('-')) {
      throw new Error(`expected ${key} as non-negative decimal text such as "1.5", was ${JSON.stringify(value)}`);
    }
  };
}

function positiveDecimalField(where: string, field: string, value: unknown, optional = false): void {
  if (optional && value === '') return;
  if (typeof value !== 'string' || !DECIMAL_TEXT.test(value) || !Decimal.parse(value).isPositive()) {
    throw new Error(`expected ${where}.${field} as positive decimal text, was ${JSON.stringify(value)}`);
  }
}

function validateInstruments(value: unknown): void {
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error(`expected instruments as a non-empty array, was ${JSON.stringify(value)}`);
  }
  const symbols = new Set<string>();
  value.forEach((item: unknown, index) => {
    const where = `instruments[${index}]`;
    if (typeof item !== 'object' || item === null) throw new Error(`expected ${where} to be an object, was ${JSON.stringify(item)}`);
    const entry = item as Record<string, unknown>;
    if (typeof entry.symbol !== 'string' || entry.symbol.trim() === '') {
      throw new Error(`expected ${where}.symbol to be non-empty text, was ${JSON.stringify(entry.symbol)}`);
    }
    if (symbols.has(entry.symbol)) throw new Error(`expected ${where}.symbol to be unique, ${entry.symbol} is repeated`);
    symbols.add(entry.symbol);
    if (!(ASSET_CLASSES as readonly unknown[]).includes(entry.assetClass)) {
      throw new Error(`expected ${where}.assetClass one of ${ASSET_CLASSES.join(', ')}, was ${JSON.stringify(entry.assetClass)}`);
    }
    if (typeof entry.currency !== 'string' || !/^[A-Z0-9]{2,10}$/.test(entry.currency)) {
      throw new Error(`expected ${where}.currency as a currency code such as USD, was ${JSON.stringify(entry.currency)}`);
    }
    for (const field of ['tickSize', 'lotSize', 'initialPrice']) positiveDecimalField(where, field, entry[field]);
    for (const field of ['minQuantity', 'multiplier']) {
      if (entry[field] !== undefined) positiveDecimalField(where, field, entry[field], true);
    }
    for (const field of ['baseCurrency', 'replayFile']) {
      if (entry[field] !== undefined && typeof entry[field] !== 'string') {
        throw new Error(`expected ${where}.${field} to be text, was ${JSON.stringify(entry[field])}`);
      }
    }
  });
}

function validateBalances(value: unknown): void {
  if (!Array.isArray(value)) throw new Error(`expected startingBalances as an array, was ${JSON.stringify(value)}`);
  value.forEach((item: unknown, index) => {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof entry.currency !== 'string' || entry.currency === '') {
      throw new Error(`expected startingBalances[${index}].currency to be non-empty text, was ${JSON.stringify(entry.currency)}`);
    }
    nonNegativeDecimal(`startingBalances[${index}].amount`)(entry.amount);
  });
}

/**
 * The sim adapter's convict schema: every key documented and defaulted. It
 * names no environment variables of its own: the service embeds the sim section
 * in its config and the platform loader maps `TTQ_*` variables onto it
 * (docs/configuration.md); {@link loadSimConfig} only validates what it is given.
 */
export const simConfigSchema: convict.Schema<SimConfig> = {
  venue: { doc: 'Venue name used in instrument ids.', format: String, default: 'SIM' },
  account: { doc: 'The simulated trading account.', format: String, default: 'SIM001' },
  seed: {
    doc: 'Seed of the random walks: the same seed gives the same market.',
    format: integerIn('seed', 0, 2 ** 32 - 1),
    default: 42,
  },
  market: {
    source: {
      doc:
        'internal: the data client moves the market (a seeded random walk, or a replay of the instrument replayFile); ' +
        'external: the app feeds quotes with SimVenue.updateMarket (e.g. from the bus).',
      format: ['internal', 'external'],
      default: 'internal',
    },
    ticksPerSecond: {
      doc: 'Random-walk quotes per second per instrument (above 1000, stepped in bursts every millisecond).',
      format: numberIn('market.ticksPerSecond', 0.01, 100_000),
      default: 5,
    },
    volatilityTicks: {
      doc: 'Standard deviation of one random-walk step, in ticks.',
      format: numberIn('market.volatilityTicks', 0, 1000),
      default: 1.5,
    },
    minSpreadTicks: { doc: 'Narrowest simulated spread, in ticks.', format: integerIn('market.minSpreadTicks', 1, 1000), default: 1 },
    maxSpreadTicks: { doc: 'Widest simulated spread, in ticks.', format: integerIn('market.maxSpreadTicks', 1, 1000), default: 3 },
    minSizeLots: { doc: 'Smallest displayed size, in lots.', format: integerIn('market.minSizeLots', 1, 1e9), default: 1 },
    maxSizeLots: { doc: 'Largest displayed size, in lots.', format: integerIn('market.maxSizeLots', 1, 1e9), default: 50 },
    tradeProbability: {
      doc: 'Chance that a random-walk step also prints a trade.',
      format: numberIn('market.tradeProbability', 0, 1),
      default: 0.2,
    },
    replaySpeed: {
      doc: 'Replay pace: 1 is the recorded pace, 10 ten times faster, 0 as fast as possible.',
      format: numberIn('market.replaySpeed', 0, 1e6),
      default: 1,
    },
    replayLoop: { doc: 'Start a replay file again when it ends.', format: Boolean, default: false },
  },
  execution: {
    latencyMs: {
      doc: 'Delay before each acknowledgement and fill reaches the client, in ms (0 still answers asynchronously).',
      format: integerIn('execution.latencyMs', 0, 60_000),
      default: 0,
    },
    slippageTicks: {
      doc: 'Ticks market and triggered stop orders pay beyond the touch.',
      format: integerIn('execution.slippageTicks', 0, 1000),
      default: 0,
    },
    slippageBps: {
      doc: 'Extra slippage of market orders in basis points of the touch, rounded up to the tick.',
      format: nonNegativeDecimal('execution.slippageBps'),
      default: '0',
    },
    makerFeeBps: {
      doc: 'Commission of resting fills, in bps of notional.',
      format: nonNegativeDecimal('execution.makerFeeBps'),
      default: '0',
    },
    takerFeeBps: {
      doc: 'Commission of aggressive fills, in bps of notional.',
      format: nonNegativeDecimal('execution.takerFeeBps'),
      default: '0',
    },
    feePerUnit: {
      doc: 'Commission per unit of quantity (per share, per contract), in the instrument currency.',
      format: nonNegativeDecimal('execution.feePerUnit'),
      default: '0',
    },
    feeScale: {
      doc: 'Decimal places commissions are rounded up to.',
      format: integerIn('execution.feeScale', 0, 18),
      default: 8,
    },
  },
  startingBalances: {
    doc: 'Starting cash of the account, per currency.',
    format: validateBalances,
    default: [{ currency: 'USD', amount: '1000000' }],
  },
  instruments: {
    doc: 'The instruments the simulated venue lists.',
    format: validateInstruments,
    default: [
      {
        symbol: 'ACME',
        assetClass: 'EQUITY',
        currency: 'USD',
        baseCurrency: '',
        tickSize: '0.01',
        lotSize: '1',
        minQuantity: '1',
        multiplier: '1',
        initialPrice: '100.00',
        replayFile: '',
      },
      {
        symbol: 'BTC-USD',
        assetClass: 'CRYPTO_SPOT',
        currency: 'USD',
        baseCurrency: 'BTC',
        tickSize: '0.1',
        lotSize: '0.0001',
        minQuantity: '0.0001',
        multiplier: '1',
        initialPrice: '60000.0',
        replayFile: '',
      },
    ],
  },
};

/**
 * Validates `input` (a parsed config file section, or overrides in tests)
 * against {@link simConfigSchema} and returns the complete config with defaults.
 * Unknown keys are refused, so a typo does not silently fall back to a default.
 * @throws SimConfigError naming the bad key, what was expected and what was found.
 */
export function loadSimConfig(input: unknown = {}): SimConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SimConfigError(`expected the sim config to be an object, was ${JSON.stringify(input)}`);
  }
  try {
    // No environment and no argv: the service's loader already merged those into `input`.
    const config = convict(simConfigSchema, { env: {}, args: [] });
    config.load(input);
    config.validate({ allowed: 'strict' });
    const loaded = config.getProperties();
    if (loaded.market.minSpreadTicks > loaded.market.maxSpreadTicks) {
      throw new Error(
        `expected market.minSpreadTicks <= market.maxSpreadTicks, was ${loaded.market.minSpreadTicks} > ${loaded.market.maxSpreadTicks}`,
      );
    }
    if (loaded.market.minSizeLots > loaded.market.maxSizeLots) {
      throw new Error(`expected market.minSizeLots <= market.maxSizeLots, was ${loaded.market.minSizeLots} > ${loaded.market.maxSizeLots}`);
    }
    return { ...loaded, instruments: loaded.instruments.map(withInstrumentDefaults) };
  } catch (error) {
    if (error instanceof SimConfigError) throw error;
    throw new SimConfigError(`invalid sim config: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function withInstrumentDefaults(entry: Partial<SimInstrumentConfig> & Pick<SimInstrumentConfig, 'symbol'>): SimInstrumentConfig {
  return {
    symbol: entry.symbol,
    assetClass: entry.assetClass ?? 'EQUITY',
    currency: entry.currency ?? 'USD',
    baseCurrency: entry.baseCurrency ?? '',
    tickSize: entry.tickSize ?? '0.01',
    lotSize: entry.lotSize ?? '1',
    minQuantity: entry.minQuantity ?? '',
    multiplier: entry.multiplier ?? '1',
    initialPrice: entry.initialPrice ?? '100',
    replayFile: entry.replayFile ?? '',
  };
}

/** Builds the domain instrument of a configured sim instrument. */
export function toSimInstrument(venue: string, entry: SimInstrumentConfig): Instrument {
  const lotSize = Decimal.parse(entry.lotSize);
  return {
    id: { venue, symbol: entry.symbol },
    venueInstrumentId: entry.symbol,
    assetClass: entry.assetClass,
    exchange: venue,
    currency: entry.currency,
    baseCurrency: entry.baseCurrency,
    multiplier: Decimal.parse(entry.multiplier === '' ? '1' : entry.multiplier),
    tickSize: Decimal.parse(entry.tickSize),
    lotSize,
    minQuantity: entry.minQuantity === '' ? lotSize : Decimal.parse(entry.minQuantity),
    description: `Simulated ${entry.symbol}`,
  };
}
