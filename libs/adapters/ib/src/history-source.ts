/**
 * The contract between the IB data client and the historical backfill
 * (libs/adapters/ib/src/history): one request for bars, answered with bars or
 * rejected with a gateway-api error (IB 162 → rate-limit error, 200 → unknown
 * instrument, and so on).
 */

/** The identity of an IB contract, as resolved by the instrument provider. */
export interface IbContractRef {
  /** IB's contract id; 0 when not resolved yet (IB then matches on the other fields). */
  conId: number;
  symbol: string;
  /** IB security type: STK, FUT, CASH, CRYPTO, IND... (an ETF is an STK on the wire). */
  secType: string;
  exchange: string;
  currency: string;
}

/** One historical bars request, in IB's own terms. */
export interface IbBarRequest {
  contract: IbContractRef;
  /** End of the requested window, UTC, as `yyyyMMdd-HH:mm:ss` (e.g. `20250102-21:00:00`). */
  endDateTime: string;
  /** IB duration string, e.g. `1 D`, `1 W`, `1 Y`. */
  duration: string;
  /** IB bar size string, e.g. `1 min`, `1 hour`, `1 day`. */
  barSize: string;
  whatToShow: 'TRADES' | 'MIDPOINT' | 'BID' | 'ASK';
  /** Regular trading hours only. */
  useRth: boolean;
}

/** One bar as IB sent it, with its start time converted to epoch milliseconds (UTC). */
export interface IbHistoricalBar {
  timeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}

/** Something that answers historical bar requests (the IB data client implements it). */
export interface IbHistorySource {
  /**
   * Requests one window of bars.
   *
   * @returns the bars in time order (empty when IB has none for the window)
   * @throws a gateway-api `GatewayError` subclass mapped from the IB error code
   *   (162 → `RateLimitError`, 200 → `UnknownInstrumentError`...), or a
   *   `DisconnectedError` when the connection is down.
   */
  requestBars(request: IbBarRequest): Promise<IbHistoricalBar[]>;
}
