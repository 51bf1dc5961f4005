import type { Contract, ContractDetails } from '@stoqey/ib';
import { Decimal, instrumentKey, type Clock, type Instrument, type InstrumentId } from '@ttquant/domain';
import {
  GatewayError,
  UnknownInstrumentError,
  type AdapterLogger,
  type InstrumentCache,
  type InstrumentProvider,
} from '@ttquant/gateway-api';
import type { IbInstrumentConfig } from './config';
import type { IbConnection, IbConnectionLease } from './connection/ib-connection';
import { contractQuery, defaultInstrumentConfig, toInstrument, tradingContract, wireSecType } from './parsing/contracts';
import { isIbCode } from './parsing/ib-errors';

/** IB has several contracts for a configured symbol (or none with its conId / primary exchange): the config must choose. */
export class AmbiguousContractError extends UnknownInstrumentError {
  override readonly name: string = 'AmbiguousContractError';
}

// Loading usually comes just before a client connects: the session is kept this long for it.
const LOAD_LINGER_MS = 2_000;

/** How old a cached contract may be before it is fetched from IB again on load. */
export const CONTRACT_CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

interface Resolved {
  readonly config: IbInstrumentConfig;
  readonly instrument: Instrument;
  readonly contract: Contract;
}

/** What the provider needs besides the connection. */
export interface IbInstrumentProviderOptions {
  readonly venue: string;
  readonly instruments: readonly IbInstrumentConfig[];
  readonly clock: Clock;
  readonly cache?: InstrumentCache;
  readonly logger?: AdapterLogger;
}

/**
 * IB reference data: resolves each symbol to a contract through contract
 * details (conId, exchange, currency, multiplier, tick size, size increment)
 * and keeps the instruments for synchronous lookups. With an
 * `InstrumentCache` a contract seen within a day is taken from the cache
 * instead of asking IB again, and IB's answers are written back to it; when IB
 * cannot be asked (link down) a cached contract of any age is used.
 */
export class IbInstrumentProvider implements InstrumentProvider {
  readonly venue: string;
  private readonly bySymbol = new Map<string, Resolved>();
  private readonly byConId = new Map<number, Resolved>();
  private readonly configs = new Map<string, IbInstrumentConfig>();

  constructor(
    private readonly connection: IbConnection,
    private readonly options: IbInstrumentProviderOptions,
  ) {
    this.venue = options.venue;
    for (const config of options.instruments) this.configs.set(config.symbol, config);
  }

  /**
   * Resolves `ids` (every configured instrument when omitted). A symbol that is
   * not configured is looked up as a stock routed by SMART in USD.
   * @throws UnknownInstrumentError naming the symbol IB does not know (IB 200).
   */
  async load(ids?: readonly InstrumentId[]): Promise<readonly Instrument[]> {
    const symbols = ids ? ids.map((id) => this.ownSymbol(id)) : [...this.configs.keys()];
    const loaded: Instrument[] = [];
    // The connection is taken only when IB must be asked (not for cached contracts), and given back at the end.
    let lease: Promise<IbConnectionLease> | undefined;
    const connect = async (): Promise<void> => {
      lease ??= this.connection.lease(LOAD_LINGER_MS);
      await lease;
    };
    try {
      for (const symbol of symbols) loaded.push((await this.resolve(symbol, connect)).instrument);
    } finally {
      if (lease) await lease.then((l) => l.release(), () => undefined);
    }
    return loaded;
  }

  /** @throws UnknownInstrumentError when the instrument is not loaded. */
  get(id: InstrumentId): Instrument {
    return this.resolved(id).instrument;
  }

  find(symbol: string): Instrument | undefined {
    return this.bySymbol.get(symbol)?.instrument;
  }

  all(): readonly Instrument[] {
    return [...this.bySymbol.values()].map((r) => r.instrument);
  }

  /** The contract orders and market data use for a loaded instrument (by conId). */
  contractOf(id: InstrumentId): Contract {
    return this.resolved(id).contract;
  }

  /**
   * The instrument of a contract IB names in an order, execution or position:
   * the loaded one with this conId, or a provisional one (exact decimals, tick
   * 1e-8) for contracts TTQuant never loaded, such as orders placed by hand.
   */
  instrumentForContract(contract: Contract): Instrument {
    const known = contract.conId ? this.byConId.get(contract.conId) : undefined;
    if (known) return known.instrument;
    const symbol = contract.localSymbol || contract.symbol || String(contract.conId ?? '');
    const loaded = this.bySymbol.get(symbol);
    if (loaded) return loaded.instrument;
    return {
      id: { venue: this.venue, symbol },
      venueInstrumentId: String(contract.conId ?? ''),
      assetClass: 'EQUITY',
      exchange: contract.exchange ?? '',
      currency: contract.currency ?? '',
      baseCurrency: '',
      multiplier: contract.multiplier && contract.multiplier > 0 ? Decimal.fromNumber(contract.multiplier) : Decimal.ONE,
      tickSize: Decimal.of(1, -8),
      lotSize: Decimal.of(1, -8),
      minQuantity: Decimal.of(1, -8),
      description: `${symbol} (not loaded)`,
    };
  }

