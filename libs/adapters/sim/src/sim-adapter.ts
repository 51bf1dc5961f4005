import { readFileSync } from 'node:fs';
import { Decimal, systemClock, type Instrument } from '@ttquant/domain';
import type { VenueAdapter, VenueAdapterContext, VenueAdapterFactory } from '@ttquant/gateway-api';
import { loadSimConfig, toSimInstrument, type SimConfig } from './config';
import { parseReplayCsv, ReplayFormatError } from './csv-replay';
import { SimDataClient } from './data-client';
import { SimExecutionClient } from './execution-client';
import { SimInstrumentProvider } from './instrument-provider';
import { SimMarketFeed, type FeedSource } from './market-feed';
import { timerScheduler, type SimScheduler } from './scheduler';
import { SimVenue, type SimVenueOptions } from './sim-venue';

/** The sim adapter: the usual clients plus the simulated venue itself, for fault hooks and external quotes. */
export interface SimAdapter extends VenueAdapter {
  readonly kind: 'sim';
  readonly config: SimConfig;
  readonly simulator: SimVenue;
  readonly instruments: SimInstrumentProvider;
  readonly data: SimDataClient;
  readonly execution: SimExecutionClient;
  /** Moves the market when `market.source` is `internal`; absent for `external`. */
  readonly feed?: SimMarketFeed;
}

/** Extra wiring for tests and backtests. */
export interface SimAdapterOptions {
  /** Timers of latency, feed and expiries; real timers by default. */
  readonly scheduler?: SimScheduler;
  /** Told of every new-order request the venue receives (see {@link SimVenueOptions.onOrderReceived}). */
  readonly onOrderReceived?: SimVenueOptions['onOrderReceived'];
}

/**
 * Builds the simulated venue and its clients from config (validated with
 * {@link loadSimConfig}; `{}` gives the defaults).
 *
 * @example
 * const sim = createSimAdapter({ seed: 7, execution: { latencyMs: 5 } }, { clock: systemClock });
 * await sim.data.connect();
 * await sim.execution.connect();
 * @throws SimConfigError for an invalid config; ReplayFormatError for a bad replay file.
 */
export function createSimAdapter(
  config: unknown = {},
  context: Partial<VenueAdapterContext> = {},
  options: SimAdapterOptions = {},
): SimAdapter {
  const resolved = loadSimConfig(config);
  const clock = context.clock ?? systemClock;
  const instruments = resolved.instruments.map((entry) => toSimInstrument(resolved.venue, entry));
  const simulator = new SimVenue({
    venue: resolved.venue,
    instruments,
    accounts: [
      {
        account: resolved.account,
        balances: resolved.startingBalances.map((b) => ({ currency: b.currency, amount: Decimal.parse(b.amount) })),
      },
    ],
    slippage: { ticks: resolved.execution.slippageTicks, bps: Decimal.parse(resolved.execution.slippageBps) },
    fees: {
      makerBps: Decimal.parse(resolved.execution.makerFeeBps),
      takerBps: Decimal.parse(resolved.execution.takerFeeBps),
      perUnit: Decimal.parse(resolved.execution.feePerUnit),
      scale: resolved.execution.feeScale,
    },
    clock,
    scheduler: options.scheduler,
    onOrderReceived: options.onOrderReceived,
  });
  const provider = new SimInstrumentProvider(resolved.venue, instruments);
  const feed = resolved.market.source === 'internal' ? buildFeed(resolved, instruments, simulator, clock, options.scheduler) : undefined;
  const data = new SimDataClient(simulator, provider, feed);
  const execution = new SimExecutionClient(simulator, provider, {
    account: resolved.account,
    latencyMs: resolved.execution.latencyMs,
    scheduler: options.scheduler,
  });
  return {
    kind: 'sim',
    venue: resolved.venue,
    config: resolved,
    simulator,
    instruments: provider,
    data,
    execution,
    feed,
    async dispose() {
      await data.disconnect();
      await execution.disconnect();
      simulator.dispose();
    },
  };
}

/** Registers the sim adapter under the kind `sim`. */
export const simAdapterFactory: VenueAdapterFactory = {
  kind: 'sim',
  create: (config, context) => createSimAdapter(config, context),
};

function buildFeed(
  config: SimConfig,
  instruments: readonly Instrument[],
  simulator: SimVenue,
  clock: VenueAdapterContext['clock'],
  scheduler: SimScheduler | undefined,
): SimMarketFeed {
  const market = config.market;
  const sources: FeedSource[] = config.instruments.map((entry, index) => {
    const instrument = instruments[index];
    if (entry.replayFile !== '') {
      const text = readFileSync(entry.replayFile, 'utf8');
      try {
        return { kind: 'replay', instrument, rows: parseReplayCsv(text, instrument) };
      } catch (error) {
        if (error instanceof ReplayFormatError) throw new ReplayFormatError(`${entry.replayFile}: ${error.message}`, { cause: error });
        throw error;
      }
    }
    return {
      kind: 'random-walk',
      instrument,
      params: {
        initialPrice: Decimal.parse(entry.initialPrice),
        volatilityTicks: market.volatilityTicks,
        minSpreadTicks: market.minSpreadTicks,
        maxSpreadTicks: market.maxSpreadTicks,
        minSizeLots: market.minSizeLots,
        maxSizeLots: market.maxSizeLots,
        tradeProbability: market.tradeProbability,
      },
    };
  });
  return new SimMarketFeed(simulator, {
    sources,
    seed: config.seed,
    ticksPerSecond: market.ticksPerSecond,
    replaySpeed: market.replaySpeed,
    replayLoop: market.replayLoop,
    clock,
    scheduler: scheduler ?? timerScheduler,
  });
}
