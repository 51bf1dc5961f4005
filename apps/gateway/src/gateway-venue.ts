import { ibAdapterFactoryFor, ibConfigSchema, looksLikeIbAccountId, maskAccount, type IbAdapter, type IbConfig } from '@ttquant/adapter-ib';
import { createSimAdapter, type SimAdapter, type SimConfig, type SimVenueOptions } from '@ttquant/adapter-sim';
import type { Instrument, InstrumentId, QuoteTick } from '@ttquant/domain';
import {
  AuthenticationError,
  UnknownInstrumentError,
  VenueAdapterRegistry,
  type ExecutionClient,
  type VenueAdapter,
  type VenueAdapterContext,
} from '@ttquant/gateway-api';
import { EXIT_CODES, StartupError } from '@ttquant/service';
import type convict from 'convict';

/** The venue adapters the gateway ships, by the name `gateway.adapter` gives. */
export const GATEWAY_ADAPTERS = ['sim', 'ib'] as const;
/** One of {@link GATEWAY_ADAPTERS}. */
export type GatewayAdapterKind = (typeof GATEWAY_ADAPTERS)[number];

/** The gateway's own IB client id; market-data uses another, so each keeps its orders and lines apart. */
export const GATEWAY_IB_CLIENT_ID = 11;

/** The IB adapter's schema with the gateway's client id as the default. */
export const gatewayIbSchema: convict.Schema<IbConfig> = {
  ...ibConfigSchema,
  clientId: { ...(ibConfigSchema.clientId as object), default: GATEWAY_IB_CLIENT_ID } as convict.Schema<IbConfig>['clientId'],
};

/** What {@link openGatewayVenue} builds the venue from. */
export interface GatewayVenueSettings {
  readonly adapter: GatewayAdapterKind;
  /**
   * The account the gateway owns, as TTQuant names it (orders, topics, storage).
   * On IB the adapter maps it to IB's id from `IB_ACCOUNT`, which stays a secret.
   */
  readonly account: string;
  /** The `[sim]` section (used when `adapter` is `sim`). */
  readonly sim: SimConfig;
  /** The `[ib]` section (used when `adapter` is `ib`). */
  readonly ib: IbConfig;
  /** Sim only: told of every order the simulated venue receives (test audit trail, latency bench). */
  readonly onOrderReceived?: SimVenueOptions['onOrderReceived'];
}

/** The gateway's view of its venue, whatever the adapter. */
export interface GatewayVenue {
  readonly adapter: VenueAdapter;
  readonly execution: ExecutionClient;
  /** Loads the instruments the gateway trades; resolves before the engine starts. */
  load(): Promise<readonly Instrument[]>;
  /** A loaded instrument of this venue, for risk and order checks. */
  instrument(id: InstrumentId): Instrument | undefined;
  /** A quote from the bus. The sim venue fills against it; a real venue has its own market. */
  onQuote(quote: QuoteTick): void;
  /** Once connected: the venue must trade the gateway's own account, else orders would be refused one by one. */
  checkAccount(): void;
}

/** The venue trades another account than the gateway owns. */
export class VenueAccountMismatchError extends Error {
  override readonly name = 'VenueAccountMismatchError';
}

/**
 * The adapters the gateway can run. The sim factory closes over the gateway's
 * hooks and makes the venue follow the market published on the bus; the IB
 * factory reports everything under the gateway's account name.
 */
export function gatewayAdapterRegistry(settings: Pick<GatewayVenueSettings, 'account' | 'onOrderReceived'>): VenueAdapterRegistry {
  return new VenueAdapterRegistry()
    .register({
      kind: 'sim',
      create: (config, context) => {
        const sim = config as SimConfig;
        return createSimAdapter({ ...sim, account: settings.account, market: { ...sim.market, source: 'external' } }, context, {
          onOrderReceived: settings.onOrderReceived,
        });
      },
    })
    .register(ibAdapterFactoryFor({ accountName: settings.account }));
}

/**
 * Builds the gateway's venue from config through the adapter registry.
 * @throws IbConfigError / SimConfigError for a config the adapter refuses.
 */
export function openGatewayVenue(settings: GatewayVenueSettings, context: VenueAdapterContext): GatewayVenue {
  const registry = gatewayAdapterRegistry(settings);
  const config = settings.adapter === 'ib' ? settings.ib : settings.sim;
  const adapter = registry.createVenueAdapter(settings.adapter, config, context);
  return settings.adapter === 'ib' ? ibVenue(adapter as IbAdapter, settings.account) : simVenue(adapter as SimAdapter);
}

function sameVenue(found: Instrument | undefined, id: InstrumentId): Instrument | undefined {
  return found && found.id.venue === id.venue ? found : undefined;
}

function simVenue(sim: SimAdapter): GatewayVenue {
  return {
    adapter: sim,
    execution: sim.execution,
    load: () => sim.instruments.load(),
    instrument: (id) => sameVenue(sim.instruments.find(id.symbol), id),
    onQuote: (quote) => sim.simulator.updateMarket(quote),
    checkAccount: () => undefined,
  };
}

function ibVenue(ib: IbAdapter, account: string): GatewayVenue {
  return {
    adapter: ib,
    execution: ib.execution,
    async load() {
      if (ib.config.instruments.length === 0) {
        throw new UnknownInstrumentError('expected at least one instrument in ib.instruments for the gateway to trade, found none');
      }
      return ib.instruments.load();
    },
    instrument: (id) => sameVenue(ib.instruments.find(id.symbol), id),
    // IB fills against its own market; quotes from the bus only feed risk.
    onQuote: () => undefined,
    checkAccount() {
      checkIbAccount(account, ib.config.account, ib.execution.ibAccount);
    },
  };
}

/**
 * The IB session must trade the account meant: `IB_ACCOUNT` when set, and,
 * when `gateway.account` is itself an IB account id (configs that name the
 * account by its id), that very account. A plain name (`ib-paper`) maps to
 * whichever account the session trades. Accounts are shown masked.
 * @throws VenueAccountMismatchError naming what was expected and what the session trades.
 */
export function checkIbAccount(accountName: string, ibAccountEnv: string, traded: string): void {
  if (ibAccountEnv !== '' && traded !== ibAccountEnv) {
    throw new VenueAccountMismatchError(
      `expected the IB session to trade IB_ACCOUNT ${maskAccount(ibAccountEnv)}, it trades ${maskAccount(traded)}`,
    );
  }
  if (looksLikeIbAccountId(accountName) && traded !== accountName) {
    throw new VenueAccountMismatchError(
      `expected the IB session to trade the gateway's account ${maskAccount(accountName)}, it trades ${maskAccount(traded)}; ` +
        'set gateway.account (TTQ_GATEWAY_ACCOUNT) to that IB account id or to a name of your own (e.g. ib-paper), and IB_ACCOUNT to the IB account id',
    );
  }
}

/** True for start-up failures an operator fixes in the config: wrong account, refused session, unknown instrument. */
export function isVenueConfigProblem(error: unknown): boolean {
  if (error instanceof AuthenticationError || error instanceof UnknownInstrumentError || error instanceof VenueAccountMismatchError) return true;
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
