import {
  InstrumentMap,
  type Bar,
  type ConnectionState,
  type InstrumentId,
  type MarketData,
  type QuoteTick,
  type TradeTick,
  type UnixNanos,
  type VenueStatus,
} from '@ttquant/domain';
import {
  DisconnectedError,
  Listeners,
  NotSupportedError,
  requireCapability,
  subscriptionKey,
  type DataCapabilities,
  type DataClient,
  type DataSubscription,
  type InstrumentProvider,
  type Unsubscribe,
} from '@ttquant/gateway-api';
import type { SimMarketFeed } from './market-feed';
import type { SimVenue, VenueDataSink } from './sim-venue';

/** What the simulated venue publishes: quotes and trades. */
export const SIM_DATA_CAPABILITIES: DataCapabilities = {
  quotes: true,
  trades: true,
  bookL2: false,
  bars: false,
  barIntervals: [],
  history: false,
  fundingRates: false,
};

/** The capability flag each subscription kind needs. */
const CAPABILITY_OF: Record<DataSubscription['kind'], 'quotes' | 'trades' | 'bookL2' | 'bars' | 'fundingRates'> = {
  quotes: 'quotes',
  trades: 'trades',
  book: 'bookL2',
  bars: 'bars',
  'funding-rates': 'fundingRates',
};

/**
 * The market-data client of the simulated venue. Connecting starts the
 * venue's market feed (random walks or replays) when it has one; every quote
 * and trade of a subscribed instrument reaches the `onData` handlers, tagged
 * `SIMULATED`. Subscribing to quotes delivers the current quote at once, as
 * many venues send a snapshot first.
 */
export class SimDataClient implements DataClient {
  readonly venue: string;
  readonly capabilities = SIM_DATA_CAPABILITIES;
  private state: ConnectionState = 'DISCONNECTED';
  private wanted = false;
  private detach: (() => void) | undefined;
  private readonly quoteSubs = new InstrumentMap<DataSubscription>();
  private readonly tradeSubs = new InstrumentMap<DataSubscription>();
  private readonly data = new Listeners<MarketData>();
  private readonly statuses = new Listeners<VenueStatus>();
  private readonly sink: VenueDataSink;

  constructor(
    private readonly simulator: SimVenue,
    private readonly instruments: InstrumentProvider,
    private readonly feed?: SimMarketFeed,
  ) {
    this.venue = simulator.venue;
    this.sink = {
      marketData: (item) => this.onMarketData(item),
      link: (up) => this.onLink(up),
    };
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /**
   * Connects and starts the market feed.
   * @throws DisconnectedError when the venue link is down; the client connects by itself when it returns.
   */
  async connect(): Promise<void> {
    this.wanted = true;
    this.detach ??= this.simulator.attachData(this.sink);
    const up = this.simulator.linkUp;
    this.setState(up ? 'CONNECTED' : 'RECONNECTING', up ? 'connected' : 'venue link is down');
    // Started after the state change, so the feed's first quotes already reach subscribers.
    this.feed?.start();
    if (!up) {
      throw new DisconnectedError(`cannot connect to ${this.venue} market data: the link is down; will connect when it returns`);
    }
  }

  /** Stops the feed, drops every subscription and disconnects. */
  async disconnect(): Promise<void> {
    this.wanted = false;
    this.feed?.stop();
    this.detach?.();
    this.detach = undefined;
    this.quoteSubs.clear();
    this.tradeSubs.clear();
    this.setState('DISCONNECTED', 'closed by client');
  }

  async subscribe(subscription: DataSubscription): Promise<void> {
    requireCapability(this.capabilities, CAPABILITY_OF[subscription.kind], this.venue);
    this.instruments.get(subscription.instrument);
    const subs = this.subsOf(subscription);
    if (subs.has(subscription.instrument)) return;
    subs.set(subscription.instrument, subscription);
    if (subscription.kind === 'quotes' && this.state === 'CONNECTED') {
      const current = this.simulator.quote(subscription.instrument);
      if (current) this.data.emit(current);
    }
  }

  async unsubscribe(subscription: DataSubscription): Promise<void> {
    if (subscription.kind !== 'quotes' && subscription.kind !== 'trades') return;
    this.subsOf(subscription).delete(subscription.instrument);
  }

  subscriptions(): readonly DataSubscription[] {
    return [...this.quoteSubs.values(), ...this.tradeSubs.values()];
  }

  /** @throws NotSupportedError always: the simulator keeps no history. */
  async requestBars(instrument: InstrumentId, intervalSeconds: number, _from: UnixNanos, _to: UnixNanos): Promise<Bar[]> {
    throw new NotSupportedError(
      `expected ${this.venue} to serve history, it does not (asked for ${subscriptionKey({ kind: 'bars', instrument, intervalSeconds })})`,
    );
  }

  onData(handler: (data: MarketData) => void): Unsubscribe {
    return this.data.add(handler);
  }

  onStatus(handler: (status: VenueStatus) => void): Unsubscribe {
    return this.statuses.add(handler);
  }

  private subsOf(subscription: DataSubscription): InstrumentMap<DataSubscription> {
    return subscription.kind === 'trades' ? this.tradeSubs : this.quoteSubs;
  }

  private onMarketData(item: QuoteTick | TradeTick): void {
    if (this.state !== 'CONNECTED') return;
    const subs = item.kind === 'quote' ? this.quoteSubs : this.tradeSubs;
    if (subs.has(item.instrument)) this.data.emit(item);
  }

  private onLink(up: boolean): void {
    if (!this.wanted) return;
    if (up) this.setState('CONNECTED', 'reconnected');
    else this.setState('RECONNECTING', 'venue link dropped; reconnecting');
  }

  private setState(state: ConnectionState, detail: string): void {
    if (this.state === state) return;
    this.state = state;
    this.statuses.emit({ venue: this.venue, channel: 'data', account: '', state, detail });
  }
}
