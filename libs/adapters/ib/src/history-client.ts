import type { Contract } from '@stoqey/ib';
import type { IbConnection } from './connection/ib-connection';
import type { IbBarRequest, IbHistoricalBar, IbHistorySource } from './history-source';
import { parseIbTime } from './parsing/times';

// The pacer spaces requests by seconds (minutes at worst): keep the session open between them.
const HISTORY_LINGER_MS = 60_000;

/** `formatDate` 2: bar times as epoch seconds (daily bars still come as yyyyMMdd). */
const EPOCH_SECONDS = 2;

/**
 * IB historical bars, one request at a time as asked: the {@link IbHistorySource}
 * the backfill (history/) drives through its pacer. No pacing or retrying
 * here: the pacer decides when to call, so a 162 reaching this class is a bug
 * signal, surfaced as `RateLimitError`.
 */
export class IbHistoryClient implements IbHistorySource {
  constructor(private readonly connection: IbConnection) {}

  /**
   * Requests one window of bars.
   * @throws RateLimitError (IB 162), UnknownInstrumentError (200), DisconnectedError, RequestTimeoutError.
   */
  async requestBars(request: IbBarRequest): Promise<IbHistoricalBar[]> {
    // A backfill may run without either client connected: the session outlives one request for the next.
    const lease = await this.connection.lease(HISTORY_LINGER_MS);
    try {
      return await this.request(request);
    } finally {
      await lease.release();
    }
  }

  private async request(request: IbBarRequest): Promise<IbHistoricalBar[]> {
    const description =
      `historical ${request.barSize} ${request.whatToShow} bars of ${request.contract.symbol} ` +
      `for ${request.duration} ending ${request.endDateTime}`;
    const slot = this.connection.openRequest<IbHistoricalBar[]>(description);
    const bars: IbHistoricalBar[] = [];
    const stop = this.connection.on('historicalData', (reqId, time, open, high, low, close, volume, count, wap) => {
      if (reqId !== slot.reqId) return;
      // The decoder ends a data set with a marker bar whose time starts with "finished".
      if (time.startsWith('finished')) {
        slot.resolve(bars);
        return;
      }
      const timeMs = parseIbTime(time);
      if (timeMs === undefined) {
        slot.reject(new Error(`${description}: expected a bar time as epoch seconds or yyyyMMdd, was ${JSON.stringify(time)}`));
        return;
      }
      bars.push({ timeMs, open, high, low, close, volume: volume ?? 0, wap: wap ?? 0, count: count ?? 0 });
    });
    try {
      const contract: Contract = {
        conId: request.contract.conId,
        symbol: request.contract.symbol,
        secType: request.contract.secType as Contract['secType'],
        exchange: request.contract.exchange,
        currency: request.contract.currency,
      };
      this.connection.send(`request ${description}`, (api) =>
        api.reqHistoricalData(
          slot.reqId,
          contract,
          request.endDateTime,
          request.duration,
          request.barSize as Parameters<typeof api.reqHistoricalData>[4],
          request.whatToShow as Parameters<typeof api.reqHistoricalData>[5],
          request.useRth ? 1 : 0,
          EPOCH_SECONDS,
          false,
        ),
      );
      return await slot.promise;
    } catch (error) {
      slot.reject(error instanceof Error ? error : new Error(String(error)));
      throw error;
    } finally {
      stop();
    }
  }
}