  private resolved(id: InstrumentId): Resolved {
    const found = id.venue === this.venue ? this.bySymbol.get(id.symbol) : undefined;
    if (!found) {
      throw new UnknownInstrumentError(
        `expected instrument ${instrumentKey(id)} to be loaded from IB, it is not (loaded: ${[...this.bySymbol.keys()].join(', ') || 'none'})`,
      );
    }
    return found;
  }

  private ownSymbol(id: InstrumentId): string {
    if (id.venue !== this.venue) {
      throw new UnknownInstrumentError(`expected an instrument of venue ${this.venue}, was ${instrumentKey(id)}`);
    }
    return id.symbol;
  }

  private async resolve(symbol: string, connect: () => Promise<void>): Promise<Resolved> {
    const config = this.configs.get(symbol) ?? defaultInstrumentConfig(symbol);
    const id: InstrumentId = { venue: this.venue, symbol };
    const cached = this.options.cache ? await this.options.cache.get(id) : undefined;
    const now = this.options.clock.nowNanos();
    if (cached && now - cached.lastSeen < BigInt(CONTRACT_CACHE_MAX_AGE_MS) * 1_000_000n) return this.remember(config, cached.instrument);
    try {
      await connect();
      const details = await this.requestDetails(config);
      const instrument = toInstrument(this.venue, config, this.pick(config, details));
      await this.options.cache?.put(instrument, now);
      return this.remember(config, instrument);
    } catch (error) {
      if (error instanceof AmbiguousContractError) throw error;
      if (isIbCode(error, 200) || error instanceof UnknownInstrumentError) {
        throw new UnknownInstrumentError(
          `expected IB to know ${symbol} (${config.secType} ${config.ibSymbol} on ${config.exchange} in ${config.currency}), ` +
            `it has no security definition for it`,
          { venueCode: '200', cause: error },
        );
      }
      if (cached && error instanceof GatewayError && error.retryable) {
        this.options.logger?.warn({ symbol, err: error }, 'IB contract details unavailable; using the cached contract');
        return this.remember(config, cached.instrument);
      }
      throw error;
    }
  }

  private remember(config: IbInstrumentConfig, instrument: Instrument): Resolved {
    const resolved: Resolved = { config, instrument, contract: tradingContract(config, instrument) };
    this.bySymbol.set(config.symbol, resolved);
    this.byConId.set(Number(instrument.venueInstrumentId), resolved);
    return resolved;
  }

  /**
   * The one contract the config means. IB answers a query with every contract
   * matching its fields; the config's conId, primary exchange, currency and
   * security type narrow them, and anything but exactly one left is an error:
   * trading a guessed contract (another listing, another currency) is worse
   * than not starting.
   */
  private pick(config: IbInstrumentConfig, details: readonly ContractDetails[]): ContractDetails {
    if (details.length === 0) {
      throw new UnknownInstrumentError(`expected IB contract details for ${config.symbol}, got none`, { venueCode: '200' });
    }
    const wanted = wireSecType(config.secType);
    let left = [...details];
    const narrow = (keep: (d: ContractDetails) => boolean): void => {
      const kept = left.filter(keep);
      if (kept.length > 0) left = kept;
    };
    if (config.conId > 0) left = left.filter((d) => d.contract.conId === config.conId);
    if (config.primaryExchange !== '') left = left.filter((d) => (d.contract.primaryExch ?? d.contract.exchange) === config.primaryExchange);
    narrow((d) => d.contract.currency === config.currency);
    narrow((d) => d.contract.secType === wanted);
    if (left.length === 1) return left[0];
    const seen = details
      .map((d) => `conId ${String(d.contract.conId)} ${String(d.contract.secType)} ${d.contract.primaryExch || d.contract.exchange || '?'} ${String(d.contract.currency)}`)
      .join('; ');
    if (left.length === 0) {
      throw new AmbiguousContractError(
        `expected an IB contract for ${config.symbol} with` +
          `${config.conId > 0 ? ` conId ${config.conId}` : ''}${config.primaryExchange !== '' ? ` primary exchange ${config.primaryExchange}` : ''}, ` +
          `IB offered only: ${seen}`,
      );
    }
    throw new AmbiguousContractError(
      `expected exactly one IB contract for ${config.symbol}, found ${left.length}: ${seen}; set conId or primaryExchange in its instrument config`,
    );
  }

  private async requestDetails(config: IbInstrumentConfig): Promise<ContractDetails[]> {
    const collected: ContractDetails[] = [];
    const slot = this.connection.openRequest<ContractDetails[]>(`contract details of ${config.symbol}`);
    const stopDetails = this.connection.on('contractDetails', (reqId, details) => {
      if (reqId === slot.reqId) collected.push(details);
    });
    const stopEnd = this.connection.on('contractDetailsEnd', (reqId) => {
      if (reqId === slot.reqId) slot.resolve(collected);
    });
    try {
      this.connection.send(`request contract details of ${config.symbol}`, (api) => api.reqContractDetails(slot.reqId, contractQuery(config)));
      return await slot.promise;
    } catch (error) {
      slot.reject(error instanceof Error ? error : new Error(String(error)));
      throw error;
    } finally {
      stopDetails();
      stopEnd();
    }
  }
}
