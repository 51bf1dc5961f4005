import { systemClock } from '@ttquant/domain';
import type { VenueAdapter, VenueAdapterContext, VenueAdapterFactory } from '@ttquant/gateway-api';
import { describeIbConfig, loadIbConfig, type ResolvedIbConfig } from './config';
import { IbConnection } from './connection/ib-connection';
import { IbDataClient } from './data-client';
import { IbExecutionClient } from './execution-client';
import { IbHistoryClient } from './history-client';
import { IbInstrumentProvider } from './instrument-provider';
import { marketDataTypeNumber, qualityOf } from './parsing/market-data';

/** The IB adapter: the usual clients, the historical bars source and the shared connection. */
export interface IbAdapter extends VenueAdapter {
  readonly kind: 'ib';
  readonly config: ResolvedIbConfig;
  readonly connection: IbConnection;
  readonly instruments: IbInstrumentProvider;
  readonly data: IbDataClient;
  readonly execution: IbExecutionClient;
  /** Historical bars for the backfill (history/). */
  readonly history: IbHistoryClient;
}

/** Extra wiring, mostly for tests. */
export interface IbAdapterOptions {
  /** Where `IB_ACCOUNT` is read from; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * TTQuant's name for the account (the gateway's `gateway.account`): orders
   * name it and every report, fill, position and account state carries it,
   * while IB's id (`IB_ACCOUNT`, a secret) is used on the wire only. Empty or
   * absent: IB's id is the name, as with a config that names the account by it.
   */
  readonly accountName?: string;
}

/**
 * Builds the IB adapter from config (validated with {@link loadIbConfig}). The
 * data and execution clients share one connection (one client id); the
 * market-data service and the gateway each build their own adapter with their
 * own fixed client id.
 *
 * @example
 * const ib = createIbAdapter({ port: 4002, clientId: 11, instruments: [{ symbol: 'AAPL', secType: 'STK' }] }, { clock: systemClock, logger });
 * await ib.instruments.load();
 * await ib.execution.connect();
 * @throws IbConfigError for an invalid config or a paper/live mismatch.
 */
export function createIbAdapter(config: unknown = {}, context: Partial<VenueAdapterContext> = {}, options: IbAdapterOptions = {}): IbAdapter {
  const resolved = loadIbConfig(config, options.env ?? process.env);
  const clock = context.clock ?? systemClock;
  const logger = context.logger;
  logger?.info({ config: describeIbConfig(resolved) }, 'IB adapter configured');
  const marketDataType = marketDataTypeNumber(resolved.marketDataType);
  const connection = new IbConnection(
    {
      host: resolved.host,
      port: resolved.port,
      clientId: resolved.clientId,
      account: resolved.account,
      live: resolved.live,
      marketDataType,
      reconnect: resolved.reconnect,
      connectTimeoutMs: resolved.connectTimeoutMs,
      watchdogIntervalMs: resolved.watchdogIntervalMs,
      requestTimeoutMs: resolved.requestTimeoutMs,
      maxRequestsPerSecond: resolved.maxRequestsPerSecond,
      requestIdBase: resolved.requestIdBase,
    },
    logger,
  );
  const instruments = new IbInstrumentProvider(connection, {
    venue: resolved.venue,
    instruments: resolved.instruments,
    clock,
    ...(context.instrumentCache ? { cache: context.instrumentCache } : {}),
    ...(logger ? { logger } : {}),
  });
  const data = new IbDataClient(connection, instruments, {
    venue: resolved.venue,
    clock,
    defaultQuality: qualityOf(marketDataType),
    quoteSource: resolved.quoteSource,
    stalenessTimeoutMs: resolved.stalenessTimeoutMs,
    // A line refused for now (10189/10190) is asked for again on the reconnect schedule, growing to a minute apart.
    retry: { ...resolved.reconnect, maxDelayMs: Math.max(resolved.reconnect.maxDelayMs, 60_000) },
    ...(logger ? { logger } : {}),
  });
  const execution = new IbExecutionClient(connection, instruments, {
    venue: resolved.venue,
    clock,
    commissionWaitMs: resolved.commissionWaitMs,
    account: resolved.account,
    accountName: options.accountName?.trim() ?? '',
    ...(logger ? { logger } : {}),
  });
  const history = new IbHistoryClient(connection);
  return {
    kind: 'ib',
    venue: resolved.venue,
    config: resolved,
    connection,
    instruments,
    data,
    execution,
    history,
    async dispose() {
      await data.disconnect();
      await execution.disconnect();
      connection.stop('adapter disposed');
    },
  };
}

/** Registers the IB adapter under the kind `ib` (the account named by IB's id; see {@link ibAdapterFactoryFor}). */
export const ibAdapterFactory: VenueAdapterFactory = ibAdapterFactoryFor({});

/**
 * The IB adapter factory for an app that names its account: the gateway
 * passes `gateway.account`, so TTQuant's name, not IB's id, travels.
 *
 * @example
 * registry.register(ibAdapterFactoryFor({ accountName: 'ib-paper' }));
 */
export function ibAdapterFactoryFor(options: IbAdapterOptions): VenueAdapterFactory {
  return { kind: 'ib', create: (config, context) => createIbAdapter(config, context, options) };
}
