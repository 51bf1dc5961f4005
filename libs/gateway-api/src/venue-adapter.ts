import type { Clock } from '@ttquant/domain';
import type { DataClient } from './data-client';
import type { ExecutionClient } from './execution-client';
import type { InstrumentProvider } from './instrument-provider';
import type { HistoryStore, InstrumentCache } from './stores';

/** The logging an adapter may do: a subset of pino's API, so a pino logger fits as is. */
export interface AdapterLogger {
  debug(context: object, message?: string): void;
  info(context: object, message?: string): void;
  warn(context: object, message?: string): void;
  error(context: object, message?: string): void;
}

/**
 * What the app hands an adapter besides its own config: the clock, and the
 * storage-backed stores an adapter may use (adapters never import storage).
 */
export interface VenueAdapterContext {
  /** Source of "now" for event and init times; a test or backtest clock when simulated. */
  readonly clock: Clock;
  readonly logger?: AdapterLogger;
  readonly instrumentCache?: InstrumentCache;
  readonly historyStore?: HistoryStore;
}

/**
 * One venue's clients, built by its factory. An app uses the half it needs:
 * market-data uses `data`, the gateway uses `execution`, both use `instruments`.
 */
export interface VenueAdapter {
  /** The factory kind that built it (`sim`, `ib`, `binance`...). */
  readonly kind: string;
  /** The venue name in instrument ids. */
  readonly venue: string;
  readonly instruments: InstrumentProvider;
  /** Absent for a venue without market data. */
  readonly data?: DataClient;
  /** Absent for a data-only venue or when no account is configured. */
  readonly execution?: ExecutionClient;
  /** Disconnects both clients and releases timers and sockets. */
  dispose(): Promise<void>;
}

/**
 * Builds a venue's adapter from its config. Each adapter library exports one;
 * the app registers those it ships and picks one by the config's adapter name.
 * `config` arrives unparsed (from a file or the environment): the factory
 * validates it with its own schema and fails naming the bad key.
 */
export interface VenueAdapterFactory {
  /** The name configs use to pick this adapter. */
  readonly kind: string;
  create(config: unknown, context: VenueAdapterContext): VenueAdapter;
}

/** An adapter kind was registered twice or is not registered. */
export class AdapterRegistryError extends Error {
  override readonly name = 'AdapterRegistryError';
}

/**
 * The adapters an app knows, by kind. An instance rather than a global so each
 * app (and test) registers exactly what it ships.
 *
 * @example
 * const registry = new VenueAdapterRegistry().register(simAdapterFactory).register(ibAdapterFactory);
 * const adapter = registry.createVenueAdapter(config.adapter, config.venueConfig, { clock: systemClock });
 */
export class VenueAdapterRegistry {
  private readonly factories = new Map<string, VenueAdapterFactory>();

  /**
   * Adds a factory; returns the registry for chaining.
   * @throws AdapterRegistryError when the kind is already registered.
   */
  register(factory: VenueAdapterFactory): this {
    if (this.factories.has(factory.kind)) {
      throw new AdapterRegistryError(`expected adapter kind ${JSON.stringify(factory.kind)} to be registered once, it already is`);
    }
    this.factories.set(factory.kind, factory);
    return this;
  }

  /** True when a factory of this kind is registered. */
  has(kind: string): boolean {
    return this.factories.has(kind);
  }

  /** The registered kinds, in registration order. */
  kinds(): string[] {
    return [...this.factories.keys()];
  }

  /**
   * Builds the adapter of `kind` from its config.
   * @throws AdapterRegistryError naming the known kinds when `kind` is not registered.
   */
  createVenueAdapter(kind: string, config: unknown, context: VenueAdapterContext): VenueAdapter {
    const factory = this.factories.get(kind);
    if (!factory) {
      throw new AdapterRegistryError(
        `expected adapter kind one of ${this.kinds().join(', ') || '(none registered)'}, was ${JSON.stringify(kind)}`,
      );
    }
    return factory.create(config, context);
  }
}
