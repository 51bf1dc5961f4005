import type { Decimal, Instrument, InstrumentId } from '@ttquant/domain';
import type { DataClient } from '../data-client';
import type { ExecutionClient } from '../execution-client';

/** Top of book a fake venue is told to show. */
export interface FakeMarket {
  readonly bid: Decimal;
  readonly bidSize: Decimal;
  readonly ask: Decimal;
  readonly askSize: Decimal;
}

/**
 * The levers a conformance suite pulls on an adapter's fake venue. Every
 * method may be synchronous or return a promise (a fake behind a socket needs
 * a round trip); the suite awaits them all.
 */
export interface DataVenueControls {
  /**
   * Sets the instrument's best bid and offer with their displayed sizes, and
   * publishes them to data subscribers. Resting orders the new prices cross
   * fill against the displayed sizes, as on a real book.
   */
  setMarket(instrument: InstrumentId, market: FakeMarket): Promise<void> | void;
  /**
   * Drops the connection now. The venue keeps working (orders fill, the market
   * moves) but nothing reaches the client until {@link restoreConnection}.
   */
  dropConnection(): Promise<void> | void;
  /**
   * Lets the client reconnect. The client reconnects by itself, as in
   * production, and reports `CONNECTED` through its status stream.
   */
  restoreConnection(): Promise<void> | void;
}

/** {@link DataVenueControls} plus what execution tests need. */
export interface FakeVenueControls extends DataVenueControls {
  /** The next order the venue receives is rejected with exactly this reason text. */
  rejectNext(reason: string): Promise<void> | void;
  /**
   * The venue accepts and processes the next order it receives, then the
   * connection drops before any answer reaches the client: the order is in
   * flight from the client's point of view.
   */
  dropConnectionOnNextOrder(): Promise<void> | void;
  /** How many new-order requests with this client order id the venue has received, duplicates included. */
  receivedCount(clientOrderId: string): Promise<number> | number;
}

/**
 * What a data client's conformance run needs: a connected client and its fake
 * venue. Built fresh for every test.
 */
export interface DataHarness {
  /** An instrument the venue knows and the client can subscribe to. */
  readonly instrument: Instrument;
  /** A price on the tick grid around which the suite sets markets; defaults to 100 rounded to the tick. */
  readonly referencePrice?: Decimal;
  /** Connected data client. */
  readonly data: DataClient;
  readonly venue: DataVenueControls;
  /** Disconnects the clients and stops the fake venue. */
  dispose(): Promise<void>;
}

/**
 * What an execution client's conformance run needs: a connected client for a
 * flat account with enough buying power for a few lots, and its fake venue.
 * Built fresh for every test; the market is empty until the suite sets it.
 */
export interface ExecutionHarness {
  /** A tradable instrument the venue and the client know. */
  readonly instrument: Instrument;
  /**
   * A price around which the suite places its orders, on the tick grid;
   * defaults to 100 rounded to the tick.
   */
  readonly referencePrice?: Decimal;
  /** Connected execution client. */
  readonly execution: ExecutionClient;
  /** Connected data client of the same fake venue, when the adapter has one. */
  readonly data?: DataClient;
  readonly venue: FakeVenueControls;
  /** Disconnects the clients and stops the fake venue. */
  dispose(): Promise<void>;
}

/** Tuning of a conformance run. */
export interface ConformanceOptions {
  /** Longest wait for one expected event, in ms (default 5000). */
  readonly waitTimeoutMs?: number;
  /** Jest timeout per test, in ms (default 20000). */
  readonly testTimeoutMs?: number;
}
