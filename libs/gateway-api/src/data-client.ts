import {
  instrumentKey,
  type Bar,
  type ConnectionState,
  type InstrumentId,
  type MarketData,
  type UnixNanos,
  type VenueStatus,
} from '@ttquant/domain';
import type { DataCapabilities } from './capabilities';
import type { Unsubscribe } from './listeners';

/**
 * One market-data subscription. A union rather than one method per kind so the
 * market-data service can keep, compare and re-issue subscriptions (after a
 * reconnect, for staleness checks) as plain values.
 */
export type DataSubscription =
  | { readonly kind: 'quotes'; readonly instrument: InstrumentId }
  | { readonly kind: 'trades'; readonly instrument: InstrumentId }
  /** Level-2 book: a snapshot, then deltas; `depth` levels per side. */
  | { readonly kind: 'book'; readonly instrument: InstrumentId; readonly depth: number }
  | { readonly kind: 'bars'; readonly instrument: InstrumentId; readonly intervalSeconds: number }
  | { readonly kind: 'funding-rates'; readonly instrument: InstrumentId };

/** The kinds of {@link DataSubscription}. */
export type DataSubscriptionKind = DataSubscription['kind'];

/**
 * A stable text key for a subscription (`quotes:SIM:ACME`, `bars/60:SIM:ACME`),
 * for maps and logs.
 */
export function subscriptionKey(subscription: DataSubscription): string {
  const id = instrumentKey(subscription.instrument);
  switch (subscription.kind) {
    case 'book':
      return `book/${subscription.depth}:${id}`;
    case 'bars':
      return `bars/${subscription.intervalSeconds}:${id}`;
    default:
      return `${subscription.kind}:${id}`;
  }
}

/**
 * The market-data half of a venue adapter.
 *
 * **Delivery model.** Data and status arrive through handlers registered with
 * {@link DataClient.onData} and {@link DataClient.onStatus}, the same model as
 * `ExecutionClient.onReport`. Handlers rather than async iterables because the
 * tick path runs millions of times: a handler call costs nothing, while an
 * iterator allocates a promise per message and needs a buffer policy when the
 * consumer is slow. The consumer (the market-data service) decides how to
 * buffer; an adapter never blocks on it. Handlers are called synchronously from
 * the adapter's I/O callbacks and must not throw.
 *
 * **Quality.** Every item carries the venue's data quality (`REALTIME`,
 * `DELAYED`, `SIMULATED`...); prices and sizes are exact decimals on the
 * instrument's tick and lot grid, converted once at the adapter's edge.
 *
 * **Subscriptions** are idempotent: subscribing twice is one subscription,
 * unsubscribing something not subscribed is a no-op. After a reconnect the
 * adapter re-issues its subscriptions itself.
 */
export interface DataClient {
  /** The venue this client talks to (`InstrumentId.venue`). */
  readonly venue: string;
  /** What this client can deliver. */
  readonly capabilities: DataCapabilities;
  /** Current state of the data connection. */
  readonly connectionState: ConnectionState;

  /** Opens the connection; resolves once data can flow. */
  connect(): Promise<void>;
  /** Closes the connection and drops every subscription. */
  disconnect(): Promise<void>;

  /**
   * Starts a subscription.
   * @throws NotSupportedError when the capability is missing.
   * @throws UnknownInstrumentError when the instrument is not known to the venue.
   */
  subscribe(subscription: DataSubscription): Promise<void>;
  /** Stops a subscription. */
  unsubscribe(subscription: DataSubscription): Promise<void>;
  /** The subscriptions currently active. */
  subscriptions(): readonly DataSubscription[];

  /**
   * Historical bars covering `[from, to)`, oldest first, each with
   * `startTime` in the range. Adapters page through the venue's limits.
   * @throws NotSupportedError when `history` is false or the interval is not served.
   */
  requestBars(instrument: InstrumentId, intervalSeconds: number, from: UnixNanos, to: UnixNanos): Promise<Bar[]>;

  /** Registers a handler for every market-data item of every subscription. */
  onData(handler: (data: MarketData) => void): Unsubscribe;
  /** Registers a handler for connection state changes (`channel: 'data'`). */
  onStatus(handler: (status: VenueStatus) => void): Unsubscribe;
}
