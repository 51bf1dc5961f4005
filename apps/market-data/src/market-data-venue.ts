import { ibAdapterFactory, ibConfigSchema, type IbConfig } from '@ttquant/adapter-ib';
import { createSimAdapter, type SimConfig } from '@ttquant/adapter-sim';
import type { Instrument } from '@ttquant/domain';
import {
  AuthenticationError,
  UnknownInstrumentError,
  VenueAdapterRegistry,
  type DataClient,
  type VenueAdapter,
  type VenueAdapterContext,
} from '@ttquant/gateway-api';
import { EXIT_CODES, StartupError } from '@ttquant/service';
import type convict from 'convict';

/** The venue adapters market-data ships, by the name `marketData.adapter` gives. */
export const MARKET_DATA_ADAPTERS = ['sim', 'ib'] as const;
/** One of {@link MARKET_DATA_ADAPTERS}. */
export type MarketDataAdapterKind = (typeof MARKET_DATA_ADAPTERS)[number];

/** Market-data's own IB client id; the gateway uses another, so their sessions never collide. */
export const MARKET_DATA_IB_CLIENT_ID = 12;

/** The IB adapter's schema with market-data's client id as the default. */
export const marketDataIbSchema: convict.Schema<IbConfig> = {
  ...ibConfigSchema,
  clientId: { ...(ibConfigSchema.clientId as object), default: MARKET_DATA_IB_CLIENT_ID } as convict.Schema<IbConfig>['clientId'],
};

/** What {@link openMarketDataVenue} builds the venue from. */
export interface MarketDataVenueSettings {
  readonly adapter: MarketDataAdapterKind;
  /** `[sim]`, used when `adapter` is `sim`. */
  readonly sim: SimConfig;
  /** `[ib]`, used when `adapter` is `ib`. */
  readonly ib: IbConfig;
  /** Symbols to publish; empty: every instrument the venue lists (sim) or is configured with (IB). */
  readonly symbols: readonly string[];
}

/** Market-data's view of its venue: the adapter, its data client and the instruments to publish. */
export interface MarketDataVenue {
  readonly adapter: VenueAdapter;
  readonly data: DataClient;
  /** Resolves the instruments to publish (IB asks for contract details, so this opens the session). */
  instruments(): Promise<readonly Instrument[]>;
}

/** The adapters market-data can run; the sim one moves its own market. */
export function marketDataAdapterRegistry(): VenueAdapterRegistry {
  return new VenueAdapterRegistry()
    .register({
      kind: 'sim',
      create: (config, context) => {
        const sim = config as SimConfig;
        return createSimAdapter({ ...sim, market: { ...sim.market, source: 'internal' } }, context);
      },
    })
    .register(ibAdapterFactory);
}

/**
 * Builds market-data's venue from config through the adapter registry.
 * @throws IbConfigError / SimConfigError for a config the adapter refuses.
 */
export function openMarketDataVenue(settings: MarketDataVenueSettings, context: VenueAdapterContext): MarketDataVenue {
  const config = settings.adapter === 'ib' ? settings.ib : settings.sim;
  const adapter = marketDataAdapterRegistry().createVenueAdapter(settings.adapter, config, context);
  const data = adapter.data;
  if (!data) throw new UnknownInstrumentError(`expected the ${settings.adapter} adapter to have market data, it has none`);
  const wanted = settings.symbols;
  return {
    adapter,
    data,
    async instruments() {
      if (settings.adapter === 'sim') {
        // The sim lists its instruments from config; symbols it does not list are left out.
        const all = await adapter.instruments.load();
        return all.filter((i) => wanted.length === 0 || wanted.includes(i.id.symbol));
      }
      // IB: the configured instruments, or the symbols asked for (an unconfigured one is looked up as a SMART stock).
      return adapter.instruments.load(wanted.length === 0 ? undefined : wanted.map((symbol) => ({ venue: adapter.venue, symbol })));
    },
  };
}

/** True for start-up failures an operator fixes in the config: refused session, unknown symbol, bad adapter settings. */
export function isVenueConfigProblem(error: unknown): boolean {
  if (error instanceof AuthenticationError || error instanceof UnknownInstrumentError) return true;
  const name = error instanceof Error ? error.name : '';
  return name === 'IbConfigError' || name === 'SimConfigError' || name === 'AdapterRegistryError';
}

/**
 * The start-up error for a venue failure: exit 78 when the operator must fix the
 * config ({@link isVenueConfigProblem}), 69 when the venue was only unavailable.
 */
export function venueStartupError(what: string, error: unknown): StartupError {
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  return new StartupError(message, isVenueConfigProblem(error) ? EXIT_CODES.config : EXIT_CODES.unavailable, { cause: error });
}
