import type { FakeTwsClock } from './fake-clock';

/** Security types the fake knows how to quote and trade. */
export type FakeTwsSecType = 'STK' | 'ETF' | 'FUT' | 'CASH' | 'CRYPTO' | 'IND';

/** A contract the fake TWS can describe (contract details), quote and trade. */
export interface FakeTwsContract {
  conId: number;
  symbol: string;
  secType: FakeTwsSecType;
  exchange: string;
  primaryExchange?: string;
  currency: string;
  localSymbol?: string;
  multiplier?: string;
  minTick: number;
  lastTradeDateOrContractMonth?: string;
  tradingClass?: string;
  longName?: string;
  /** First mid price of the simulated market. */
  startPrice: number;
}

/** What the fill policy decides for an order when it is transmitted. */
export type FillDecision = 'fill' | 'partial' | 'rest' | { reject: string } | { quantity: number; price?: number };

/**
 * Decides what happens to a transmitted order: fill it now, fill half of it (`partial`) or a given
 * quantity (at a given price, default the touch), let it rest, or reject it (error 201 with the given
 * reason). The default fills MKT orders and marketable LMT orders and rests everything else. Whatever
 * the policy decides, the broker cancels what an IOC order leaves and a FOK order it cannot fill whole.
 */
export type FillPolicy = (order: PlacedOrder) => FillDecision;

/** One PLACE_ORDER as received from a client (new orders and modifications alike). */
export interface PlacedOrder {
  orderId: number;
  clientId: number;
  orderRef: string;
  account: string;
  contract: { conId: number; symbol: string; secType: string; exchange: string; currency: string };
  action: 'BUY' | 'SELL';
  totalQuantity: number;
  orderType: string;
  lmtPrice?: number;
  auxPrice?: number;
  tif: string;
  outsideRth: boolean;
  parentId: number;
  ocaGroup: string;
  transmit: boolean;
  goodTillDate: string;
  /** Fake clock time at which the message arrived. */
  receivedAtMs: number;
}

/** One REQ_HISTORICAL_DATA as received, and whether the pacing rules refused it (error 162). */
export interface HistoricalRequestRecord {
  reqId: number;
  conId: number;
  symbol: string;
  endDateTime: string;
  barSize: string;
  duration: string;
  whatToShow: string;
  atMs: number;
  paced: boolean;
}

/** Options of {@link startFakeTws}; every one has a default. */
export interface FakeTwsOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Server version to claim (capped at the client's maximum); default 193, supported 176..193. */
  serverVersion?: number;
  /** Accounts sent in MANAGED_ACCTS; default ['DU1234567']. */
  managedAccounts?: string[];
  /** First order id handed out by NEXT_VALID_ID; default 1. */
  firstOrderId?: number;
  /** Contracts known to the fake; default AAPL, SPY, ES, EUR, BTC, SPX. */
  contracts?: FakeTwsContract[];
  /** Clock for reported times and pacing; default the wall clock. */
  clock?: FakeTwsClock;
  /** Real-time interval between simulated market moves for subscribed contracts; default 50 ms. */
  quoteIntervalMs?: number;
  /** Real-time interval between real-time bars (IB sends one per 5 s); default 5000 ms. */
  realTimeBarIntervalMs?: number;
  /** Starting cash of every managed account in USD; default 1,000,000. */
  startingCash?: number;
  /** Decides fills; see {@link FillPolicy}. */
  fillPolicy?: FillPolicy;
  /** Receives one line per notable server event (connections, refusals, faults). */
  logger?: (line: string) => void;
}

/** Request kinds that {@link FakeTws.failNextRequest} can fail. */
export type FailableRequestKind = 'placeOrder' | 'contractDetails' | 'marketData' | 'historical' | 'any';

/** A running fake TWS / IB Gateway. */
export interface FakeTws {
  readonly port: number;
  readonly host: string;
  /** Every PLACE_ORDER received, in arrival order (modifications too). */
  readonly placeOrderLog: readonly PlacedOrder[];
  /** One line per client message refused (wrong field count, unknown id, unreadable field...). */
  readonly clientErrors: readonly string[];
  /** Every historical data request, with whether it was refused by the pacing rules. */
  readonly historicalRequests: readonly HistoricalRequestRecord[];
  /** Number of live client sockets that completed START_API. */
  connectionCount(): number;
  /** Resolves once at least n clients are connected and started. */
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  /** Drops every client: 'clean' sends FIN, 'reset' sends RST. */
  dropConnections(mode: 'clean' | 'reset'): void;
  /** Accepts and immediately closes new connections for ms milliseconds. */
  refuseConnections(ms: number): void;
  /** Closes everything and listens again on the same port after downMs; broker state survives. */
  restart(downMs?: number): Promise<void>;
  /** Stops reading from and writing to every client for ms milliseconds (output is queued). */
  stall(ms: number): void;
  /** Writes every outgoing byte as its own socket write while on. */
  splitWrites(on: boolean): void;
  /** Sends an ERR_MSG notice (id -1 by default) to every client. */
  sendNotice(code: number, message?: string, id?: number): void;
  /** Fails the next request of the given kind with the given error code instead of serving it. */
  failNextRequest(kind: FailableRequestKind, code: number, message?: string): void;
  /** Pins the quote of a symbol (the random walk stops for it) and pushes it to subscribers. */
  setQuote(symbol: string, bid: number, ask: number, last?: number): void;
  /**
   * Fills quantity of a resting order at price (default: the current touch). Order ids are per API
   * client, as at TWS: name the client when two clients used the same id.
   */
  fillOrder(orderId: number, quantity: number, price?: number, clientId?: number): void;
  /**
   * The next `count` live fills go out without their COMMISSION_REPORT, as when TWS sends it late:
   * {@link releaseCommissions} sends them, and a REQ_EXECUTIONS answer carries them as usual.
   */
  withholdCommissions(count: number): void;
  /** Sends the commission reports withheld so far to their owners' live connections; returns how many. */
  releaseCommissions(): number;
  /**
   * The next `count` new orders vanish on their way: no answer, not in `placeOrderLog`, unknown to the
   * broker (a cancel of one gets 10147), as an order lost before it reached IB.
   */
  loseNextOrders(count: number): void;
  /** Account summary subscriptions active over every live connection (TWS serves two per client). */
  accountSummarySubscriptions(): number;
  /** The broker cancels a live order by itself (as an exchange or IB's risk checks do): status Cancelled, error 202. */
  cancelOrder(orderId: number, clientId?: number): void;
  /** Orders not yet filled or cancelled. */
  openOrders(): PlacedOrder[];
  /** Net positions keyed by `account:conId`. */
  positions(): Map<string, number>;
  /** Stops listening and closes every client. */
  close(): Promise<void>;
}
