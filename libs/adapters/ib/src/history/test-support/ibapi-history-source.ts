import { BarSizeSetting, EventName, IBApi, SecType, WhatToShow, type Contract } from '@stoqey/ib';
import { RateLimitError, UnknownInstrumentError, VenueError } from '@ttquant/gateway-api';
import type { IbBarRequest, IbHistoricalBar, IbHistorySource } from '../../history-source';

/**
 * A minimal `IbHistorySource` straight on the pinned client's
 * `reqHistoricalData`, for specs that drive the backfill against the fake TWS
 * before the adapter's own data client serves history. Not for production: no
 * reconnects, no timeouts, one connection it owns.
 */
export class IbApiHistorySource implements IbHistorySource {
  /** Every error code the client reported, in order (505 would be a decode error). */
  readonly errorCodes: number[] = [];
  private readonly api: IBApi;
  private nextReqId = 1;
  private readonly pending = new Map<number, { bars: IbHistoricalBar[]; resolve: (bars: IbHistoricalBar[]) => void; reject: (error: Error) => void }>();

  constructor(host: string, port: number, clientId: number) {
    this.api = new IBApi({ host, port, clientId });
    this.api.on(EventName.historicalData, (reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number, count: number | undefined, wap: number) => {
      const entry = this.pending.get(reqId);
      if (!entry) return;
      if (time.startsWith('finished')) {
        this.pending.delete(reqId);
        entry.resolve(entry.bars);
        return;
      }
      // formatDate 2: bar times arrive as epoch seconds.
      entry.bars.push({ timeMs: Number(time) * 1000, open, high, low, close, volume, wap, count: count ?? -1 });
    });
    this.api.on(EventName.error, (error: Error, code: number, reqId: number) => {
      this.errorCodes.push(code);
      const entry = this.pending.get(reqId);
      if (!entry) return;
      this.pending.delete(reqId);
      const message = error.message;
      if (code === 162) entry.reject(new RateLimitError(message, { venueCode: '162' }));
      else if (code === 200) entry.reject(new UnknownInstrumentError(message, { venueCode: '200' }));
      else entry.reject(new VenueError(message, { venueCode: String(code) }));
    });
  }

  /** Connects and resolves once TWS sent the first order id (the client queues requests until then). */
  async connect(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.api.once(EventName.nextValidId, () => resolve()));
    this.api.connect();
    await ready;
  }

  disconnect(): void {
    this.api.disconnect();
  }

  requestBars(request: IbBarRequest): Promise<IbHistoricalBar[]> {
    const reqId = this.nextReqId++;
    const contract: Contract = {
      conId: request.contract.conId,
      symbol: request.contract.symbol,
      secType: request.contract.secType as SecType,
      exchange: request.contract.exchange,
      currency: request.contract.currency,
    };
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { bars: [], resolve, reject });
      this.api.reqHistoricalData(
        reqId,
        contract,
        request.endDateTime,
        request.duration,
        request.barSize as BarSizeSetting,
        request.whatToShow as WhatToShow,
        request.useRth ? 1 : 0,
        2,
        false,
      );
    });
  }
}
